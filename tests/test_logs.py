"""The two log formats of ``BOT_LOG_FORMAT``: readable text and JSON lines."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot import logs
from bot.settings import SettingsError, load_settings


@pytest.fixture
def installed() -> Iterator[None]:
    """Remove the handler :func:`bot.logs.setup_logging` adds, and restore the root level."""
    root = logging.getLogger()
    level = root.level
    yield
    for handler in [h for h in root.handlers if getattr(h, "_puedo_publicar", False)]:
        root.removeHandler(handler)
    root.setLevel(level)


def _json_lines(text: str) -> list[dict[str, object]]:
    lines = text.splitlines()
    assert lines, "nothing was logged"
    return [json.loads(line) for line in lines]  # each line, on its own, is one JSON object


def test_json_lines_carry_level_logger_and_message(installed: None) -> None:
    buffer = io.StringIO()
    logs.setup_logging(verbose=True, stream=buffer, log_format="json")
    log = logging.getLogger("bot.test_logs")
    log.info("Index generation %s → %s", 1, 2)
    log.warning("A message\nover two lines")
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        log.exception("It failed")
    records = _json_lines(buffer.getvalue())
    assert len(records) == 3
    for record in records:
        assert {"timestamp", "level", "logger", "message"} <= record.keys()
        assert record["logger"] == "bot.test_logs"
    assert [r["level"] for r in records] == ["INFO", "WARNING", "ERROR"]
    assert records[0]["message"] == "Index generation 1 → 2"  # not escaped as \\u2192
    assert records[1]["message"] == "A message\nover two lines"
    assert "RuntimeError: boom" in str(records[2]["exc_info"])


def test_json_lines_carry_only_their_fields(installed: None) -> None:
    """An ``extra=`` (a library's, say) would bypass the privacy filter: it is never written."""
    buffer = io.StringIO()
    logs.setup_logging(stream=buffer, log_format="json")
    logging.getLogger("bot.test_logs").info("Answered", extra={"user": "U123", "question": "¿Puedo...?"})
    (record,) = _json_lines(buffer.getvalue())
    assert set(record) == {"timestamp", "level", "logger", "message"}
    assert "U123" not in buffer.getvalue()


def test_the_privacy_filter_applies_to_json(installed: None) -> None:
    buffer = io.StringIO()
    logs.setup_logging(stream=buffer, log_format="json", secrets=["xoxb-secreto-de-prueba"])
    logs.sensitive("¿Puedo subir la foto de la vecina Marta?")
    logging.getLogger("httpx").error("request failed: ¿Puedo subir la foto de la vecina Marta? xoxb-secreto-de-prueba")
    (record,) = _json_lines(buffer.getvalue())
    assert record["message"] == f"request failed: {logs.REDACTED} {logs.REDACTED}"


def test_text_is_the_default(installed: None) -> None:
    buffer = io.StringIO()
    logs.setup_logging(stream=buffer)
    logging.getLogger("bot.test_logs").info("Loading the model")
    assert buffer.getvalue().rstrip().endswith("INFO bot.test_logs: Loading the model")


def test_bot_log_format_switches_an_entry_points_logging(installed: None, monkeypatch: pytest.MonkeyPatch) -> None:
    buffer = io.StringIO()
    logs.setup_logging(stream=buffer, fmt="%(levelname)s %(name)s: %(message)s")
    monkeypatch.setenv("BOT_LOG_FORMAT", "json")
    settings = logs.load_settings_for_entry_point()
    assert settings is not None and settings.log_format == "json"
    logging.getLogger("bot.test_logs").warning("Now as JSON")
    (record,) = _json_lines(buffer.getvalue())
    assert record["message"] == "Now as JSON" and record["level"] == "WARNING"

    logs.use_log_format("text")  # back to the format the entry point chose
    logging.getLogger("bot.test_logs").warning("Text again")
    assert buffer.getvalue().splitlines()[-1] == "WARNING bot.test_logs: Text again"


def test_an_unknown_format_names_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_LOG_FORMAT", "xml")
    with pytest.raises(SettingsError, match="BOT_LOG_FORMAT"):
        load_settings()
