"""What the adapter benchmarks share: the questions, the real service over the fixture
knowledge (indexed, warmed up and timed), and percentiles."""

from __future__ import annotations

import json
import shutil
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot import Answer, Context, Service, Settings, SourceInfo
from bot.bench import percentile
from bot.embeddings import clear_cache
from bot.index import Indexer
from fakes._base import RawRequest, parse_form

__all__ = ["QUESTIONS", "AnswerClock", "TimingService", "indexed_service", "percentile"]

ROOT = Path(__file__).resolve().parents[1]

#: Questions the benchmarks cycle through (each adapter adds one in its own form).
QUESTIONS = [
    "¿Puedo subir al insta una foto de los vecinos que atendí hoy?",
    "¿Puedo retuitear la campaña oficial de vacunación?",
    "¿Puedo criticar en mi Twitter personal una decisión del gobierno?",
    "¿Puedo contar en un hilo los detalles del expediente que llevo?",
    "¿Puedo compartir en LinkedIn la convocatoria de oposiciones?",
    "¿Puedo aceptar un regalo de una empresa a cambio de anunciarla?",
    "¿Puedo subir una captura del borrador de la resolución?",
    "¿Puedo publicar el teléfono de un usuario para que otros le ayuden?",
    "Can I post a photo of the citizens I helped today?",
]


def indexed_service(tmp: Path, **overrides: Any) -> tuple[Settings, Service]:
    """Settings under ``tmp`` with the fixture knowledge indexed, and a warmed-up service over it,
    as a bot started after the first index runs it (on the model's ONNX export)."""
    knowledge = tmp / "knowledge"
    shutil.copytree(ROOT / "tests" / "fixtures" / "knowledge", knowledge)
    settings = Settings(_env_file=None, data_dir=tmp / "data", knowledge_dir=knowledge, **overrides)  # type: ignore[call-arg]
    started = time.perf_counter()
    report = Indexer(settings).update()
    print(f"index: {report.chunks} chunks in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    clear_cache()
    service = Service(settings, auto_index=False)
    started = time.perf_counter()
    service.warm_up()  # as both bots do before taking messages
    print(f"warm-up: {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return settings, service


class TimingService:
    """The real service, keeping the core's own time for each answer."""

    def __init__(self, service: Service) -> None:
        self.service = service
        self.core_ms: list[float] = []

    def ask(
        self,
        question: str,
        draft: str | None = None,
        *,
        images: Sequence[bytes] = (),
        context: Context | None = None,
    ) -> Answer:
        answer = self.service.ask(question, draft, images=images, context=context)
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
