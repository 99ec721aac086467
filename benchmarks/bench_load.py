"""Load benchmark of both adapters: many people asking at once, nothing lost, nothing doubled.

Everything is real except Slack and Telegram: fakes on 127.0.0.1 that apply the platforms'
rate limits (Slack's per-method tiers and ~1 message/s per channel; Telegram's flood
limits), the real Bolt app and PTB ``Application`` with their real retry handlers, the
shared answering layer and idempotency store, and the real core over the fixture index.

For each transport — Slack over HTTP (signed Events API posts), Slack Socket Mode (envelopes
over a WebSocket) and Telegram webhook — ``--senders`` people (50) each send their share
of ``-n`` questions (500), all at the same time: each person waits for the reply to one
question before asking the next (``--burst``: fires them all without waiting, which fills
the queue and shows the «mucha demanda» replies). A fraction (``--duplicates``, 10 %) of the deliveries is sent twice, as a
platform retry would. Each question is told apart by its thread (Slack) or message id
(Telegram), so the script counts, per question, the replies that reached the fake:

* **lost**: questions with no reply at all; **doubled**: questions with more than one;
* replies that were answers, and notices (the per-user limit, «mucha demanda»);
* **ack** p50/p99: the acknowledgement (HTTP response, or Socket Mode ack) after sending;
* **answer** p50/p95: from sending to the first reply arriving at the fake;
* 429s the fakes answered (and the clients retried).

Run from the repository root (a few minutes on 2 cores)::

    .venv/bin/python benchmarks/bench_load.py
    .venv/bin/python benchmarks/bench_load.py -n 100 --senders 10 --only slack-http
"""

# ruff: noqa: E402 (the repository root is put on sys.path before importing the project)

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
import socket
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx
from slack_bolt.adapter.socket_mode import SocketModeHandler

from adapters.slack import SlackHTTPServer
from adapters.slack.startup import build_client, create_app
from adapters.telegram import build_application, webhook_config
from adapters.telegram.webhook import serve_webhook
from benchmarks.common import QUESTIONS, indexed_service, percentile
from bot import Service, Settings
from fakes._base import RawRequest, RawResponse, parse_form
from fakes.slack_api import FakeSlackAPI, event_body, signed_post
from fakes.slack_socket import FakeSocketMode
from fakes.telegram_api import FakeTelegramAPI, carry_out_webhook_reply

TOKEN = "xoxb-bench"
SIGNING_SECRET = "bench-signing-secret"
TG_SECRET = "bench_secret_1"
TRANSPORTS = ("slack-http", "slack-socket", "telegram-webhook")
CONTINUATION = "Puedo publicar (continuación"


@dataclass
class Tally:
    """Replies per question key, and when the first one arrived."""

    replies: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    first_at: dict[str, float] = field(default_factory=dict)
    too_many_requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, key: str, text: str) -> None:
        with self.lock:
            self.replies[key].append(text)
            self.first_at.setdefault(key, time.perf_counter())

    def wait(self, keys: list[str], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if all(k in self.first_at for k in keys):
                    return
            time.sleep(0.05)


@dataclass
class Result:
    """What one transport's run sent and received, and its summary line."""

    transport: str
    questions: int
    deliveries: int
    sent_at: dict[str, float]
    ack_ms: list[float]
    tally: Tally
    wall_s: float

    def line(self) -> str:
        keys = list(self.sent_at)
        counts = [len(self.tally.replies.get(k, [])) for k in keys]
        lost = sum(1 for c in counts if c == 0)
        doubled = sum(1 for c in counts if c > 1)
        texts = [t[0] for k in keys if (t := self.tally.replies.get(k))]
        limited = sum(1 for t in texts if "consultas en el último minuto" in t)
        busy = sum(1 for t in texts if "mucha demanda" in t)
        notices = limited + busy
        answer = [(self.tally.first_at[k] - self.sent_at[k]) * 1000 for k in keys if k in self.tally.first_at]
        return (
            f"{self.transport:<17} {self.questions} preguntas ({self.deliveries} entregas) · perdidas {lost} · "
            f"dobles {doubled} · respuestas {len(texts) - notices}, «mucha demanda» {busy}, límite {limited} · "
            f"ack p50 {percentile(self.ack_ms, 50):.1f} ms p99 {percentile(self.ack_ms, 99):.1f} ms · "
            f"respuesta p50 {percentile(answer, 50):.0f} ms p95 {percentile(answer, 95):.0f} ms · "
            f"429 recibidos {self.tally.too_many_requests} · {self.wall_s:.1f} s"
        )


def plan(n: int, senders: int, duplicates: float, seed: int = 7) -> list[list[tuple[int, bool]]]:
    """For each sender, its questions (global index, delivered twice?)."""
    rng = random.Random(seed)
    per_sender: list[list[tuple[int, bool]]] = [[] for _ in range(senders)]
    for index in range(n):
        per_sender[index % senders].append((index, rng.random() < duplicates))
    return per_sender


def run_senders(
    per_sender: list[list[tuple[int, bool]]],
    send: Callable[[int, int, bool], str],
    tally: Tally,
    *,
    wait: bool,
) -> None:
    """All senders at once, each sending its questions in order; with ``wait``, each waits for
    the reply to one question (at most 60 s) before asking the next, as a person would."""

    def sender(number: int) -> None:
        for index, twice in per_sender[number]:
            key = send(number, index, twice)
            if wait:
                tally.wait([key], 60.0)

    with ThreadPoolExecutor(len(per_sender)) as pool:
        list(pool.map(sender, range(len(per_sender))))


# ------------------------------------------------------------------------------- Slack


class CountingSlack(FakeSlackAPI):
    """The strict fake Web API, tallying each question's replies by (channel, thread_ts)."""

    def __init__(self, tally: Tally) -> None:
        super().__init__(valid_token=TOKEN)
        self.tally = tally

    def handle(self, request: RawRequest) -> RawResponse:
        response = super().handle(request)
        if response.status == 429:
            with self.tally.lock:
                self.tally.too_many_requests += 1
        elif request.path == "/api/chat.postMessage" and response.status == 200:
            params: dict[str, Any] = (
                json.loads(request.body) if request.media_type == "application/json" else parse_form(request.body)
            )
            text = str(params.get("text") or "")
            if params.get("thread_ts") and not text.startswith(CONTINUATION):
                self.tally.record(f"{params.get('channel')}:{params['thread_ts']}", text)
        return response


def _slack_event(number: int, index: int) -> tuple[dict[str, Any], str]:
    channel, ts = f"DL{number:04d}", f"1700000000.{index:06d}"
    event = {
        "type": "message",
        "channel_type": "im",
        "channel": channel,
        "user": f"UL{number:04d}",
        "text": QUESTIONS[index % len(QUESTIONS)],
        "ts": ts,
        "event_ts": ts,
        "thread_ts": ts,  # the question opens a thread, so its answer can be told apart
    }
    return event, f"{channel}:{ts}"


def _slack_settings(settings: Settings, slack: FakeSlackAPI, mode: str) -> Settings:
    return settings.model_copy(
        update={
            "slack_mode": mode,
            "slack_signing_secret": SIGNING_SECRET,
            "slack_bot_token": TOKEN,
            "slack_app_token": "xapp-1-A1-1-0123456789abcdef",
            "slack_api_url": slack.base_url,
        }
    )


def bench_slack(
    settings: Settings, service: Service, mode: str, per_sender: list[list[tuple[int, bool]]], *, wait: bool
) -> Result:
    tally = Tally()
    sent_at: dict[str, float] = {}
    ack_ms: list[float] = []
    deliveries = 0
    lock = threading.Lock()
    with CountingSlack(tally) as slack:
        slack_settings = _slack_settings(settings, slack, "socket" if mode == "slack-socket" else "http")
        app = create_app(slack_settings, service, client=build_client(slack_settings))
        started = time.perf_counter()
        if mode == "slack-http":
            with SlackHTTPServer(app, host="127.0.0.1", port=0) as server:

                def send(number: int, index: int, twice: bool) -> str:
                    nonlocal deliveries
                    event, key = _slack_event(number, index)
                    body = event_body(event)
                    with lock:
                        sent_at[key] = time.perf_counter()
                    for attempt in range(2 if twice else 1):
                        headers = (
                            {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"} if attempt else None
                        )
                        t0 = time.perf_counter()
                        signed_post(server.url, body, SIGNING_SECRET, content_type="application/json", headers=headers)
                        with lock:
                            ack_ms.append((time.perf_counter() - t0) * 1000)
                            deliveries += 1
                    return key

                run_senders(per_sender, send, tally, wait=wait)
                tally.wait(list(sent_at), 120 + len(sent_at) / 5)
                time.sleep(1.0)  # late duplicates would show up now
        else:
            with FakeSocketMode(slack) as socket_mode:
                handler = SocketModeHandler(app, app_token=socket_mode.app_token)
                handler.connect()
                socket_mode.wait_for_connections(1, timeout=10)

                def send(number: int, index: int, twice: bool) -> str:
                    nonlocal deliveries
                    event, key = _slack_event(number, index)
                    event_id = f"EvL{index:06d}"
                    with lock:
                        sent_at[key] = time.perf_counter()
                    for _ in range(2 if twice else 1):
                        t0 = time.perf_counter()
                        envelope = socket_mode.deliver_event(event, event_id=event_id)
                        socket_mode.wait_for_ack(envelope, timeout=30)
                        with lock:
                            ack_ms.append((time.perf_counter() - t0) * 1000)
                            deliveries += 1
                    return key

                try:
                    run_senders(per_sender, send, tally, wait=wait)
                    tally.wait(list(sent_at), 120 + len(sent_at) / 5)
                    time.sleep(1.0)
                finally:
                    handler.close()
        wall = time.perf_counter() - started
    return Result(mode, len(sent_at), deliveries, sent_at, ack_ms, tally, wall)


# ---------------------------------------------------------------------------- Telegram


class CountingTelegram(FakeTelegramAPI):
    """The strict fake Bot API (flood limits on), tallying replies by the message they answer."""

    def __init__(self, tally: Tally) -> None:
        super().__init__()
        self.tally = tally

    def handle(self, request: RawRequest) -> RawResponse:
        response = super().handle(request)
        if response.status == 429:
            with self.tally.lock:
                self.tally.too_many_requests += 1
        elif request.path.endswith("/sendMessage") and response.status == 200:
            params: dict[str, Any] = (
                json.loads(request.body) if request.media_type == "application/json" else parse_form(request.body)
            )
            reply = params.get("reply_parameters")
            if isinstance(reply, str):
                reply = json.loads(reply)
            if isinstance(reply, dict):
                self.tally.record(f"{params.get('chat_id')}:{reply.get('message_id')}", str(params.get("text") or ""))
        return response


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bench_telegram(
    settings: Settings, service: Service, per_sender: list[list[tuple[int, bool]]], *, wait: bool
) -> Result:
    tally = Tally()
    sent_at: dict[str, float] = {}
    ack_ms: list[float] = []
    deliveries = 0
    with CountingTelegram(tally) as tg:
        port = _free_port()
        tg_settings = settings.model_copy(
            update={
                "telegram_token": tg.token,
                "telegram_api_url": tg.base_url,
                "telegram_mode": "webhook",
                "telegram_webhook_url": "https://bot.ejemplo.es/telegram/hook",
                "telegram_webhook_secret": TG_SECRET,
                "telegram_webhook_listen": "127.0.0.1",
                "telegram_webhook_port": port,
            }
        )
        application = build_application(tg_settings, service)
        url = f"http://127.0.0.1:{port}/telegram/hook"
        updates = {
            index: tg.message_update(QUESTIONS[index % len(QUESTIONS)], user_id=20_000 + number)
            for number, questions in enumerate(per_sender)
            for index, _ in questions
        }

        lock = threading.Lock()

        def send(number: int, index: int, twice: bool) -> str:
            nonlocal deliveries
            update = updates[index]
            message = update["message"]
            key = f"{message['chat']['id']}:{message['message_id']}"
            with lock:
                sent_at[key] = time.perf_counter()
            for _ in range(2 if twice else 1):
                t0 = time.perf_counter()
                response = httpx.post(
                    url,
                    content=json.dumps(update).encode(),
                    headers={"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": TG_SECRET},
                    timeout=60,
                    trust_env=False,
                )
                response.raise_for_status()
                with lock:
                    ack_ms.append((time.perf_counter() - t0) * 1000)
                    deliveries += 1
                carry_out_webhook_reply(tg, response)  # the answer came in the reply: Telegram sends it
            return key

        async def run() -> float:
            ready, stop = asyncio.Event(), asyncio.Event()
            config = webhook_config(tg_settings)
            server = asyncio.create_task(serve_webhook(application, config, stop_signals=(), ready=ready, stop=stop))
            await asyncio.wait_for(ready.wait(), 120)
            started = time.perf_counter()
            # the senders are threads of their own, not tasks on the bot's event loop
            await asyncio.to_thread(run_senders, per_sender, send, tally, wait=wait)
            await asyncio.to_thread(tally.wait, list(sent_at), 180 + len(sent_at) / 5)
            await asyncio.sleep(1.0)
            wall = time.perf_counter() - started
            stop.set()
            await server
            return wall

        wall = asyncio.run(run())
    return Result("telegram-webhook", len(sent_at), deliveries, sent_at, ack_ms, tally, wall)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("-n", type=int, default=500, help="questions per transport (default 500)")
    parser.add_argument("--senders", type=int, default=50, help="people asking at once (default 50)")
    parser.add_argument("--duplicates", type=float, default=0.1, help="share delivered twice (default 0.1)")
    parser.add_argument(
        "--burst", action="store_true", help="each sender fires all its questions without waiting for replies"
    )
    parser.add_argument("--only", default=",".join(TRANSPORTS), help=f"comma-separated subset of {TRANSPORTS}")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    for name in ("bm25s", "adapters", "slack_bolt", "slack_sdk", "telegram", "httpx"):
        logging.getLogger(name).setLevel(logging.ERROR)
    transports = [t for t in args.only.split(",") if t]
    unknown = set(transports) - set(TRANSPORTS)
    if unknown:
        parser.error(f"unknown transports: {sorted(unknown)}")
    per_sender = plan(args.n, args.senders, args.duplicates)

    lines = []
    for transport in transports:
        with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
            settings, service = indexed_service(Path(tmp))
            if transport == "telegram-webhook":
                lines.append(bench_telegram(settings, service, per_sender, wait=not args.burst).line())
            else:
                lines.append(bench_slack(settings, service, transport, per_sender, wait=not args.burst).line())
            print(lines[-1], file=sys.stderr)
    print(
        f"Carga: {args.n} preguntas de {args.senders} personas a la vez por transporte, "
        f"{args.duplicates:.0%} entregadas dos veces, "
        f"{'todas de golpe' if args.burst else 'cada persona espera su respuesta antes de la siguiente'}; "
        f"fakes con los límites de ritmo reales "
        f"({os.cpu_count()} CPU, Python {sys.version.split()[0]})"
    )
    for line in lines:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
