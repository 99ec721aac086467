"""Benchmark of the Slack adapter: acknowledgement latency and time to the posted answer.

Everything is real except Slack: the fake Web API (``fakes/``) on 127.0.0.1, the Bolt
app from :func:`adapters.slack.create_app` in HTTP mode behind
:class:`adapters.slack.SlackHTTPServer` on an ephemeral port, and the real
:class:`bot.service.Service` over an index of the fixture knowledge built in a temporary
directory. Each question is a signed Events API ``message.im`` event from a different DM
channel, so its answer's ``chat.postMessage`` can be told apart.

Two figures per run:

* **ack**: the HTTP response time of the event POST (what Slack's 3-second rule is about);
* **answer**: from sending the event until the fake Web API received the answer's
  ``chat.postMessage`` (the ⏳ reaction is added and removed around it).

Two modes:

* ``sequential``: one question at a time, waiting for each answer (a lone user);
* ``burst``: all N posted at once from ``--concurrency`` client threads (a busy moment:
  the acknowledgements must stay fast while the answers queue for the core).

Run from the repository root::

    .venv/bin/python benchmarks/bench_slack.py                  # N=50, both modes
    .venv/bin/python -m benchmarks.bench_slack -n 200 --mode burst --concurrency 16
"""

# ruff: noqa: E402 (the repository root is put on sys.path before importing the project)

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from slack_sdk import WebClient

from adapters.slack import SlackHTTPServer, create_app
from adapters.slack.app import ANSWER_THREADS
from benchmarks.common import QUESTIONS as COMMON_QUESTIONS
from benchmarks.common import AnswerClock, TimingService, indexed_service, percentile
from bot import FeedbackStore, Service, Settings
from fakes._base import RawRequest, RawResponse
from fakes.slack_api import FakeSlackAPI, event_body, signed_post

TOKEN = "xoxb-bench"
SIGNING_SECRET = "bench-signing-secret"
QUESTIONS = [*COMMON_QUESTIONS, "&gt; Hoy he atendido a Juan, DNI 12345678Z, en la oficina. ¡Qué buen día!"]


class TimedFakeSlackAPI(FakeSlackAPI):
    """The fake Web API, noting when each channel's first ``chat.postMessage`` arrived."""

    def __init__(self) -> None:
        super().__init__(valid_token=TOKEN)
        self.clock = AnswerClock()

    def handle(self, request: RawRequest) -> RawResponse:
        response = super().handle(request)
        if request.path == "/api/chat.postMessage" and response.status == 200:
            self.clock.record(request, "channel")
        return response

    def wait_answers(self, keys: list[str], timeout: float) -> None:
        self.clock.wait(keys, timeout)


def _dm_event(index: int, channel: str) -> str:
    ts = f"1700000000.{index:06d}"
    event = {
        "type": "message",
        "channel_type": "im",
        "channel": channel,
        "user": f"U{index:06d}",
        "text": QUESTIONS[index % len(QUESTIONS)],
        "ts": ts,
        "event_ts": ts,
    }
    return event_body(event)


def run_mode(
    slack: TimedFakeSlackAPI, url: str, timing: TimingService, mode: str, n: int, first: int, concurrency: int
) -> str:
    timing.core_ms.clear()
    channels = [f"DB{first + i:06d}" for i in range(n)]
    bodies = [_dm_event(first + i, channel) for i, channel in enumerate(channels)]
    sent: dict[str, float] = {}
    acks: dict[str, float] = {}
    statuses: dict[str, int] = {}

    def send(i: int) -> None:
        channel = channels[i]
        sent[channel] = time.perf_counter()
        response = signed_post(url, bodies[i], SIGNING_SECRET, content_type="application/json", timeout=10)
        acks[channel] = (time.perf_counter() - sent[channel]) * 1000
        statuses[channel] = response.status_code

    started = time.perf_counter()
    if mode == "sequential":
        for i, channel in enumerate(channels):
            send(i)
            slack.wait_answers([channel], 30.0)
    else:
        with ThreadPoolExecutor(concurrency) as pool:
            list(pool.map(send, range(n)))
        slack.wait_answers(channels, 30.0 + n)
    wall = time.perf_counter() - started
    bad = sum(1 for s in statuses.values() if s != 200)
    ack = [acks[c] for c in channels]
    answer = [(slack.clock.answered_at[c] - sent[c]) * 1000 for c in channels]
    core = list(timing.core_ms)
    label = mode if mode == "sequential" else f"burst×{concurrency}"
    return (
        f"{label:<11} n={n:<4} ack p50={percentile(ack, 50):6.1f} ms p99={percentile(ack, 99):6.1f} ms "
        f"max={max(ack):6.1f} ms | answer p50={percentile(answer, 50):7.1f} ms p95={percentile(answer, 95):7.1f} ms "
        f"max={max(answer):7.1f} ms | core p50={percentile(core, 50):5.1f} ms | {n / wall:5.1f} answers/s"
        + (f" | {bad} non-200 acks!" if bad else "")
    )


def bench(
    settings: Settings, service: Service, n: int, modes: list[str], concurrency: int, answer_threads: int
) -> list[str]:
    lines = []
    timing = TimingService(service)
    with TimedFakeSlackAPI() as slack:
        settings = settings.model_copy(
            update={"slack_mode": "http", "slack_signing_secret": SIGNING_SECRET, "slack_bot_token": TOKEN}
        )
        client = WebClient(token=TOKEN, base_url=slack.base_url, timeout=10)
        feedback = FeedbackStore(settings.data_dir / "feedback.sqlite3")
        executor = ThreadPoolExecutor(answer_threads, thread_name_prefix="slack-answer")
        app = create_app(settings, timing, feedback=feedback, client=client, executor=executor)
        with SlackHTTPServer(app, host="127.0.0.1", port=0) as server, executor:
            run_mode(slack, server.url, timing, "sequential", 3, 0, 1)  # open connections, warm caches
            for index, mode in enumerate(modes):
                lines.append(run_mode(slack, server.url, timing, mode, n, 1000 * (index + 1), concurrency))
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("-n", type=int, default=50, help="questions per mode (default 50)")
    parser.add_argument("--mode", choices=["sequential", "burst", "both"], default="both")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads in burst mode (default 8)")
    parser.add_argument(
        "--answer-threads", type=int, default=ANSWER_THREADS, help=f"the app's answer pool (default {ANSWER_THREADS})"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    for name in ("bm25s", "adapters.slack"):
        logging.getLogger(name).setLevel(logging.WARNING)

    with tempfile.TemporaryDirectory(prefix="bench-slack-") as tmp:
        settings, service = indexed_service(Path(tmp))

        modes = ["sequential", "burst"] if args.mode == "both" else [args.mode]
        lines = bench(settings, service, args.n, modes, args.concurrency, args.answer_threads)
    print(
        f"Slack adapter (HTTP mode), signed DM event → ack and → chat.postMessage recorded "
        f"({args.n} questions per mode, {args.answer_threads} answer threads, {os.cpu_count()} CPUs, "
        f"Python {sys.version.split()[0]})"
    )
    for line in lines:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
