"""No log line, at any level and in any component, holds a question, a draft, a user id or a
token: a marker goes through every entry point (Slack HTTP and Socket Mode, Telegram, the CLI;
answered, core failure, rejected signature)
with the production logging set up at DEBUG, and the chat libraries' loggers raised to DEBUG
too; the marker never appears in what was written, as text or as JSON lines (``BOT_LOG_FORMAT``)."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from adapters.telegram import build_application
from bot import logs
from bot.cli import main as cli_main
from bot.feedback import FeedbackStore
from bot.service import Service
from bot.settings import Settings
from fakes.slack_api import FakeSlackAPI, event_body, signed_post
from fakes.telegram_api import FakeTelegramAPI
from tests.conftest import FIXTURES, make_settings
from tests.test_slack_adapter import JSON, SIGNING_SECRET, SLACK_TOKEN, _dm, _run_bot
from tests.test_slack_socket_mode import running_socket_bot
from tests.test_telegram_adapter import polling

MARKER = "MARCADOR-PRIVADO-93817"
USER_ID = "UMARCADOR77"
QUESTION = f"¿Puedo subir la foto del {MARKER} que atendí hoy?"
DRAFT = f"Gracias a Ana López, DNI 12345678Z, {MARKER}"


@pytest.fixture(params=["text", "json"])
def written(request: pytest.FixtureRequest) -> Iterator[io.StringIO]:
    """The production logging, at DEBUG, into a buffer, in each ``BOT_LOG_FORMAT``; chat libraries
    raised to DEBUG as well."""
    buffer = io.StringIO()
    root = logging.getLogger()
    level = root.level
    logs.setup_logging(verbose=True, stream=buffer, secrets=[SLACK_TOKEN, SIGNING_SECRET], log_format=request.param)
    for name in logs.CHAT_LIBRARIES:
        logging.getLogger(name).setLevel(logging.DEBUG)
    yield buffer
    for handler in [h for h in root.handlers if getattr(h, "_puedo_publicar", False)]:
        root.removeHandler(handler)
    root.setLevel(level)


def assert_private(buffer: io.StringIO, *extra: str) -> None:
    text = buffer.getvalue()
    assert text, "nothing was logged: the test would prove nothing"
    # JSON lines: what they say once decoded too (an escape must not hide a marker).
    decoded = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    text += "\n".join(str(value) for record in decoded for value in record.values())
    for secret in (MARKER, USER_ID, "12345678Z", SLACK_TOKEN, SIGNING_SECRET, *extra):
        assert secret not in text, f"{secret!r} was logged"


def test_slack_entry_points(
    written: io.StringIO, tmp_path: Path, knowledge: Path, service: Any, indexed_settings: Settings
) -> None:
    with FakeSlackAPI(valid_token=SLACK_TOKEN) as slack:
        for bot in _run_bot(slack, indexed_settings, service, tmp_path / "ok"):
            assert bot.event(_dm(QUESTION, user=USER_ID)).status_code == 200
            slack.wait_for("chat.postMessage")
            # A forged request: Bolt rejects it and logs about it.
            forged = signed_post(bot.url, event_body(_dm(QUESTION, user=USER_ID)), "otro-secreto", content_type=JSON)
            assert forged.status_code == 401
        broken = Service(make_settings(tmp_path / "b", knowledge, embedding_model="/nonexistent/model"))
        for bot in _run_bot(slack, indexed_settings, broken, tmp_path / "broken"):
            assert bot.event(_dm(QUESTION, user=USER_ID)).status_code == 200
            slack.wait_for("chat.postMessage", count=2, timeout=20)
    assert "the core failed to answer" in written.getvalue()  # the failure was logged...
    assert_private(written)  # ...without the question


@pytest.mark.asyncio
async def test_telegram_entry_points(written: io.StringIO, tmp_path: Path, service: Any) -> None:
    with FakeTelegramAPI() as tg:
        settings = make_settings(
            tmp_path, FIXTURES / "knowledge", telegram_token=tg.token, telegram_api_url=tg.base_url
        )
        logs.add_secrets([tg.token])
        feedback = FeedbackStore(tmp_path / "fb.sqlite3")
        application = build_application(settings, service, feedback=feedback)
        async with polling(application):
            tg.push_update(tg.message_update(QUESTION))
            await tg.wait_for_async("sendMessage", timeout=10)

        class Broken:
            def ask(self, question: str, draft: str | None = None) -> Any:
                raise ValueError(f"no puedo con {question!r}")

            def sources(self) -> Any:
                return service.sources()

        application = build_application(settings, Broken(), feedback=feedback)
        async with polling(application):
            tg.push_update(tg.message_update(QUESTION))
            await tg.wait_for_async("sendMessage", count=2, timeout=10)
        user = str(tg.message_update("x")["message"]["from"]["id"])
    text = written.getvalue()
    assert "the core failed to answer" in text
    assert_private(written, tg.token)
    assert not re.search(rf"\b{user}\b", text)


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_cli_with_a_draft(
    log_format: str, indexed_settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BOT_DATA_DIR", str(indexed_settings.data_dir))
    monkeypatch.setenv("BOT_KNOWLEDGE_DIR", str(indexed_settings.knowledge_dir))
    monkeypatch.setenv("BOT_LOG_FORMAT", log_format)
    assert cli_main(["-v", "ask", QUESTION, "--draft", DRAFT]) == 0  # its own logging, to stderr
    for name in logs.CHAT_LIBRARIES:
        logging.getLogger(name).setLevel(logging.DEBUG)
    logging.getLogger("bot").warning("a line of our own, so stderr is never empty")
    logging.getLogger("httpx").error("a library quoting %s", QUESTION)
    err = capsys.readouterr().err
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "_puedo_publicar", False)]:
        root.removeHandler(handler)
    if log_format == "json":
        assert any(line.startswith("{") for line in err.splitlines()), "BOT_LOG_FORMAT=json was not applied"
    assert_private(io.StringIO(err))


def test_the_filter_masks_what_a_library_quotes() -> None:
    logs.sensitive(QUESTION, USER_ID)
    record = logging.LogRecord("slack_bolt.App", logging.ERROR, __file__, 1, "Failed: %s", (QUESTION,), None)
    assert logs.PrivacyFilter().filter(record)
    assert MARKER not in record.getMessage()
    body = logging.LogRecord("slack_bolt.App", logging.WARNING, __file__, 1, "Unhandled request ({'x': 1})", (), None)
    assert logs.PrivacyFilter().filter(body) and "'x'" not in body.getMessage()
    quiet = logging.LogRecord("slack_sdk.web", logging.DEBUG, __file__, 1, "body: %s", (QUESTION,), None)
    assert not logs.PrivacyFilter().filter(quiet)


def test_settings_errors_never_show_a_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.settings import SettingsError, load_settings

    monkeypatch.setenv("BOT_TELEGRAM_WEBHOOK_SECRET", "secreto con espacios MARCADOR")
    monkeypatch.setenv("BOT_SLACK_PORT", "no-es-un-puerto")
    with pytest.raises(SettingsError) as error:
        load_settings()
    message = str(error.value)
    assert "BOT_TELEGRAM_WEBHOOK_SECRET" in message and "oculto" in message
    assert "MARCADOR" not in message
    assert "no-es-un-puerto" in message  # what is not secret is still shown, to help


def test_slack_socket_mode_entry_point(written: io.StringIO, tmp_path: Path, service: Any) -> None:
    for bot in running_socket_bot(service, make_settings(tmp_path, FIXTURES / "knowledge"), tmp_path):
        bot.socket.wait_for_ack(bot.socket.deliver_event(_dm(f"> {DRAFT}\n{QUESTION}", user=USER_ID)), 10)
        bot.slack.wait_for("chat.postMessage", timeout=20)
        command = bot.socket.deliver_command(QUESTION, user_id=USER_ID, response_url=bot.slack.response_url("cmd"))
        bot.socket.wait_for_ack(command, 10)
        bot.slack.wait_for("response_url", timeout=20)
    assert_private(written)
