"""How the second opinion (:mod:`bot.doubt`) would have done on questions it had never seen.

``evals/primeras_respuestas.jsonl`` keeps, for each dev case of the independent batches, the
verdict the rules alone gave it the first time it was run, before anyone tuned on it, and the
rules that applied. For each batch, a model trained on every other dev file (never on the batch,
never on ``test/``) reconsiders those first verdicts with :func:`bot.doubt.reconsider`; the table
compares accuracy and dangerous errors before and after. This is how the thresholds were chosen.

What the file cannot say is simulated on the generous side: a caution is never
:attr:`~bot.decision.Decision.firm` and no detector backed any rule. So the «con cautelas → sí»
step is an upper bound; the real one is measured by running the batch (``python -m evals run``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.decision import AppliedRule, Decision, RuleSpec
from bot.doubt import DoubtModel, Estimates, LabelledCase, case_text, read_cases, reconsider
from bot.models import Verdict
from bot.signals import SignalHit
from evals.dataset import CASES_DIR, Case, DatasetError, load_cases
from evals.metrics import over_restrictive, permissive

FIRST_ANSWERS = Path(__file__).parent / "primeras_respuestas.jsonl"
_PUBLICATION = (Verdict.PERMITIDO, Verdict.CON_CAUTELAS, Verdict.NO_PERMITIDO)
#: A batch is the files written together: «independientes26-borradores» → «independientes26».
_BATCH = re.compile(r"^(independientes\d*|examen-ebep-dev\d*)")


@dataclass(frozen=True)
class FirstAnswer:
    """What the rules alone answered to a case the first time it was run."""

    id: str
    verdict: Verdict
    rules: tuple[str, ...]


@dataclass(frozen=True)
class Tally:
    """Verdict accuracy and dangerous errors of one set of answers."""

    cases: int = 0
    right: int = 0
    permissive: int = 0
    restrictive: int = 0

    def add(self, case: Case, verdict: Verdict) -> Tally:
        return Tally(
            self.cases + 1,
            self.right + (verdict in case.expect_verdict),
            self.permissive + permissive(case, verdict),
            self.restrictive + over_restrictive(case, verdict),
        )

    def line(self) -> str:
        accuracy = self.right / self.cases if self.cases else 0.0
        dangerous = self.permissive + self.restrictive
        return f"{accuracy:.3f} · peligrosos {dangerous} ({self.permissive}/{self.restrictive})"


def batch_of(dataset: str) -> str:
    """The batch a dataset file belongs to."""
    match = _BATCH.match(dataset)
    return match.group(1) if match else dataset


def read_first_answers(path: Path = FIRST_ANSWERS) -> dict[str, FirstAnswer]:
    """The first answers by case id; :class:`DatasetError` names a broken line."""
    answers: dict[str, FirstAnswer] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            answers[raw["id"]] = FirstAnswer(raw["id"], Verdict(raw["veredicto"]), tuple(raw["reglas"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise DatasetError(f"{path.name}:{number}: respuesta ilegible ({exc})") from None
    return answers


def add_first_answers(report: Path, path: Path = FIRST_ANSWERS) -> int:
    """Add to ``path`` the answers of ``report`` (a ``report.json`` of ``python -m evals run``
    made with the rules alone, ``BOT_DOUBT_CASES_DIR=``) for cases it does not have yet; returns
    how many were added. Run it on a new batch before tuning anything on it."""
    known = read_first_answers(path) if path.exists() else {}
    data = json.loads(report.read_text(encoding="utf-8"))
    date = str(data.get("created_at", ""))[:10]
    rows = []
    for config in data["cases"].values():
        for case in config:
            if case.get("verdict") and case["id"] not in known:
                known[case["id"]] = FirstAnswer(case["id"], Verdict(case["verdict"]), tuple(case["rules"]))
                rows.append({"id": case["id"], "veredicto": case["verdict"], "reglas": case["rules"], "fecha": date})
        break  # one configuration is enough: the verdict does not depend on retrieval settings
    with path.open("a", encoding="utf-8") as out:
        out.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    return len(rows)


def _decision(answer: FirstAnswer) -> Decision:
    """The first answer as a decision: its rules applied, each on a found signal."""
    hit = SignalHit("senal", "texto", 0, 5, "pregunta")
    applied = tuple(
        AppliedRule(RuleSpec(rule, rule, answer.verdict, (("senal",),)), answer.verdict, (hit,))
        for rule in answer.rules
    )
    return Decision(answer.verdict, applied)


class _Remembering(DoubtModel):
    """A model that estimates each text once (the grid asks for the same texts many times)."""

    def __init__(self, model: DoubtModel) -> None:
        self.__dict__.update(model.__dict__)
        self._seen: dict[str, Estimates] = {}

    def estimates(self, text: str) -> Estimates:
        if text not in self._seen:
            self._seen[text] = super().estimates(text)
        return self._seen[text]


@dataclass(frozen=True)
class Outcome:
    """One batch: the first answers and the same after the second opinion."""

    batch: str
    before: Tally
    after: Tally


def cross_validate(
    high: float,
    low: float,
    sure: float,
    cases_dir: Path = CASES_DIR,
    answers: dict[str, FirstAnswer] | None = None,
    grid: Iterable[tuple[float, float, float]] = (),
    exclude: Iterable[str] = (),
) -> tuple[list[Outcome], dict[tuple[float, float, float], Tally]]:
    """Each batch with first answers, reconsidered by a model trained without it. ``grid`` adds
    the totals for other thresholds (``high``, ``low``, ``sure``) from the same models. The
    batches in ``exclude`` are left out entirely, neither judged nor learned from (to choose
    thresholds without a batch that will measure them)."""
    answers = answers if answers is not None else read_first_answers()
    skipped = set(exclude)
    files = sorted(p for p in cases_dir.glob("*.jsonl") if batch_of(p.stem) not in skipped)
    by_batch: dict[str, list[Path]] = {}
    for path in files:
        by_batch.setdefault(batch_of(path.stem), []).append(path)
    learned: dict[Path, list[LabelledCase]] = {path: read_cases(path)[0] for path in files}
    grid = list(grid)
    outcomes: list[Outcome] = []
    totals: dict[tuple[float, float, float], Tally] = {g: Tally() for g in grid}
    for batch, paths in sorted(by_batch.items()):
        judged = [
            (case, answers[case.id])
            for case in load_cases(paths)
            if case.id in answers and answers[case.id].verdict in _PUBLICATION and case.conversation is None
        ]
        if not judged:
            continue
        model = _Remembering(DoubtModel.train([c for path in files if path not in paths for c in learned[path]]))
        before, after = Tally(), Tally()
        for case, answer in judged:
            text = case_text(case.question, case.draft)
            before = before.add(case, answer.verdict)
            after = after.add(case, reconsider(_decision(answer), model, text, high=high, low=low, sure=sure).verdict)
            for g in grid:
                totals[g] = totals[g].add(
                    case, reconsider(_decision(answer), model, text, high=g[0], low=g[1], sure=g[2]).verdict
                )
        outcomes.append(Outcome(batch, before, after))
    return outcomes, totals


def total(outcomes: Sequence[Outcome], after: bool) -> Tally:
    out = Tally()
    for o in outcomes:
        t = o.after if after else o.before
        out = Tally(
            out.cases + t.cases, out.right + t.right, out.permissive + t.permissive, out.restrictive + t.restrictive
        )
    return out
