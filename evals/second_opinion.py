"""How the second opinion (:mod:`bot.doubt`) would have done on questions it had never seen.

``evals/primeras_respuestas.jsonl`` keeps, for each dev case of the independent batches, the
verdict the rules alone gave it the first time it was run, before anyone tuned on it, and the
rules that applied. For each batch, a model trained on every other dev file (never on the batch,
never on ``test/``) reconsiders those first verdicts as :func:`bot.doubt.reconsider` does; the table
compares accuracy and dangerous errors before and after. This is how the thresholds were chosen.

What the file cannot say is simulated on the generous side: a caution is never
:attr:`~bot.decision.Decision.firm` and no detector backed any rule. So the «con cautelas → sí»
step is an upper bound; the real one is measured by running the batch (``python -m evals run``).
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from bot.arbiter import Arbiter, ArbiterError, Labels, Opinions
from bot.chunking import chunk_document
from bot.decision import AppliedRule, Decision, RuleSpec
from bot.documents import load_all
from bot.doubt import (
    MODEL_VERSION,
    PUBLICATION,
    DoubtModel,
    Estimates,
    Intent,
    LabelledCase,
    case_text,
    load_first_turns,
    message_signals,
    read_cases,
    reread,
    step,
)
from bot.doubt import load_cases as load_labelled
from bot.models import SourceType, Verdict
from bot.settings import load_settings
from bot.signals import SignalBook, SignalHit, load_signals
from evals.dataset import CASES_DIR, Case, DatasetError, load_cases
from evals.metrics import over_restrictive, permissive

FIRST_ANSWERS = Path(__file__).parent / "primeras_respuestas.jsonl"
#: Inverse regularisation of the arbiter's logistic regressions (twelve features, thousands of
#: answers: it hardly matters; session 65, cost 6: C=0.1 0.779 and 26 dangerous, C=1 0.782 and 30,
#: C=10 0.782 and 30, on 6775 first answers with a scratch script).
ARBITER_REGULARISATION = 1.0
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
        if not self.cases:
            return "—"
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
    """The first answer as a decision: its rules applied, each on a found signal. The rules are
    recorded strictest first, so only the first is known to give the verdict: it alone is firm
    when the guide marks it «Firme: sí»."""
    hit = SignalHit("senal", "texto", 0, 5, "pregunta")
    firm = firm_rules()
    applied = tuple(
        AppliedRule(
            RuleSpec(rule, rule, answer.verdict, (("senal",),), firm=i == 0 and rule in firm), answer.verdict, (hit,)
        )
        for i, rule in enumerate(answer.rules)
    )
    return Decision(answer.verdict, applied)


@cache
def signal_book(knowledge_dir: Path | None = None) -> SignalBook:
    """The signal book of ``knowledge_dir`` (by default the configured one), as the bot reads it."""
    settings = load_settings() if knowledge_dir is None else load_settings(knowledge_dir=knowledge_dir)
    return load_signals(settings.knowledge_dir)[0]


def learned_text(question: str, draft: str | None) -> str:
    """What the model of questions on their own reads of a case: its words and its signals."""
    return case_text(question, draft, message_signals(question, draft, signal_book()))


@cache
def firm_rules(knowledge_dir: Path | None = None) -> frozenset[str]:
    """The guideline rules marked «Firme: sí» in ``knowledge_dir`` (by default the configured one),
    read with the bot's own loader, whatever the guide's file format."""
    settings = load_settings() if knowledge_dir is None else load_settings(knowledge_dir=knowledge_dir)
    guides = [doc for doc in load_all(settings).documents if doc.tipo is SourceType.GUIA]
    return frozenset(chunk.locator for doc in guides for chunk in chunk_document(doc)[0] if chunk.firm)


@dataclass(frozen=True)
class Outcome:
    """One batch: the first answers and the same after the second opinion."""

    batch: str
    before: Tally
    after: Tally
    #: First answers «informativo» to a plain question that the second opinion would read as
    #: about a post of one's own (``BOT_DOUBT_VERDICT``): (the case expects a verdict, it does not).
    #: The verdict the rules would then give is not known here; ``python -m evals run`` measures it.
    to_verdict: tuple[int, int] = (0, 0)
    #: The same answers with the arbiter choosing the step instead of the thresholds, when measured.
    arbitrated: Tally | None = None


@dataclass(frozen=True)
class Thresholds:
    """The settings of the second opinion (``BOT_DOUBT_*``) being tried."""

    high: float
    low: float
    sure: float = 1.0
    query: float = 1.0
    scope: float = 0.0
    verdict: float = 0.0

    def __str__(self) -> str:
        return (
            f"alto {self.high} · bajo {self.low} · seguro {self.sure} · consulta {self.query} · "
            f"veredicto {self.verdict} · ámbito {self.scope}"
        )


def second_opinion(
    answer: FirstAnswer,
    case: Case,
    model: DoubtModel | None,
    t: Thresholds,
    estimates: Estimates | None = None,
    arbiter: Arbiter | None = None,
    cost: float = 0.0,
) -> Verdict:
    """The first answer after the second opinion, as :class:`bot.service.Service` applies it
    (``estimates``: the model's for the case, when already computed; then ``model`` may be
    ``None``), with ``arbiter`` choosing the step at ``cost``, or else the thresholds."""
    if estimates is not None:
        p = estimates
    elif model is not None:
        p = model.estimates(learned_text(case.question, case.draft))
    else:
        raise ValueError("hace falta el modelo o sus estimaciones")
    verdict = answer.verdict
    read = Intent(question_of_fact=verdict is Verdict.INFORMATIVO, in_scope=verdict is not Verdict.SIN_BASE)
    if reread(p, read, plain=not case.draft, query=t.query, scope=t.scope).moved == "consulta":
        return Verdict.INFORMATIVO
    if verdict not in PUBLICATION:
        return verdict
    return step(_decision(answer), p, high=t.high, low=t.low, sure=t.sure, arbiter=arbiter, cost=cost)


def read_as_post(answer: FirstAnswer, case: Case, estimates: Estimates, t: Thresholds) -> bool:
    """Whether a plain question the rules answered as information would be read as about a post."""
    if answer.verdict is not Verdict.INFORMATIVO or case.draft:
        return False
    intent = reread(estimates, Intent(True, True), plain=True, query=t.query, scope=t.scope, verdict=t.verdict)
    return intent.moved == "veredicto"


@dataclass(frozen=True)
class Judged:
    """One first answer and the estimates of a model that never saw its batch."""

    batch: str
    case: Case
    answer: FirstAnswer
    estimates: Estimates


def cross_validate(
    chosen: Thresholds,
    cases_dir: Path = CASES_DIR,
    answers: dict[str, FirstAnswer] | None = None,
    grid: Iterable[Thresholds] = (),
    exclude: Iterable[str] = (),
    conversations_dir: Path | None = None,
    judged_out: list[Judged] | None = None,
) -> tuple[list[Outcome], dict[Thresholds, Tally]]:
    """Each batch with first answers, reconsidered by a model trained without it (and, as the bot
    learns them, with the first turns of the conversations in ``conversations_dir``; ``None``:
    without them). ``grid`` adds the totals for other thresholds from the same models. The
    batches in ``exclude`` are left out entirely, neither judged nor learned from (to choose
    thresholds without a batch that will measure them). Each first answer judged, with its
    estimates, is added to ``judged_out`` when given (what :func:`cross_validate_arbiter` and
    :func:`learn_arbiter` learn from)."""
    answers = answers if answers is not None else read_first_answers()
    first_turns = load_first_turns(conversations_dir, signal_book())[0] if conversations_dir is not None else []
    skipped = set(exclude)
    files = sorted(p for p in cases_dir.glob("*.jsonl") if batch_of(p.stem) not in skipped)
    by_batch: dict[str, list[Path]] = {}
    for path in files:
        by_batch.setdefault(batch_of(path.stem), []).append(path)
    learned: dict[Path, list[LabelledCase]] = {path: read_cases(path, book=signal_book())[0] for path in files}
    grid = list(grid)
    outcomes: list[Outcome] = []
    totals: dict[Thresholds, Tally] = {g: Tally() for g in grid}
    for batch, paths in sorted(by_batch.items()):
        judged = [
            (case, answers[case.id]) for case in load_cases(paths) if case.id in answers and case.conversation is None
        ]
        if not judged:
            continue
        model = DoubtModel.train([c for path in files if path not in paths for c in learned[path]] + first_turns)
        before, after = Tally(), Tally()
        wanted = unwanted = 0
        for case, answer in judged:
            estimates = model.estimates(learned_text(case.question, case.draft))
            if judged_out is not None:
                judged_out.append(Judged(batch, case, answer, estimates))
            before = before.add(case, answer.verdict)
            after = after.add(case, second_opinion(answer, case, model, chosen, estimates))
            if read_as_post(answer, case, estimates, chosen):
                expects_verdict = bool(set(case.expect_verdict) & PUBLICATION)
                wanted, unwanted = wanted + expects_verdict, unwanted + (not expects_verdict)
            for g in grid:
                totals[g] = totals[g].add(case, second_opinion(answer, case, model, g, estimates))
        outcomes.append(Outcome(batch, before, after, (wanted, unwanted)))
    return outcomes, totals


@dataclass(frozen=True)
class Draw:
    """The second opinion retrained on dev less a random share of its cases, and how it fared."""

    #: The cases it learned from (of the dev cases; the conversations' first turns, all).
    learned: int
    #: The first answers of dev after this model's second opinion.
    tally: Tally
    #: How many of those verdicts differ from the model learned from all of dev.
    changed: int


def retraining_noise(
    chosen: Thresholds,
    cases_dir: Path = CASES_DIR,
    answers: Mapping[str, FirstAnswer] | None = None,
    *,
    draws: int = 3,
    dropped: float = 0.01,
    conversations_dir: Path | None = None,
    arbiter: Arbiter | None = None,
    cost: float = 0.0,
) -> tuple[Tally, list[Draw]]:
    """How much the dev figure of the second opinion moves when its model is retrained on
    nearly the same cases: the model learned from all of dev, and ``draws`` models each learned
    without a random ``dropped`` share of the cases (seeds 1, 2, …), judge the first answers of
    dev as :func:`cross_validate` does, but on cases they learned, as ``python -m evals run``
    does. A change in the dev figure smaller than this spread is not evidence of anything; how
    the second opinion does on unseen questions is :func:`cross_validate`'s to say."""
    if not 0 < dropped < 1:
        raise ValueError(f"la parte que se deja fuera tiene que estar entre 0 y 1, no {dropped}")
    answers = answers if answers is not None else read_first_answers()
    book = signal_book()
    learned = load_labelled(cases_dir, book)[0]
    first_turns = load_first_turns(conversations_dir, book)[0] if conversations_dir is not None else []
    files = sorted(cases_dir.glob("*.jsonl"))
    judged = [(c, answers[c.id]) for c in load_cases(files) if c.id in answers and c.conversation is None]

    def verdicts(model: DoubtModel) -> list[Verdict]:
        return [second_opinion(answer, case, model, chosen, arbiter=arbiter, cost=cost) for case, answer in judged]

    def tally(found: Sequence[Verdict]) -> Tally:
        out = Tally()
        for (case, _), verdict in zip(judged, found, strict=True):
            out = out.add(case, verdict)
        return out

    everything = verdicts(DoubtModel.train(learned + first_turns))
    out: list[Draw] = []
    for seed in range(1, draws + 1):
        draw = random.Random(seed)  # noqa: S311 (a reproducible sample, not a secret)
        kept = [c for c in learned if draw.random() >= dropped]
        found = verdicts(DoubtModel.train(kept + first_turns))
        out.append(Draw(len(kept), tally(found), sum(a != b for a, b in zip(found, everything, strict=True))))
    return tally(everything), out


def cross_validate_first_turns(
    chosen: Thresholds,
    conversations_dir: Path,
    answers: dict[str, FirstAnswer] | None = None,
    cases_dir: Path = CASES_DIR,
    learn_first_turns: bool = True,
    arbiter: Arbiter | None = None,
    cost: float = 0.0,
) -> list[Outcome]:
    """The first turn of each dev conversation with a first answer (``<id>.1``), reconsidered by a
    model trained on the cases and on the first turns of every other conversation file (or, with
    ``learn_first_turns`` false, on the cases alone, as before session 58). A first turn is a
    question on its own: this is how the second opinion does on questions that open a chat.
    With ``arbiter`` (learned from the cases' first answers, never from these turns), the
    outcomes also hold its choice at ``cost``."""
    answers = answers if answers is not None else read_first_answers()
    cases = load_labelled(cases_dir, signal_book())[0]
    files = sorted(conversations_dir.glob("*.jsonl"))
    learned = {path: read_cases(path, turns="first", book=signal_book())[0] for path in files}
    plain: DoubtModel | None = None
    outcomes: list[Outcome] = []
    for path in files:
        judged = [(turn, answers[turn.id]) for turn in load_cases([path]) if turn.turn == 1 and turn.id in answers]
        if not judged:
            continue
        if learn_first_turns:
            model = DoubtModel.train(cases + [c for other in files if other != path for c in learned[other]])
        else:
            plain = plain or DoubtModel.train(cases)
            model = plain
        before, after, arbitrated = Tally(), Tally(), Tally()
        for turn, answer in judged:
            estimates = model.estimates(learned_text(turn.question, turn.draft))
            before = before.add(turn, answer.verdict)
            after = after.add(turn, second_opinion(answer, turn, model, chosen, estimates))
            if arbiter is not None:
                arbitrated = arbitrated.add(turn, second_opinion(answer, turn, model, chosen, estimates, arbiter, cost))
        outcomes.append(Outcome(path.stem, before, after, arbitrated=arbitrated if arbiter is not None else None))
    return outcomes


def examples(judged: Iterable[Judged]) -> list[tuple[Opinions, Labels]]:
    """What the arbiter learns from: each first answer about a post, with the estimates of a model
    that never saw it, and how each verdict would have fared."""
    return [
        (
            Opinions(j.answer.verdict, j.estimates.risk, j.estimates.fine, j.estimates.prohibited),
            Labels(
                frozenset(v for v in j.case.expect_verdict if v in PUBLICATION),
                permissive(j.case, Verdict.PERMITIDO),
                over_restrictive(j.case, Verdict.NO_PERMITIDO),
            ),
        )
        for j in judged
        if j.answer.verdict in PUBLICATION
    ]


def learn_arbiter(judged: Sequence[Judged], regularisation: float = ARBITER_REGULARISATION) -> Arbiter:
    """The arbiter learned from every first answer in ``judged``."""
    batches = sorted({j.batch for j in judged})
    about = {"batches": len(batches), "model_version": MODEL_VERSION, "learned": date.today().isoformat()}
    return Arbiter.fit(examples(judged), regularisation=regularisation, about=about)


def cross_validate_arbiter(
    judged: Sequence[Judged],
    chosen: Thresholds,
    costs: Iterable[float],
    regularisation: float = ARBITER_REGULARISATION,
    *,
    follow_ups: bool = False,
) -> dict[float, list[Outcome]]:
    """For each cost, each batch's first answers as the rules gave them (``before``), after the
    thresholds ``chosen`` (``after``) and after an arbiter learned from the other batches'
    (``arbitrated``).
    The estimates of those other batches came from models that saw this batch's cases (one
    model per batch is all the cross-validation trains); the arbiter never saw its answers.
    With ``follow_ups`` the answers are follow-ups (a batch is a conversation file): the step
    alone is weighed, as the service does, never a new reading of the intent."""
    weigh = _stepped if follow_ups else _weighed
    costs = list(costs)
    by_batch: dict[str, list[Judged]] = {}
    for j in judged:
        by_batch.setdefault(j.batch, []).append(j)
    out: dict[float, list[Outcome]] = {c: [] for c in costs}
    for batch, rows in sorted(by_batch.items()):
        try:
            arbiter = Arbiter.fit(examples(j for j in judged if j.batch != batch), regularisation=regularisation)
        except ArbiterError:
            continue
        rules, thresholds = Tally(), Tally()
        for j in rows:
            rules = rules.add(j.case, j.answer.verdict)
            thresholds = thresholds.add(j.case, weigh(j, chosen))
        for c in costs:
            after = Tally()
            for j in rows:
                after = after.add(j.case, weigh(j, chosen, arbiter, c))
            out[c].append(Outcome(batch, rules, thresholds, arbitrated=after))
    return out


def _weighed(j: Judged, t: Thresholds, arbiter: Arbiter | None = None, cost: float = 0.0) -> Verdict:
    return second_opinion(j.answer, j.case, None, t, j.estimates, arbiter, cost)


def _stepped(
    j: Judged, t: Thresholds, arbiter: Arbiter | None = None, cost: float = 0.0, *, risk_only: bool = False
) -> Verdict:
    """The verdict only (:func:`bot.doubt.step`) of a first answer about a post, on its estimates: the
    explanation :func:`bot.doubt.reconsider` would also build is never shown here."""
    if j.answer.verdict not in PUBLICATION:
        return j.answer.verdict
    return step(
        _decision(j.answer),
        j.estimates,
        high=t.high,
        low=t.low,
        sure=t.sure,
        risk_only=risk_only,
        arbiter=arbiter,
        cost=cost,
    )


@dataclass(frozen=True)
class FollowUpOutcome:
    """The follow-ups of one conversation file: as the rules first answered them, after the hedge
    of the cases' model (the only step before session 64), and after every step of a model
    learned from the other files' follow-ups."""

    batch: str
    rules: Tally
    hedge: Tally
    learned: Tally


def cross_validate_follow_ups(
    chosen: Thresholds,
    conversations_dir: Path,
    answers: dict[str, FirstAnswer] | None = None,
    cases_dir: Path = CASES_DIR,
    judged_out: list[Judged] | None = None,
) -> list[FollowUpOutcome]:
    """The later turns of each dev conversation with a first answer, each read on its own words
    and the draft still discussed, as :class:`bot.service.Service` reads a follow-up. The
    follow-ups' model is trained on the follow-ups of every other file; the hedge's model is the
    bot's other one, trained once on the cases and on every file's first turns (it saw the
    file's first turn, never its follow-ups). Each follow-up judged, with the follow-ups' model's
    estimates (its file is the batch), is added to ``judged_out`` when given: what the arbiter of
    follow-ups learns from (:func:`cross_validate_arbiter` with ``follow_ups``)."""
    answers = answers if answers is not None else read_first_answers()
    files = sorted(conversations_dir.glob("*.jsonl"))
    learned = {path: read_cases(path, turns="later")[0] for path in files}
    single: DoubtModel | None = None
    outcomes: list[FollowUpOutcome] = []
    for path in files:
        turns = load_cases([path])
        drafts = _discussed_drafts(turns)
        judged = [(turn, answers[turn.id]) for turn in turns if turn.turn > 1 and turn.id in answers]
        if not judged:
            continue
        if single is None:  # read and trained once, and only when a file has follow-ups to judge
            first_turns = [c for other in files for c in read_cases(other, turns="first", book=signal_book())[0]]
            single = DoubtModel.train(load_labelled(cases_dir, signal_book())[0] + first_turns)
        model = DoubtModel.train([c for other in files if other != path for c in learned[other]])
        rules, hedge, after = Tally(), Tally(), Tally()
        for turn, answer in judged:
            text = case_text(turn.question, drafts[turn.id])
            rules = rules.add(turn, answer.verdict)
            # The cases' model reads a follow-up's words, the draft discussed and the signals of
            # the message itself (its own words and draft), as the service does.
            own = case_text(turn.question, drafts[turn.id], message_signals(turn.question, turn.draft, signal_book()))
            hedge = hedge.add(
                turn, _stepped(Judged(path.stem, turn, answer, single.estimates(own)), chosen, risk_only=True)
            )
            weighed = Judged(path.stem, turn, answer, model.estimates(text))
            if judged_out is not None:
                judged_out.append(weighed)
            after = after.add(turn, _stepped(weighed, chosen))
        outcomes.append(FollowUpOutcome(path.stem, rules, hedge, after))
    return outcomes


def _discussed_drafts(turns: Sequence[Case]) -> dict[str, str | None]:
    """Each turn's draft: its own, or the latest one pasted earlier in its conversation."""
    drafts: dict[str, str | None] = {}
    latest: dict[str | None, str | None] = {}
    for turn in sorted(turns, key=lambda t: (t.conversation or "", t.turn)):
        latest[turn.conversation] = turn.draft or (latest.get(turn.conversation) if turn.turn > 1 else None)
        drafts[turn.id] = latest[turn.conversation]
    return drafts


def combined(tallies: Iterable[Tally]) -> Tally:
    out = Tally()
    for t in tallies:
        out = Tally(
            out.cases + t.cases, out.right + t.right, out.permissive + t.permissive, out.restrictive + t.restrictive
        )
    return out


def total(outcomes: Sequence[Outcome], after: bool) -> Tally:
    return combined(o.after if after else o.before for o in outcomes)


def total_arbitrated(outcomes: Sequence[Outcome]) -> Tally:
    return combined(o.arbitrated for o in outcomes if o.arbitrated is not None)
