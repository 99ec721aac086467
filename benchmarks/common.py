"""What the adapter benchmarks share: the real service timed, and percentiles."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

from bot.bench import percentile
from bot.models import Answer
from bot.service import Service, SourceInfo
from tests.fakes._base import RawRequest, parse_form

__all__ = ["AnswerClock", "TimingService", "percentile"]


class TimingService:
    """The real service, keeping the core's own time for each answer."""

    def __init__(self, service: Service) -> None:
        self.service = service
        self.core_ms: list[float] = []

    def ask(self, question: str, draft: str | None = None) -> Answer:
        answer = self.service.ask(question, draft)
        self.core_ms.append(answer.timings_ms["total"])
        return answer

    def sources(self) -> list[SourceInfo]:
        return self.service.sources()


class AnswerClock:
    """When each conversation (channel, chat) got its first answer; thread-safe, waitable."""

    def __init__(self) -> None:
        self.answered_at: dict[str, float] = {}
        self._answered = threading.Condition()

    def record(self, request: RawRequest, key_field: str) -> None:
        """Note the answer carried by a fake API ``request`` (JSON or form body)."""
        now = time.perf_counter()
        params: dict[str, Any] = (
            json.loads(request.body) if request.media_type == "application/json" else parse_form(request.body)
        )
        with self._answered:
            self.answered_at.setdefault(str(params.get(key_field)), now)
            self._answered.notify_all()

    def wait(self, keys: list[str], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        with self._answered:
            while not all(k in self.answered_at for k in keys):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    missing = [k for k in keys if k not in self.answered_at]
                    raise TimeoutError(f"{len(missing)} questions unanswered after {timeout} s")
                self._answered.wait(remaining)
