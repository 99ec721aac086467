"""Runs datasets through one or more configurations of the real pipeline (``Service.ask``,
the code path the chat adapters use) and computes the metrics per configuration."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from bot.bench import percentile
from bot.models import Answer, Verdict
from bot.service import Service
from bot.settings import Settings
from evals import metrics
from evals.dataset import Case
from evals.metrics import Item

#: name → description; ``hybrid`` is the product's default.
CONFIGS = {
    "hybrid": "Híbrido (por defecto): BM25 en español + denso, glosario y puente regla → artículo",
    "bm25": "Solo BM25 en español (glosario y puente incluidos)",
    "dense": "Solo denso (MiniLM; glosario y puente incluidos)",
    "naive": "RAG ingenuo de tutorial LangChain: 1000/200, MiniLM en Chroma, top-4",
}
DEFAULT_CONFIG = "hybrid"


@dataclass
class CaseResult:
    """What one configuration did with one case."""

    case: Case
    verdict: Verdict | None
    retrieved: list[list[Item]]
    cited: list[Item]
    latency_ms: float
    answer: str = ""
    citations: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None

    @property
    def verdict_ok(self) -> bool | None:
        return None if self.verdict is None else metrics.verdict_ok(self.case, self.verdict)

    @property
    def dangerous(self) -> bool:
        return self.verdict is not None and metrics.dangerous(self.case, self.verdict)

    @property
    def hit5(self) -> bool:
        return bool(metrics.hit_at(self.retrieved, self.case.expect_sources, 5))

    @property
    def failed(self) -> bool:
        """Worth a line in the report's table of failures."""
        retrieval_miss = bool(self.case.expect_sources) and not self.hit5
        return self.error is not None or self.verdict_ok is False or self.dangerous or retrieval_miss


@dataclass
class ConfigResult:
    name: str
    description: str
    results: list[CaseResult]
    setup_seconds: float = 0.0

    def summary(self) -> dict[str, Any]:
        graded = [r for r in self.results if r.case.expect_sources and r.error is None]
        answered = [r for r in self.results if r.verdict is not None]
        latencies = [r.latency_ms for r in self.results if r.error is None]

        def mean(values: Iterable[float]) -> float | None:
            values = list(values)
            return round(sum(values) / len(values), 4) if values else None

        precision, recall = metrics.abstention([r.case for r in answered], [r.verdict for r in answered])  # type: ignore[misc]
        out_of_scope = [r for r in answered if r.case.out_of_scope]
        return {
            "config": self.name,
            "description": self.description,
            "cases": len(self.results),
            "errors": sum(r.error is not None for r in self.results),
            "hit@1": mean(metrics.hit_at(r.retrieved, r.case.expect_sources, 1) for r in graded),
            "hit@5": mean(metrics.hit_at(r.retrieved, r.case.expect_sources, 5) for r in graded),
            "mrr@10": mean(metrics.mrr_at(r.retrieved, r.case.expect_sources, 10) for r in graded),
            "ndcg@10": mean(metrics.ndcg_at(r.retrieved, r.case.expect_sources, 10) for r in graded),
            "citation_validity": mean(float(metrics.citations_valid(r.cited, _flat(r.retrieved))) for r in answered),
            "verdict_accuracy": mean(float(bool(r.verdict_ok)) for r in answered),
            "dangerous_errors": sum(r.dangerous for r in answered),
            "abstention_precision": None if precision is None else round(precision, 4),
            "abstention_recall": None if recall is None else round(recall, 4),
            "out_of_scope_answered": sum(r.verdict is not Verdict.SIN_BASE for r in out_of_scope),
            "latency_p50_ms": round(percentile(latencies, 50), 1) if latencies else None,
            "latency_p95_ms": round(percentile(latencies, 95), 1) if latencies else None,
            "setup_seconds": round(self.setup_seconds, 1),
        }


def _flat(entries: list[list[Item]]) -> list[Item]:
    return [item for entry in entries for item in entry]


def _item(source_id: str, locator: str, network: str | None) -> Item:
    return (source_id, locator, network)


def from_answer(case: Case, answer: Answer, latency_ms: float) -> CaseResult:
    return CaseResult(
        case=case,
        verdict=answer.verdict,
        retrieved=[[_item(r.source_id, r.locator, r.network)] for r in answer.retrieved],
        cited=[_item(c.source_id, c.locator, c.network) for c in answer.citations],
        latency_ms=latency_ms,
        answer=answer.answer,
        citations=[c.brief() for c in answer.citations],
    )


def run_config(
    name: str,
    cases: list[Case],
    settings: Settings,
    *,
    progress: Callable[[Iterable[Case], str], Iterable[Case]] = lambda cases, label: cases,
) -> ConfigResult:
    """Every case through one configuration. A failing case is recorded, never fatal."""
    started = time.perf_counter()
    if name == "naive":
        from evals.baseline import NaiveRAG

        naive = NaiveRAG(settings)
        setup = time.perf_counter() - started
        results = []
        for case in progress(cases, name):
            t0 = time.perf_counter()
            entries = naive.search(" ".join(filter(None, [case.question, case.draft])))
            results.append(CaseResult(case, None, entries, [], (time.perf_counter() - t0) * 1000))
        return ConfigResult(name, CONFIGS[name], results, setup)
    if name not in CONFIGS:
        raise ValueError(f"configuración desconocida {name!r}; válidas: {', '.join(CONFIGS)}")
    service = Service(settings, mode=name, auto_index=True)  # type: ignore[arg-type]
    service.warm_up()
    setup = time.perf_counter() - started
    results = []
    for case in progress(cases, name):
        t0 = time.perf_counter()
        try:
            answer = service.ask(case.question, case.draft)
        except Exception as exc:  # recorded as a failed case; the run goes on
            results.append(CaseResult(case, None, [], [], 0.0, error=f"{type(exc).__name__}: {exc}"))
            continue
        results.append(from_answer(case, answer, (time.perf_counter() - t0) * 1000))
    return ConfigResult(name, CONFIGS[name], results, setup)
