"""What the adapter benchmarks share: the real service timed, and percentiles."""

from __future__ import annotations

from bot.bench import percentile
from bot.models import Answer
from bot.service import Service, SourceInfo

__all__ = ["TimingService", "percentile"]


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
