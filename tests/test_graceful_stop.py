"""SIGTERM while a question is being answered: the answer still goes out, once, and the process
exits with status 0 (what a rolling deploy or ``docker stop`` does).

Each test runs the real adapter process (``python -m adapters.telegram`` in webhook mode,
``python -m adapters.slack`` in Socket Mode) over an index of the fixture knowledge, against
the fake platform on 127.0.0.1, which holds a request the answer needs until the test has
sent SIGTERM: Slack's ``chat.postMessage``; Telegram's ``getFile`` for the photo asked about
(in webhook mode the answer itself goes out in the reply to Telegram's POST).
"""

from __future__ import annotations

import io
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from bot.settings import Settings
from fakes._base import RawRequest, RawResponse
from fakes.slack_api import FakeSlackAPI
from fakes.slack_socket import FakeSocketMode
from fakes.telegram_api import FakeTelegramAPI, post_webhook_update
from tests.helpers.postgres import free_port

ROOT = Path(__file__).resolve().parents[1]
SECRET = "graceful_secret_1"
SLACK_TOKEN = "xoxb-graceful"
QUESTION = "¿Puedo retuitear la campaña oficial de vacunación?"
#: Seconds: the process start (model and index load), and any single step after it.
START_TIMEOUT = 120.0
STEP_TIMEOUT = 30.0


class Hold:
    """Holds the first request to ``method`` until :meth:`release`; counts how many arrived."""

    def __init__(self, method: str) -> None:
        self.method = method
        self.arrived = threading.Event()
        self.released = threading.Event()
        self.count = 0

    def before(self, request: RawRequest) -> None:
        if request.path.endswith(self.method):
            self.count += 1
            self.arrived.set()
            self.released.wait(STEP_TIMEOUT)

    def release(self) -> None:
        self.released.set()


class HoldingTelegram(FakeTelegramAPI):
    def __init__(self, hold: Hold) -> None:
        super().__init__()
        self.hold = hold

    def handle(self, request: RawRequest) -> RawResponse:
        self.hold.before(request)
        return super().handle(request)


class HoldingSlack(FakeSlackAPI):
    def __init__(self, hold: Hold) -> None:
        super().__init__(valid_token=SLACK_TOKEN)
        self.hold = hold

    def handle(self, request: RawRequest) -> RawResponse:
        self.hold.before(request)
        return super().handle(request)


def _environment(settings: Settings, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
    env.update(
        BOT_DATA_DIR=str(settings.data_dir),
        BOT_KNOWLEDGE_DIR=str(settings.knowledge_dir),
        BOT_MODEL_CACHE_DIR=os.environ["BOT_MODEL_CACHE_DIR"],
        BOT_DOUBT_CASES_DIR="",  # the second opinion has its own tests; here it would only slow start-up
        BOT_LOG_FORMAT="text",
        **extra,
    )
    return env


def _until(check: Any, timeout: float, message: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if process.poll() is not None:
            raise AssertionError(f"{message}: the process exited with {process.returncode}")
        if time.monotonic() > deadline:
            raise AssertionError(f"{message} within {timeout:.0f} s")
        time.sleep(0.1)


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.kill()
        process.wait(10)


def test_telegram_webhook_finishes_the_answer_on_sigterm(indexed_settings: Settings, tmp_path: Path) -> None:
    hold = Hold("/getFile")
    port = free_port()
    log = tmp_path / "telegram.log"
    with HoldingTelegram(hold) as tg, open(log, "wb") as out:
        env = _environment(
            indexed_settings,
            BOT_TELEGRAM_TOKEN=tg.token,
            BOT_TELEGRAM_API_URL=tg.base_url,
            BOT_TELEGRAM_MODE="webhook",
            BOT_TELEGRAM_WEBHOOK_URL="https://bot.ejemplo.es/telegram/hook",
            BOT_TELEGRAM_WEBHOOK_SECRET=SECRET,
            BOT_TELEGRAM_WEBHOOK_LISTEN="127.0.0.1",
            BOT_TELEGRAM_WEBHOOK_PORT=str(port),
        )
        process = subprocess.Popen(
            [sys.executable, "-m", "adapters.telegram"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
        try:
            _until(lambda: _port_open(port), START_TIMEOUT, "the webhook did not open its port", process)
            update = tg.photo_update(_photo(), caption=QUESTION, user_id=70_001)
            result: dict[str, Any] = {}

            def post() -> None:
                result["response"] = post_webhook_update(
                    f"http://127.0.0.1:{port}/telegram/hook",
                    update,
                    SECRET,
                    timeout=START_TIMEOUT + STEP_TIMEOUT * 2,
                    api=tg,
                )

            poster = threading.Thread(target=post)
            poster.start()
            # The first update also pays the start-up work left after the port opens: not the step under test.
            assert hold.arrived.wait(START_TIMEOUT), "the photo was never fetched"
            assert "response" not in result  # not acknowledged before the answer is out

            process.send_signal(signal.SIGTERM)
            _until(lambda: not _port_open(port), STEP_TIMEOUT, "the port stayed open after SIGTERM", process)
            assert process.poll() is None  # still finishing the answer
            hold.release()
            poster.join(STEP_TIMEOUT * 2)
            assert process.wait(STEP_TIMEOUT) == 0, log.read_text(errors="replace")
        finally:
            hold.release()
            _stop(process)
        assert result["response"].status_code == 200  # acknowledged with the answer
        answers = [c for c in tg.calls_to("sendMessage") if c.params.get("reply_parameters")]
        assert len(answers) == 1
        assert hold.count == 1


def _photo() -> bytes:
    """A small white PNG."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (160, 90), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def test_slack_socket_mode_finishes_the_answer_on_sigterm(indexed_settings: Settings, tmp_path: Path) -> None:
    hold = Hold("/chat.postMessage")
    log = tmp_path / "slack.log"
    with HoldingSlack(hold) as slack, FakeSocketMode(slack) as socket_mode, open(log, "wb") as out:
        env = _environment(
            indexed_settings,
            BOT_SLACK_MODE="socket",
            BOT_SLACK_BOT_TOKEN=SLACK_TOKEN,
            BOT_SLACK_APP_TOKEN=socket_mode.app_token,
            BOT_SLACK_API_URL=slack.base_url,
        )
        process = subprocess.Popen(
            [sys.executable, "-m", "adapters.slack"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
        try:
            socket_mode.wait_for_connections(1, timeout=START_TIMEOUT)
            ts = "1700000000.000100"
            event = {"type": "message", "channel_type": "im", "channel": "DG1", "user": "UG1", "text": QUESTION}
            event.update(ts=ts, event_ts=ts)
            socket_mode.deliver_event(event, event_id="EvGraceful1")
            assert hold.arrived.wait(START_TIMEOUT), "the answer never reached chat.postMessage"

            process.send_signal(signal.SIGTERM)
            time.sleep(0.5)
            assert process.poll() is None  # still finishing the answer
            hold.release()
            assert process.wait(STEP_TIMEOUT) == 0, log.read_text(errors="replace")
        finally:
            hold.release()
            _stop(process)
        answers = [c for c in slack.calls_to("chat.postMessage") if c.params.get("channel") == "DG1"]
        assert len(answers) == 1
