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

Lines are text (:data:`FORMAT`) or, with ``BOT_LOG_FORMAT=json``, one JSON object per line
(python-json-logger) with ``timestamp``, ``level``, ``logger``, ``message`` and, when there is
one, ``exc_info``: only those fields, so an ``extra=`` a library passes is never written.
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
from typing import TYPE_CHECKING, Any, Literal, TextIO

from pythonjsonlogger.json import JsonFormatter

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
LogFormat = Literal["text", "json"]
#: The only fields a JSON line carries (see the module docstring).
JSON_FIELDS = ("timestamp", "level", "logger", "message", "exc_info", "stack_info")

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


class JsonLinesFormatter(JsonFormatter):
    """python-json-logger's formatter, limited to :data:`JSON_FIELDS`."""

    def __init__(self) -> None:
        super().__init__(
            "%(levelname)s %(name)s %(message)s",
            rename_fields={"levelname": "level", "name": "logger"},
            timestamp=True,
            json_ensure_ascii=False,
        )

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        return {key: log_data[key] for key in JSON_FIELDS if key in log_data}


def formatter(log_format: LogFormat = "text", fmt: str = FORMAT) -> logging.Formatter:
    """The formatter for ``BOT_LOG_FORMAT``: ``fmt`` for text, :class:`JsonLinesFormatter` for json."""
    if log_format == "json":
        return JsonLinesFormatter()
    if log_format == "text":
        return logging.Formatter(fmt)
    raise ValueError(f"unknown log format {log_format!r} (text or json)")


def setup_logging(
    *,
    verbose: bool = False,
    stream: TextIO | None = None,
    secrets: Iterable[str] = (),
    level: int | None = None,
    fmt: str = FORMAT,
    log_format: LogFormat = "text",
) -> None:
    """Configure the root logger for an entry point: one handler with :class:`PrivacyFilter`.

    ``verbose`` shows DEBUG records of our own code (never users' texts); ``level`` overrides
    the level (the CLI shows only warnings by default); ``secrets`` are the settings' secret
    values (:func:`bot.settings.secret_values`); ``fmt`` is the text format, ``log_format``
    text or json (:func:`load_settings_for_entry_point` applies ``BOT_LOG_FORMAT`` afterwards).
    Also makes every file this process creates readable by its owner only (umask 077): the
    data dir holds votes, salts and indexes.
    """
    os.umask(0o077)
    add_secrets(secrets)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler._puedo_publicar_fmt = fmt  # type: ignore[attr-defined]
    handler.setFormatter(formatter(log_format, fmt))
    handler.addFilter(PrivacyFilter())
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_puedo_publicar", False)]:
        root.removeHandler(old)
    handler._puedo_publicar = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level if level is not None else logging.DEBUG if verbose else logging.INFO)
    quiet_libraries()


def use_log_format(log_format: LogFormat) -> None:
    """Switch the handler :func:`setup_logging` installed to ``log_format`` (``BOT_LOG_FORMAT``)."""
    for handler in logging.getLogger().handlers:
        if getattr(handler, "_puedo_publicar", False):
            handler.setFormatter(formatter(log_format, getattr(handler, "_puedo_publicar_fmt", FORMAT)))


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
    log shows them and ``BOT_LOG_FORMAT`` applied to the logging :func:`setup_logging` set up;
    None after printing which ``BOT_`` variable is wrong (exit with 2 then)."""
    from bot.settings import SettingsError, load_settings, secret_values

    try:
        settings = load_settings()
    except SettingsError as exc:
        print(exc, file=sys.stderr)  # noqa: T201 (the entry point's own message, before logging is set up)
        return None
    add_secrets(secret_values(settings))
    use_log_format(settings.log_format)
    return settings
