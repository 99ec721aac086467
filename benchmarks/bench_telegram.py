"""Benchmark of the Telegram adapter: time from an update pushed to the Bot API until the
answer's ``sendMessage`` reaches it.

Everything is real except Telegram: the fake Bot API (``fakes/``) on 127.0.0.1, the
``Application`` from :func:`adapters.telegram.build_application` in long-polling mode,
and the real :class:`bot.service.Service` over an index of the fixture knowledge built in
a temporary directory. Each question comes from a different user (a private chat each),
so the per-user limit does not interfere.

Two modes:

* ``sequential``: one question at a time (latency of a lone user);
* ``burst``: all N pushed at once (concurrency; Telegram's 30 messages/s flood limit,
  enforced by ``AIORateLimiter`` for answers and "typing" actions alike, shows here).

Run from the repository root::

    .venv/bin/python benchmarks/bench_telegram.py            # N=50, both modes
    .venv/bin/python -m benchmarks.bench_telegram -n 200 --mode burst
"""

# ruff: noqa: E402 (the repository root is put on sys.path before importing the project)

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from adapters.telegram import build_application
from benchmarks.common import QUESTIONS as COMMON_QUESTIONS
from benchmarks.common import AnswerClock, TimingService, indexed_service, percentile
from bot import FeedbackStore, Service, Settings
from fakes._base import RawRequest, RawResponse
from fakes.telegram_api import FakeTelegramAPI

QUESTIONS = [*COMMON_QUESTIONS, "¿Puc penjar una foto dels veïns?"]
FIRST_USER = 10_000


class TimedFakeTelegramAPI(FakeTelegramAPI):
    """The fake Bot API, noting when each chat's first successful ``sendMessage`` arrived."""

    def __init__(self) -> None:
        super().__init__()
        self.clock = AnswerClock()

    def start(self) -> TimedFakeTelegramAPI:
        super().start()
        # Stopping the poller drops its pending getUpdates; the fake's late reply to it would
        # print a BrokenPipeError traceback. Keep the benchmark's output clean.
        assert self._httpd is not None
        self._httpd.handle_error = lambda request, client_address: None  # type: ignore[method-assign]
        return self

    def handle(self, request: RawRequest) -> RawResponse:
        response = super().handle(request)
        if request.path.endswith("/sendMessage") and response.status == 200:
            self.clock.record(request, "chat_id")
        return response

    def wait_answers(self, keys: list[str], timeout: float) -> None:
        self.clock.wait(keys, timeout)


def summary(label: str, latencies_ms: list[float], core_ms: list[float], wall_s: float) -> str:
    return (
        f"{label:<10} n={len(latencies_ms):<4} "
        f"p50={percentile(latencies_ms, 50):7.1f} ms  p95={percentile(latencies_ms, 95):7.1f} ms  "
        f"max={max(latencies_ms):7.1f} ms  mean={statistics.fmean(latencies_ms):7.1f} ms  "
        f"| core p50={percentile(core_ms, 50):5.1f} ms p95={percentile(core_ms, 95):5.1f} ms  "
        f"| {len(latencies_ms) / wall_s:5.1f} answers/s"
    )


async def run_mode(tg: TimedFakeTelegramAPI, timing: TimingService, mode: str, n: int, first_user: int) -> str:
    timing.core_ms.clear()
    users = list(range(first_user, first_user + n))
    pushed: dict[int, float] = {}
    started = time.perf_counter()
    if mode == "sequential":
        for i, user in enumerate(users):
            update = tg.message_update(QUESTIONS[i % len(QUESTIONS)], user_id=user)
            pushed[user] = time.perf_counter()
            tg.push_update(update)
            await asyncio.to_thread(tg.wait_answers, [str(user)], 30.0)
    else:
        updates = [tg.message_update(QUESTIONS[i % len(QUESTIONS)], user_id=u) for i, u in enumerate(users)]
        for user, update in zip(users, updates, strict=True):
            pushed[user] = time.perf_counter()
            tg.push_update(update)
        await asyncio.to_thread(tg.wait_answers, [str(u) for u in users], 30.0 + n)
    wall = time.perf_counter() - started
    latencies = [(tg.clock.answered_at[str(u)] - pushed[u]) * 1000 for u in users]
    return summary(mode, latencies, list(timing.core_ms), wall)


async def bench(settings: Settings, service: Service, n: int, modes: list[str]) -> list[str]:
    lines = []
    timing = TimingService(service)
    with TimedFakeTelegramAPI() as tg:
        settings = settings.model_copy(update={"telegram_token": tg.token, "telegram_api_url": tg.base_url})
        feedback = FeedbackStore(settings.data_dir / "feedback.sqlite3")
        application = build_application(settings, timing, feedback=feedback)
        async with application:
            await application.start()
            assert application.updater is not None
            await application.updater.start_polling(poll_interval=0, timeout=1)
            try:
                # one question to open connections and pools (not measured)
                await run_mode(tg, timing, "sequential", 1, FIRST_USER - 1)
                for index, mode in enumerate(modes):
                    lines.append(await run_mode(tg, timing, mode, n, FIRST_USER + index * n))
            finally:
                await application.updater.stop()
                await application.stop()
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("-n", type=int, default=50, help="questions per mode (default 50)")
    parser.add_argument("--mode", choices=["sequential", "burst", "both"], default="both")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("bm25s").setLevel(logging.WARNING)

    with tempfile.TemporaryDirectory(prefix="bench-telegram-") as tmp:
        settings, service = indexed_service(Path(tmp), telegram_user_limit_per_minute=1_000_000)

        modes = ["sequential", "burst"] if args.mode == "both" else [args.mode]
        lines = asyncio.run(bench(settings, service, args.n, modes))
    print(
        f"Telegram adapter, update pushed → sendMessage recorded ({args.n} private questions per mode, "
        f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]})"
    )
    for line in lines:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
