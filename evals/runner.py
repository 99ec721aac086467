"""Runs datasets through one or more configurations of the real pipeline (``Service.ask``,
the code path the chat adapters use) and computes the metrics per configuration."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from bot import Answer, Service, Settings, Verdict
from bot.bench import percentile
from bot.models import Context
from evals import metrics
from evals.dataset import SPLITS, Case
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
    #: Guideline rules the answer applied (deciding first).
    rules: list[str] = field(default_factory=list)
    #: The answer's first layer (empty for the naive baseline).
    summary: str = ""
    #: Numbers of all the answer's citations (what the summary's numbers must point to).
    citation_numbers: list[int] = field(default_factory=list)

    @property
    def verdict_ok(self) -> bool | None:
        return None if self.verdict is None else metrics.verdict_ok(self.case, self.verdict)

    @property
    def dangerous(self) -> bool:
        return self.verdict is not None and metrics.dangerous(self.case, self.verdict)

    @property
    def permissive(self) -> bool:
        return self.verdict is not None and metrics.permissive(self.case, self.verdict)

    @property
    def over_restrictive(self) -> bool:
        return self.verdict is not None and metrics.over_restrictive(self.case, self.verdict)

    @property
    def rule_hit(self) -> bool | None:
        return None if self.verdict is None else metrics.rule_hit(self.case, self.rules)

    @property
    def law_hit(self) -> bool | None:
        return None if self.verdict is None else metrics.law_hit(self.case, self.retrieved)

    @property
    def hit5(self) -> bool:
        return bool(metrics.hit_at(self.retrieved, self.case.retrieval_specs, 5))

    @property
    def failed(self) -> bool:
        """Worth a line in the report's table of failures."""
        retrieval_miss = bool(self.case.retrieval_specs) and not self.hit5
        return (
            self.error is not None
            or self.verdict_ok is False
            or self.dangerous
            or retrieval_miss
            or self.rule_hit is False
            or self.law_hit is False
        )


@dataclass
class ConfigResult:
    """The results of every case under one configuration (``hybrid``, ``bm25``...)."""

    name: str
    description: str
    results: list[CaseResult]
    setup_seconds: float = 0.0

    def summary(self, split: str | None = None) -> dict[str, Any]:
        """The metrics over the cases of ``split`` (``dev``, ``test``) or over all of them."""
        every = [r for r in self.results if split is None or r.case.split == split]
        # Turns of multi-turn cases have their own figures (conversation_*), apart from the rest.
        results = [r for r in every if r.case.conversation is None]
        graded = [r for r in results if r.case.retrieval_specs and r.error is None]
        answered = [r for r in results if r.verdict is not None]
        latencies = [r.latency_ms for r in results if r.error is None]

        def mean(values: Iterable[float]) -> float | None:
            values = list(values)
            return round(sum(values) / len(values), 4) if values else None

        precision, recall = metrics.abstention([r.case for r in answered], [r.verdict for r in answered])  # type: ignore[misc]
        out_of_scope = [r for r in answered if r.case.out_of_scope]
        rule_hits = [r.rule_hit for r in answered if r.rule_hit is not None]
        law_hits = [r.law_hit for r in answered if r.law_hit is not None]
        summaries = [r for r in answered if r.summary]
        lengths = [len(r.summary) for r in summaries]
        cited = [metrics.summary_citations(r.summary) for r in summaries]
        return {
            "config": self.name,
            "description": self.description,
            "split": split or "todos",
            "cases": len(results),
            "errors": sum(r.error is not None for r in results),
            "hit@1": mean(metrics.hit_at(r.retrieved, r.case.retrieval_specs, 1) for r in graded),
            "hit@5": mean(metrics.hit_at(r.retrieved, r.case.retrieval_specs, 5) for r in graded),
            "mrr@10": mean(metrics.mrr_at(r.retrieved, r.case.retrieval_specs, 10) for r in graded),
            "ndcg@10": mean(metrics.ndcg_at(r.retrieved, r.case.retrieval_specs, 10) for r in graded),
            "citation_validity": mean(float(metrics.citations_valid(r.cited, _flat(r.retrieved))) for r in answered),
            "verdict_accuracy": mean(float(bool(r.verdict_ok)) for r in answered),
            "dangerous_errors": sum(r.dangerous for r in answered),
            "permissive_errors": sum(r.permissive for r in answered),
            "over_restrictive_errors": sum(r.over_restrictive for r in answered),
            "rule_hit": mean(float(h) for h in rule_hits),
            "rule_hit_cases": len(rule_hits),
            "law_source_hit": mean(float(h) for h in law_hits),
            "law_source_cases": len(law_hits),
            "abstention_precision": None if precision is None else round(precision, 4),
            "abstention_recall": None if recall is None else round(recall, 4),
            "out_of_scope_answered": sum(r.verdict is not Verdict.SIN_BASE for r in out_of_scope),
            "confusion": _confusion(answered),
            "summary_chars_p50": round(percentile(lengths, 50)) if lengths else None,
            "summary_chars_p95": round(percentile(lengths, 95)) if lengths else None,
            "summary_max_citations": max((len(set(c)) for c in cited), default=None),
            "summary_unresolved_citations": sum(
                len(set(c) - set(r.citation_numbers)) for c, r in zip(cited, summaries, strict=True)
            ),
            "summary_unfinished": sum(not metrics.ends_with_sentence(r.summary) for r in summaries),
            "latency_p50_ms": round(percentile(latencies, 50), 1) if latencies else None,
            "latency_p95_ms": round(percentile(latencies, 95), 1) if latencies else None,
            "setup_seconds": round(self.setup_seconds, 1),
            **_conversation_summary([r for r in every if r.case.conversation is not None]),
        }

    @property
    def splits(self) -> list[str]:
        return [s for s in SPLITS if any(r.case.split == s for r in self.results)]


def _conversation_summary(turns: list[CaseResult]) -> dict[str, Any]:
    """Multi-turn cases: every turn, the follow-ups alone, and whole conversations right."""
    answered = [r for r in turns if r.verdict is not None]
    follow_ups = [r for r in answered if r.case.turn > 1]
    conversations: dict[str, list[CaseResult]] = {}
    for r in turns:
        conversations.setdefault(r.case.conversation or "", []).append(r)

    def accuracy(items: list[CaseResult]) -> float | None:
        return round(sum(bool(r.verdict_ok) for r in items) / len(items), 4) if items else None

    return {
        "conversations": len(conversations),
        "conversation_turns": len(turns),
        "conversation_verdict_accuracy": accuracy(answered),
        "conversation_follow_up_accuracy": accuracy(follow_ups),
        "conversation_all_turns_right": (
            round(sum(all(r.verdict_ok for r in c) for c in conversations.values()) / len(conversations), 4)
            if conversations
            else None
        ),
        "conversation_dangerous_errors": sum(r.dangerous for r in answered),
    }


def _confusion(results: list[CaseResult]) -> dict[str, dict[str, int]]:
    """Expected verdict (the case's first) → verdict given → count."""
    matrix: dict[str, dict[str, int]] = {}
    for r in results:
        row = matrix.setdefault(r.case.expect_verdict[0].value, {})
        key = r.verdict.value if r.verdict else "error"
        row[key] = row.get(key, 0) + 1
    return matrix


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
        rules=list(answer.rules),
        summary=answer.summary,
        citation_numbers=[c.n for c in answer.citations],
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
    contexts: dict[str, Context] = {}  # a conversation's turns come in order
    for case in progress(cases, name):
        t0 = time.perf_counter()
        context = contexts.get(case.conversation) if case.conversation and case.turn > 1 else None
        try:
            answer = service.ask(case.question, case.draft, context=context)
        except Exception as exc:  # per-case boundary: recorded as a failed case; the run goes on
            results.append(CaseResult(case, None, [], [], 0.0, error=f"{type(exc).__name__}: {exc}"))
            continue
        if case.conversation:
            contexts[case.conversation] = answer.context
        results.append(from_answer(case, answer, (time.perf_counter() - t0) * 1000))
    return ConfigResult(name, CONFIGS[name], results, setup)
