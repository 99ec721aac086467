"""Logging that never writes what people ask, who they are, or a secret.

:func:`setup_logging` is what every entry point (the CLI, the Slack and Telegram adapters)
uses. Its handler carries a :class:`PrivacyFilter` that, for every record of every component:

- masks the secrets of the settings (tokens, signing secret, salt);
- masks the texts and ids the adapters registered with :func:`sensitive` as they received
  them (a question, a draft, a user id), wherever they appear, tracebacks included;
- drops the chat libraries' records below WARNING (Bolt and the Slack SDK log request bodies,
  httpx logs URLs that carry the Telegram token), and cuts bodies (``{...}``, ``text=...``)
  out of the ones it keeps.

Our own code logs no user text at all; the filter is the net for what libraries do.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import threading
import time
import traceback
from collections import OrderedDict
from collections.abc import Iterable
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from bot.settings import Settings

#: Libraries that see users' messages or tokens: only their warnings and errors are kept.
CHAT_LIBRARIES = ("slack_bolt", "slack_sdk", "telegram", "httpx", "httpcore", "aiohttp", "websocket", "websockets")
#: Libraries too chatty at INFO (no user data, just noise).
NOISY = ("bm25s", "chromadb", "sentence_transformers", "transformers", "urllib3", "apscheduler")
#: How long a registered text is masked after it arrived.
SENSITIVE_SECONDS = 1800
SENSITIVE_MAX = 5000
REDACTED = "[omitido]"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

_sensitive: OrderedDict[str, float] = OrderedDict()
_secrets: set[str] = set()
_lock = threading.Lock()
_BODY = re.compile(r"\{.*\}|\b(?:text|body|payload|message)=\S+", re.DOTALL)


def sensitive(*texts: str | None) -> None:
    """Register what a user sent (question, draft, ids): any log line that quotes it is masked."""
    expires = time.monotonic() + SENSITIVE_SECONDS
    with _lock:
        for text in texts:
            for variant in _variants(text):
                _sensitive[variant] = expires
                _sensitive.move_to_end(variant)
        now = time.monotonic()
        while _sensitive and (len(_sensitive) > SENSITIVE_MAX or next(iter(_sensitive.values())) < now):
            _sensitive.popitem(last=False)


def add_secrets(values: Iterable[str]) -> None:
    """Values (tokens, signing secrets) never to be written."""
    with _lock:
        _secrets.update(v for v in values if v and len(v) >= 6)


def _variants(text: str | None) -> set[str]:
    """A text as it may appear in a log: whole, stripped, as ``repr`` shows it, line by line."""
    if not text or len(text.strip()) < 3:
        return set()
    out = {text, text.strip(), repr(text)[1:-1], repr(text.strip())[1:-1]}
    out.update(line.strip() for line in text.splitlines() if len(line.strip()) >= 8)
    # A long text may be quoted cut: its first 40 characters are enough to mask the quote.
    if len(text.strip()) > 40:
        out.add(text.strip()[:40])
    return {v for v in out if len(v) >= 3}


def scrub(text: str) -> str:
    """``text`` with every secret and registered user text masked."""
    with _lock:
        targets = sorted({*_secrets, *_sensitive}, key=len, reverse=True)
    for target in targets:
        if target in text:
            text = text.replace(target, REDACTED)
    return text


class PrivacyFilter(logging.Filter):
    """Applied by the handler to every record (see the module docstring)."""

    def filter(self, record: logging.LogRecord) -> bool:
        library = record.name.split(".")[0] in CHAT_LIBRARIES
        if library and record.levelno < logging.WARNING:
            return False
        message = record.getMessage()
        if library:
            message = _BODY.sub("{…}", message)
        record.msg, record.args = scrub(message), None
        if record.exc_info:
            trace = "".join(traceback.format_exception(*record.exc_info)).rstrip()
            record.exc_info, record.exc_text = None, scrub(_BODY.sub("{…}", trace) if library else trace)
        elif record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return True


def setup_logging(
    *,
    verbose: bool = False,
    stream: TextIO | None = None,
    secrets: Iterable[str] = (),
    level: int | None = None,
    fmt: str = FORMAT,
) -> None:
    """Configure the root logger for an entry point: one handler with :class:`PrivacyFilter`.

    ``verbose`` shows DEBUG records of our own code (never users' texts); ``level`` overrides
    the level (the CLI shows only warnings by default); ``secrets`` are the settings' secret
    values (:func:`bot.settings.secret_values`). Also makes every file this process creates
    readable by its owner only (umask 077): the data dir holds votes, salts and indexes.
    """
    os.umask(0o077)
    add_secrets(secrets)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter(fmt))
    handler.addFilter(PrivacyFilter())
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_puedo_publicar", False)]:
        root.removeHandler(old)
    handler._puedo_publicar = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level if level is not None else logging.DEBUG if verbose else logging.INFO)
    quiet_libraries()


def quiet_libraries() -> None:
    """Keep chatty libraries at WARNING (Bolt resets its own level when an app is built: call
    this again afterwards)."""
    for name in (*CHAT_LIBRARIES, *NOISY):
        logging.getLogger(name).setLevel(logging.WARNING)


def quiet_model_libraries() -> None:
    """Before loading the model and the index: no progress bars or chatter from transformers,
    the Hugging Face hub or bm25s (which sets its own logger to DEBUG on import), then
    :func:`quiet_libraries`."""
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    import bm25s  # noqa: F401

    quiet_libraries()


def incident_trace(error: BaseException, user_text: Iterable[str | None] = ()) -> str:
    """``error``'s traceback with the user's text and the secrets masked, for logging."""
    sensitive(*user_text)
    return scrub("".join(traceback.format_exception(error)).rstrip())


def load_settings_for_entry_point() -> Settings | None:
    """The settings for a command or adapter about to start, their secrets registered so that no
    log shows them; None after printing which ``BOT_`` variable is wrong (exit with 2 then)."""
    from bot.settings import SettingsError, load_settings, secret_values

    try:
        settings = load_settings()
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return None
    add_secrets(secret_values(settings))
    return settings
