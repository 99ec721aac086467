"""Retrieval and answer metrics, on plain data so they can be checked by hand.

A retrieved item is a ``(source_id, locator, network)`` triple, and each rank of a ranking
holds one or more items (a baseline chunk of 1,000 characters can span several articles); an
expected source is a :class:`~evals.dataset.SourceSpec` (any one of a case's specs counts for
hit@k and MRR).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence

from bot import Verdict
from evals.dataset import Case, SourceSpec

Item = tuple[str, str, str | None]
Entry = Sequence[Item]


def _matches(spec: SourceSpec, entry: Entry) -> bool:
    return any(spec.matches(*item) for item in entry)


def first_hit(retrieved: Sequence[Entry], expected: Sequence[SourceSpec], k: int) -> int | None:
    """1-based rank of the first retrieved item that matches any expected source, within ``k``."""
    for rank, entry in enumerate(retrieved[:k], 1):
        if any(_matches(spec, entry) for spec in expected):
            return rank
    return None


def hit_at(retrieved: Sequence[Entry], expected: Sequence[SourceSpec], k: int) -> float:
    return 1.0 if first_hit(retrieved, expected, k) is not None else 0.0


def mrr_at(retrieved: Sequence[Entry], expected: Sequence[SourceSpec], k: int = 10) -> float:
    rank = first_hit(retrieved, expected, k)
    return 1.0 / rank if rank else 0.0


def ndcg_at(retrieved: Sequence[Entry], expected: Sequence[SourceSpec], k: int = 10) -> float:
    """nDCG@k with graded relevance: each expected source earns its ``grade`` once, at the first
    rank where it is matched; retrieved items matching nothing (missing relevance) earn 0."""
    if not expected:
        return 0.0
    credited: set[int] = set()
    dcg = 0.0
    for rank, entry in enumerate(retrieved[:k], 1):
        open_matches = [i for i, spec in enumerate(expected) if i not in credited and _matches(spec, entry)]
        if open_matches:
            # An item matching several sources takes the best one; the others stay available.
            best = max(open_matches, key=lambda i: expected[i].grade)
            credited.add(best)
            dcg += (2 ** expected[best].grade - 1) / math.log2(rank + 1)
    ideal_grades = sorted((s.grade for s in expected), reverse=True)[:k]
    idcg = sum((2**g - 1) / math.log2(rank + 1) for rank, g in enumerate(ideal_grades, 1))
    return dcg / idcg if idcg else 0.0


def citations_valid(cited: Iterable[Item], retrieved: Iterable[Item]) -> bool:
    """Every citation points to something retrieved for the same question."""
    pool = set(retrieved)
    return all(item in pool for item in cited)


def verdict_ok(case: Case, verdict: Verdict) -> bool:
    return verdict in case.expect_verdict


def permissive(case: Case, verdict: Verdict) -> bool:
    """``permitido`` for a post the case says must not go out."""
    return verdict is Verdict.PERMITIDO and Verdict.PERMITIDO in case.forbidden


def over_restrictive(case: Case, verdict: Verdict) -> bool:
    """``no_permitido`` for a post the case says is fine (``permitido`` accepted, ``no_permitido`` not)."""
    if verdict is not Verdict.NO_PERMITIDO or Verdict.NO_PERMITIDO in case.expect_verdict:
        return False
    return Verdict.NO_PERMITIDO in case.forbidden or Verdict.PERMITIDO in case.expect_verdict


def dangerous(case: Case, verdict: Verdict) -> bool:
    """A permissive or an over-restrictive error: both harm (the second teaches people to ignore the bot)."""
    return permissive(case, verdict) or over_restrictive(case, verdict)


def rule_hit(case: Case, applied: Sequence[str]) -> bool | None:
    """Whether an expected rule is among the applied ones.

    ``None`` when the case names no rule, or asks for information or is out of scope (no rule
    applies to those; the answer cites rules as information).
    """
    expected = case.rules
    if not expected or case.expect_verdict[0] in (Verdict.INFORMATIVO, Verdict.SIN_BASE):
        return None
    return bool(expected & set(applied))


def law_hit(case: Case, retrieved: Sequence[Entry], k: int = 10) -> bool | None:
    """Whether an expected law article is among the first ``k`` retrieved (``None`` without one)."""
    laws = case.law_sources
    return None if not laws else first_hit(retrieved, laws, k) is not None


def abstention(cases: Sequence[Case], verdicts: Sequence[Verdict]) -> tuple[float | None, float | None]:
    """Precision and recall of ``sin_base`` against the cases that expect only ``sin_base``."""
    predicted = [v is Verdict.SIN_BASE for v in verdicts]
    actual = [c.out_of_scope for c in cases]
    true_pos = sum(p and a for p, a in zip(predicted, actual, strict=True))
    precision = true_pos / sum(predicted) if any(predicted) else None
    recall = true_pos / sum(actual) if any(actual) else None
    return precision, recall


_CITATION = re.compile(r"\[(\d+)\]")
_SENTENCE_END = re.compile(r"[.!?…][»”\")\]]*\s*$")


def summary_citations(summary: str) -> list[int]:
    """The citation numbers a summary shows, in order (``[1]``, ``[2]``…)."""
    return [int(n) for n in _CITATION.findall(summary)]


def ends_with_sentence(text: str) -> bool:
    """Whether ``text`` ends with a complete sentence (a full stop, ``?``, ``!`` or ``…``,
    possibly followed by closing quotes or brackets)."""
    return bool(_SENTENCE_END.search(text))
