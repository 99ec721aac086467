"""A second opinion from labelled examples, for the verdicts about a post.

The rules (:mod:`bot.decision`) decide from the words they know. On questions nobody here has
seen they go wrong in ways that matter: a plain «sí» for a post that must not go out, because
the words that say so are not in the signal book; a plain «no» for a harmless post, because a
phrase matched in another sense («ratos muertos», «nadie se lo merece más»); and a «con
cautelas» where the answer was plainly «sí» or plainly «no». This module learns, from the
evaluation cases that QA labels (the dev split only: ``evals/cases/*.jsonl``, never
``evals/cases/test/``), three estimates for a question and its draft: how likely a plain «sí»
is to be wrong (the *risk*), how likely «sí» is right, and how likely «no» is right.

It never decides alone; :func:`reconsider` moves the rules' verdict one step when it strongly
disagrees, and the answer says why. Which steps it may take is fixed by guards
(:func:`allowed_steps`); which of those it takes is weighed by an arbiter (:mod:`bot.arbiter`,
learned from how the rules' first answers fared on questions the model had never seen): the
cases' one for a question on its own, the follow-ups' one for a follow-up read by the
follow-ups' model; by thresholds when there is no arbiter (and for the hedge alone):

- a «sí» with a high risk becomes «con cautelas», naming the words that raised the doubt;
- a «no» with a low risk becomes «con cautelas», unless a detector finding (a DNI, a phone, a
  name) backs it or the rule that gives it is marked «Firme: sí» in the guide (its risk is a
  combination of facts, an official account and a party's post, a police officer and a strike,
  that harmless words hide); the answer shows the rule and what triggered it;
- a «con cautelas» becomes «no» when «no» is very likely right and the risk high, and only
  when the message holds evidence: a rule found its signal in it, or a risk signal (a name, a
  figure not yet public) that nothing lifted. The answer shows that evidence and the words that
  weigh most. No «no» rests on resemblance alone;
- a «con cautelas» becomes «sí» when «sí» is very likely right and the risk low, and only when
  nothing firm is open (:attr:`~bot.decision.Decision.firm`: a risk nothing lifted, a push for
  a «sí», requirements to meet) and no detector found anything. The rule's cautions are still shown.

A follow-up in a conversation is read on its own words and the draft still discussed, by a
second model learned the same way from the later turns of QA's conversations
(:func:`load_follow_ups`, :meth:`DoubtSource.follow_ups`), with every step. Read by the model of
single questions, a follow-up's words often state the fix («¿y si les tapo la cara?») with the
very words of the risk, or leave the risk in what was said before («¿y en LinkedIn?»), so with
that model only the first step is safe: that is what a follow-up gets when there is no model of
follow-ups. Learned from follow-ups, the words weigh as they do in a follow-up. Cross-validated by
conversation file in session 64 (``python -m evals segunda-opinion``, last table), on the 1288
follow-ups with first answers: as the rules first answered them, 0.730 and 148 dangerous (63
permissive, 85 restrictive); with the hedge of the single questions' model, 0.738 and 99 (14 /
85); with every step of the follow-ups' model, 0.819 and 31 (12 / 19). At the same thresholds as a
first question: on that grid, 0.25 / 0.65 / 0.8 gave 0.819 and 29, 0.3 / 0.75 / 0.8 0.806 and 27,
0.3 / 0.65 / 0.7 0.821 and 46. Reading the earlier questions too (a second, weaker block of word
features) gave 0.821 and 27: not worth a second kind of model. Since session 68 the step is
weighed by an arbiter of its own (:data:`bot.arbiter.FOLLOW_UP_ARBITER_FILE`), learned from those
follow-ups with the estimates of a model that never saw their file; nested by file, on 1544
follow-ups: thresholds 0.814 and 42 (17 / 25), the arbiter at cost 1 0.812 and 36 (6 / 30).

A Catalan, Galician or English message (and such a case) is read glossed word by word into
Spanish (:func:`bot.signals.gloss_text`): the cases are mostly Spanish. Chosen by the
cross-validation by batch: on the 117 first answers of other languages, 0.667 and 3 dangerous
read as written, 0.709 and 2 glossed; on all 2200, 0.810 / 40 → 0.813 / 36. Checked again in
session 57, when the English translations of the parity sets fared worse with the second opinion
than without it: on the 176 English first answers, a higher «alto» for English alone (0.4 to 0.8)
gives 0.705–0.722 and 4–11 dangerous, against 0.722 and 2 at the common 0.3; learning also from
the 660 translations of ``evals/paridad/`` leaves English at 0.722 (3 dangerous) and the 6800 at
0.796 / 65, against 0.798 / 60. Neither was taken. In session 62, leaving English to the rules
alone would lift the English parity translations from 0.736 to 0.836 (2 dangerous both ways), but
on the 189 English first answers written in English, five-fold by batch, the second opinion takes
them from 0.630 and 20 dangerous to 0.714 and 6: it stays for every language.

Each model is a logistic regression per estimate on shared TF-IDF word and character n-grams
(scikit-learn); the model of questions on their own also reads the signals the rules found in
the message, one word each (:data:`SIGNAL_PREFIX`). Each is trained on the first message that
needs it after start-up (the follow-ups' one, on the first follow-up) and cached under
``<data_dir>/doubt/`` with a key of the cases' content (and of the signal book and the code that
reads it), so it is retrained only when QA changes the cases or a policy owner the signals, at
the next start.
Neither keeps any question text: only what it learned from the labelled cases.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import sys
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from types import ModuleType
from typing import Any, Literal

import joblib
import numpy as np
import sklearn
from filelock import FileLock, Timeout
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion
from sklearn.svm import LinearSVC

import bot.pipeline as pipeline_module
import bot.signals as signals_module
from bot.arbiter import Arbiter, ArbiterError, Opinions
from bot.decision import Decision, Doubt
from bot.intent import I18N_DIR
from bot.models import LegalRef, Verdict
from bot.pipeline import read
from bot.signals import GLOSS_DIR, SignalBook, gloss_text, glossary_for
from bot.text import STOPWORDS, fold

log = logging.getLogger(__name__)

#: Bumped when the features or the model change, so cached models are not reused.
MODEL_VERSION = 9
#: Fewer labelled cases of either kind than this, and there is no second opinion.
MIN_CASES = 20
#: How long a process waits for another one training the same model.
LOCK_SECONDS = 120.0
#: How many words of the message the answer names as the reason for the doubt.
SHOWN_WORDS = 3
#: The verdicts about a post (Verdict is a str enum: the cases' strings compare equal to them).
PUBLICATION = frozenset({Verdict.PERMITIDO, Verdict.CON_CAUTELAS, Verdict.NO_PERMITIDO})


@dataclass(frozen=True)
class LabelledCase:
    """A question (and its draft) and what QA says of it."""

    text: str
    #: A plain «sí» would be a mistake (the case forbids ``permitido``).
    risky: bool
    #: «Sí» is a right answer (``permitido`` is among the expected verdicts).
    fine: bool = False
    #: «No» is a right answer (``no_permitido`` is among the expected verdicts).
    prohibited: bool = False
    #: It asks about a post (it expects ``permitido``, ``con_cautelas`` or ``no_permitido``):
    #: only these teach the three estimates about a post.
    publication: bool = True
    #: The sources have nothing to say about it (its first expected verdict is ``sin_base``).
    out_of_scope: bool = False
    #: It asks what the rules say (``informativo`` is among the expected verdicts).
    informative: bool = False
    #: For a question about the rules, the law articles that answer it (``BOE-A-2015-11719|53``).
    articles: tuple[str, ...] = ()


@dataclass(frozen=True)
class Estimates:
    """The model's three estimates for one message, each a probability."""

    #: That a plain «sí» would be a mistake.
    risk: float
    #: That «sí» is right.
    fine: float
    #: That «no» is right.
    prohibited: float
    #: That the sources have nothing to say about it (``None``: too few cases to learn it).
    out_of_scope: float | None = None
    #: That it asks what the rules say rather than about a post (``None``: too few cases).
    informative: float | None = None


#: The estimates about a post, learned from the cases about a post.
HEADS = ("risky", "fine", "prohibited")
#: The estimates of what is asked, learned from every case.
INTENT_HEADS = ("out_of_scope", "informative")
#: The article that answers a question about the rules, learned from those questions.
ARTICLES_HEAD = "articles"
#: Articles scored under this by the linear SVM (one-vs-rest margin) are not offered to the
#: retrieval. Chosen leaving out exam sets 5 and 6 in turn, with the retrieval's own ranking
#: after them: hit@5 0.96 / 0.93 and a right first source 0.90 / 0.92; -0.6 gave 0.96 / 0.93
#: and 0.93 / 0.87; 0 gave 0.96 / 0.92 and 0.89 / 0.89. (A logistic regression took 40 s to
#: train and did worse: hit@5 0.96 / 0.89.)
ARTICLE_LEAST = -0.4
#: How many predicted articles are offered.
ARTICLES_SHOWN = 2


#: The model of questions on their own reads, after the message, the signals the rules found in
#: it, each as a word no message has: this prefix and the signal's id without underscores
#: («zzspersonaidentificable»). A signal stands for its phrases in every language, so what the
#: model learns of it reaches wordings and languages it has not seen. Chosen in session 66 with
#: the cross-validation by batch (a scratch copy of it, the arbiter at cost 3 nested by batch, on
#: the 7143 first answers about a post): without the signals 0.800 and 44 dangerous (18 / 26);
#: with them 0.810 and 38 (18 / 20); at cost 6, 0.785 and 28 → 0.797 and 25. The follow-ups'
#: model reads words only (signals were not tried there).
SIGNAL_PREFIX = "zzs"


def signal_words(signals: Iterable[str]) -> str:
    """The signals as the model reads them: one word each, sorted, without repeats."""
    return " ".join(sorted({SIGNAL_PREFIX + signal.replace("_", "") for signal in signals}))


def message_signals(question: str, draft: str | None, book: SignalBook) -> tuple[str, ...]:
    """The ids of the signals the rules find in a question and its draft (:func:`bot.pipeline.read`)."""
    return tuple(hit.signal for hit in read(question, draft, book).hits)


def case_text(question: str, draft: str | None, signals: Iterable[str] = ()) -> str:
    """What the model reads: the question and the draft, as the rules read them, and then the
    signals found in them (:func:`signal_words`), when the model learned them."""
    text = f"{question}\n{draft or ''}".strip()
    words = signal_words(signals)
    return f"{text}\n{words}" if words else text


def load_cases(folder: Path, book: SignalBook | None = None) -> tuple[list[LabelledCase], list[str]]:
    """The labelled cases of the ``*.jsonl`` files right in ``folder`` (not in its subfolders:
    the test split is never learned), and the problems found (see :func:`read_cases`; ``book``:
    each text ends with the signals found in it)."""
    return _load(folder, None, book)


def load_first_turns(folder: Path, book: SignalBook | None = None) -> tuple[list[LabelledCase], list[str]]:
    """The first turn of each conversation of the ``*.jsonl`` files right in ``folder`` (never
    its ``test/``), labelled like a case, and the problems found. A first turn is a question on
    its own, like a case; the later turns only make sense with the earlier ones, and are learned
    apart (:func:`load_follow_ups`). ``book``: each text ends with the signals found in it."""
    return _load(folder, "first", book)


def load_follow_ups(folder: Path) -> tuple[list[LabelledCase], list[str]]:
    """The later turns of each conversation of the ``*.jsonl`` files right in ``folder`` (never
    its ``test/``), each labelled like a case on its own words and the draft still discussed
    (the turn's own, or the latest one pasted before it), and the problems found."""
    return _load(folder, "later")


def _load(folder: Path, turns: Turns | None, book: SignalBook | None = None) -> tuple[list[LabelledCase], list[str]]:
    cases: list[LabelledCase] = []
    problems: list[str] = []
    for path in sorted(folder.glob("*.jsonl")):
        more, trouble = read_cases(path, turns=turns, book=book)
        cases += more
        problems += trouble
    return cases, problems


#: Which turns of a file of conversations are the cases: the first, or the later ones.
Turns = Literal["first", "later"]


def read_cases(
    path: Path, *, turns: Turns | None = None, book: SignalBook | None = None
) -> tuple[list[LabelledCase], list[str]]:
    """The labelled cases of one ``.jsonl`` file and the problems found. A broken line is
    skipped and reported, never fatal. With ``turns``, the file holds conversations and each
    one's first turn is the case (``"first"``), or each later turn is one (``"later"``). With
    ``book``, each text ends with the signals the rules find in it (:func:`case_text`)."""
    cases: list[LabelledCase] = []
    problems: list[str] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            if turns is None:
                items = [(row, row.get("draft"))]
            else:
                items = _turns(row["turns"], later=turns == "later")
            labelled = [_labelled(case, draft, book) for case, draft in items]
        except (ValueError, KeyError, TypeError, IndexError, AttributeError) as exc:
            problems.append(f"{path.name}:{number}: caso ilegible ({exc})")
            continue
        cases += labelled
    return cases, problems


def _turns(turns: list[dict[str, Any]], *, later: bool) -> list[tuple[dict[str, Any], str | None]]:
    """The turns wanted, each with the draft it is about: its own, or the latest one before it."""
    if not later:
        return [(turns[0], turns[0].get("draft"))]
    out: list[tuple[dict[str, Any], str | None]] = []
    draft = None
    for n, turn in enumerate(turns):
        draft = turn.get("draft") or draft
        if n:
            out.append((turn, draft))
    return out


def _labelled(case: dict[str, Any], draft: str | None, book: SignalBook | None = None) -> LabelledCase:
    listed = [str(v) for v in case["expect_verdict"]]
    first = listed[0]
    expected = set(listed)
    forbidden = set(case.get("forbid_verdict") or ())
    question = str(case["question"])
    articles = tuple(
        f"{source['source_id']}|{str(source['article']).split('.')[0].strip()}"
        for source in case.get("expect_sources") or ()
        if source.get("source_id") and source.get("article")
    )
    return LabelledCase(
        case_text(question, draft, message_signals(question, draft, book) if book is not None else ()),
        # As the evaluation counts it: a case that only accepts «no» forbids «sí».
        risky=Verdict.PERMITIDO.value in forbidden
        or (Verdict.NO_PERMITIDO.value in expected and Verdict.PERMITIDO.value not in expected),
        fine=Verdict.PERMITIDO.value in expected,
        prohibited=Verdict.NO_PERMITIDO.value in expected,
        publication=bool(expected & PUBLICATION),
        out_of_scope=first == Verdict.SIN_BASE.value,
        informative=Verdict.INFORMATIVO.value in expected,
        articles=articles if Verdict.INFORMATIVO.value in expected else (),
    )


class DoubtModel:
    """The estimates for a message (:class:`Estimates`), learned from labelled cases."""

    def __init__(self, features: FeatureUnion, classifiers: Mapping[str, LogisticRegression | LinearSVC]) -> None:
        self._features = features
        self._classifiers = dict(classifiers)
        self._words: TfidfVectorizer = dict(features.transformer_list)["words"]
        self._width = len(self._words.vocabulary_)  # the word features come first in the union
        self._names = self._words.get_feature_names_out()
        self._idf = self._words.idf_
        self._index: dict[str, int] = self._words.vocabulary_
        single = [self._idf[j] for name, j in self._index.items() if " " not in name]
        self._common = float(np.quantile(single, COMMON_QUANTILE)) if single else 0.0
        self._fold = self._words.build_preprocessor()
        self._token = re.compile(self._words.token_pattern)
        self._last: tuple[str, Estimates] | None = None

    @classmethod
    def train(cls, cases: Sequence[LabelledCase]) -> DoubtModel:
        """Fit on ``cases``; :class:`ValueError` when, for any estimate about a post, either
        answer has fewer than :data:`MIN_CASES` cases. An estimate of what is asked with too few
        cases is left out (:class:`Estimates` then says ``None``)."""
        posts = [n for n, c in enumerate(cases) if c.publication]
        labels = {head: [int(getattr(cases[n], head)) for n in posts] for head in HEADS}
        for head, values in labels.items():
            yes = sum(values)
            if min(yes, len(values) - yes) < MIN_CASES:
                raise ValueError(
                    f"hacen falta {MIN_CASES} casos de cada clase para «{head}»; hay {yes} y {len(values) - yes}"
                )
        intents = {head: [int(getattr(c, head)) for c in cases] for head in INTENT_HEADS}
        intents = {h: v for h, v in intents.items() if min(sum(v), len(v) - sum(v)) >= MIN_CASES}
        features = FeatureUnion(
            [
                ("words", _vectorizer(analyzer="word", ngram_range=(1, 2))),
                ("chars", _vectorizer(analyzer="char_wb", ngram_range=(3, 5))),
            ]
        )
        # The cases are mostly Spanish: a Catalan, Galician or English one is read glossed into
        # Spanish (bot/i18n/glosa-*.json), here and when estimating.
        matrix = features.fit_transform([gloss_text(c.text) for c in cases])
        classifiers = {head: _classifier().fit(matrix[posts], values) for head, values in labels.items()}
        classifiers |= {head: _classifier().fit(matrix, values) for head, values in intents.items()}
        asked = [n for n, c in enumerate(cases) if c.articles]
        if len(asked) >= MIN_CASES and len({cases[n].articles[0] for n in asked}) > 2:
            # Many articles with a few questions each: a linear SVM, one margin per article.
            classifiers[ARTICLES_HEAD] = LinearSVC(C=1.0).fit(matrix[asked], [cases[n].articles[0] for n in asked])
        return cls(features, classifiers)

    def estimates(self, text: str) -> Estimates:
        """The estimates for ``text`` (the last text's are remembered: an answer asks twice)."""
        last = self._last
        if last is not None and last[0] == text:
            return last[1]
        row = self._features.transform([gloss_text(text)])
        p = {
            head: float(c.predict_proba(row)[0][1])
            for head, c in self._classifiers.items()
            if head in HEADS or head in INTENT_HEADS
        }
        estimates = Estimates(p["risky"], p["fine"], p["prohibited"], p.get("out_of_scope"), p.get("informative"))
        self._last = (text, estimates)
        return estimates

    def articles(self, text: str, limit: int = ARTICLES_SHOWN, least: float = ARTICLE_LEAST) -> list[LegalRef]:
        """The law articles most likely to answer ``text`` as a question about the rules, best
        first, each scored at least ``least``; none without that estimate."""
        classifier = self._classifiers.get(ARTICLES_HEAD)
        if classifier is None:
            return []
        scores = classifier.decision_function(self._features.transform([gloss_text(text)]))[0]
        refs = []
        for j in np.argsort(-scores)[:limit]:
            if scores[j] >= least:
                source_id, _, article = str(classifier.classes_[j]).partition("|")
                refs.append(LegalRef(source_id=source_id, article=article))
        return refs

    def risk(self, text: str) -> float:
        """The estimated probability that a plain «sí» to ``text`` would be a mistake."""
        return self.estimates(text).risk

    def words(self, text: str, limit: int = SHOWN_WORDS, toward: str = "risky") -> tuple[str, ...]:
        """The words of ``text``, as written there, that weigh most toward ``toward`` (one of
        :data:`HEADS`). Pairs of words weigh in the estimate but are not named («receta de»),
        nor are function words («que», «los») or words common to many cases («puedo», «fotos»)."""
        weights = self._classifiers[toward].coef_[0][: self._width]
        row = self._words.transform([gloss_text(text)])
        weighed = sorted(
            ((weights[j] * value, str(self._names[j])) for j, value in zip(row.indices, row.data, strict=True)),
            reverse=True,
        )
        # The text's words as the vectorizer reads them, with where they are written.
        spans = [(self._fold(m.group()), m.start(), m.end()) for m in self._token.finditer(text)]
        # A glossed message names its own words, not their Spanish glosses.
        glossary = glossary_for([fold(f) for f, _, _ in spans]) or {}
        spans = [(glossary.get(fold(f), f), a, b) for f, a, b in spans]
        chosen: list[str] = []
        for weight, name in weighed:
            if weight <= 0 or len(chosen) >= limit:
                break
            if (
                " " in name
                or len(name) < _SHORT
                or name in STOPWORDS
                or name.startswith(SIGNAL_PREFIX)
                or self._idf[self._index[name]] < self._common
            ):
                continue
            written = next((text[a:b] for folded, a, b in spans if folded == name), None)
            if written and written.lower() not in {c.lower() for c in chosen}:
                chosen.append(written)
        return tuple(chosen)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.partial")
        joblib.dump({"features": self._features, "classifiers": self._classifiers}, partial)
        partial.replace(path)

    @classmethod
    def load(cls, path: Path) -> DoubtModel:
        saved = joblib.load(path)
        return cls(saved["features"], saved["classifiers"])


#: The most common words of the cases, this share of them («puedo», «fotos», «vídeo»), weigh in
#: the estimate but say nothing about this message: they are not named.
COMMON_QUANTILE = 0.1
#: Words shorter than this («de», «que», «los») are not named as a reason.
_SHORT = 4


#: Inverse regularisation of each estimate's logistic regression. Chosen by the cross-validation
#: by batch (``python -m evals segunda-opinion``, 4600 first answers of 46 batches, session 46):
#: C=8 0.805 and 79 dangerous (35 permissive), C=4 0.800 and 76 (30), C=2 0.793 and 66 (19);
#: with the English glosses added the same day, C=4 0.800 and 73 (28), C=2 0.793 and 67 (19).
#: A plain «sí» for a post that must not go out harms people most: a third fewer of them is worth
#: seven cases in a thousand. Checked again in session 56 with 6600 first answers of 66 batches:
#: C=1 0.786 and 50 (15), C=2 0.798 and 59 (20), C=4 0.805 and 68 (23); the same trade at each step,
#: so it stays at 2. Checked again in session 65 with the arbiter choosing the step (cost 6, nested
#: by batch, on the 6775 first answers about a post, with a scratch script): C=1 0.778 and 27, C=2
#: 0.782 and 30, C=4 0.786 and 28; too close to retrain and revalidate everything for.
REGULARISATION = 2.0


def _classifier() -> LogisticRegression:
    return LogisticRegression(C=REGULARISATION, max_iter=2000, class_weight="balanced")


def _vectorizer(**options: Any) -> TfidfVectorizer:
    return TfidfVectorizer(min_df=2, sublinear_tf=True, strip_accents="unicode", lowercase=True, **options)


class DoubtSource:
    """The models for the cases in ``folder`` (and the first turns of the conversations in
    ``conversations``) and for the later turns of those conversations, each trained once and
    cached in ``cache_dir``.

    ``get()`` and ``follow_ups()`` return ``None`` when there is no folder, too few cases or the
    training failed (the bot then answers from the rules alone, or a follow-up with the hedge of
    the cases' model, as before); they never raise.

    ``signals`` gives the signal book: the model of questions on their own learns the signals
    found in each case (:data:`SIGNAL_PREFIX`), as the book is when it is trained; an edited
    book changes the cache key, so the next start trains it again.
    """

    def __init__(
        self,
        folder: Path | None,
        cache_dir: Path,
        conversations: Path | None = None,
        signals: Callable[[], SignalBook] | None = None,
    ) -> None:
        self.folder = folder
        self.conversations = conversations
        self.signals = signals
        self.cache_dir = cache_dir
        self._lock = threading.Lock()
        self._models: dict[str, DoubtModel | None] = {}

    def get(self) -> DoubtModel | None:
        """The model of the questions on their own: the cases and the conversations' first turns."""
        return self._model(CASES_MODEL)

    def follow_ups(self) -> DoubtModel | None:
        """The model of the follow-ups: the later turns of the conversations, each read on its
        own words and the draft still discussed."""
        return self._model(FOLLOW_UPS_MODEL)

    def _model(self, kind: str) -> DoubtModel | None:
        with self._lock:
            if kind not in self._models:
                self._models[kind] = self._build(kind)
            return self._models[kind]

    def _build(self, kind: str) -> DoubtModel | None:
        if self.folder is None:
            return None
        if not self.folder.is_dir():
            log.warning("segunda opinión desactivada: no existe la carpeta de casos %s", self.folder)
            return None
        conversations = self.conversations if self.conversations is not None and self.conversations.is_dir() else None
        book: SignalBook | None = None
        if kind == FOLLOW_UPS_MODEL:
            if conversations is None:
                return None
            cases, problems = load_follow_ups(conversations)
        else:
            book = self.signals() if self.signals is not None else None
            # Words only, for the cache key: finding the signals of every case takes about a
            # minute, worth paying only to train.
            cases, problems = _questions(self.folder, conversations)
            # The follow-ups' model reads the same files: their problems are reported once, here.
            for problem in problems:
                log.warning("casos de evaluación: %s", problem)
        path = self.cache_dir / f"{kind}-{_key(cases, book)}.joblib"
        try:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            # Processes started together (evaluation jobs, replicas) train once; the rest load it.
            with FileLock(self.cache_dir / "entrenando.lock", timeout=LOCK_SECONDS):
                return self._load_or_train(path, cases, kind, book, conversations)
        except (OSError, Timeout) as exc:
            log.warning("segunda opinión: sin caché en %s (%s)", self.cache_dir, exc)
            return self._load_or_train(path, cases, kind, book, conversations)

    def _load_or_train(
        self,
        path: Path,
        cases: list[LabelledCase],
        kind: str,
        book: SignalBook | None = None,
        conversations: Path | None = None,
    ) -> DoubtModel | None:
        if path.is_file():
            try:
                return DoubtModel.load(path)
            except Exception as exc:  # a stale or broken cache is rebuilt, not fatal
                log.warning("segunda opinión: no se puede leer %s (%s); se vuelve a entrenar", path.name, exc)
        if book is not None and self.folder is not None:
            cases = _questions(self.folder, conversations, book)[0]
        try:
            model = DoubtModel.train(cases)
        except ValueError as exc:
            log.warning("segunda opinión desactivada (%s): %s", kind, exc)
            return None
        try:
            for old in self.cache_dir.glob(f"{kind}-*.joblib"):
                if old != path:
                    old.unlink(missing_ok=True)
            model.save(path)
        except OSError as exc:
            log.warning("segunda opinión: no se puede guardar en %s (%s)", self.cache_dir, exc)
        return model


def _questions(
    folder: Path, conversations: Path | None, book: SignalBook | None = None
) -> tuple[list[LabelledCase], list[str]]:
    """The questions on their own: the cases of ``folder`` and the first turns of ``conversations``."""
    cases, problems = load_cases(folder, book)
    if conversations is not None:
        more, trouble = load_first_turns(conversations, book)
        cases, problems = cases + more, problems + trouble
    return cases, problems


def _project_modules(*roots: ModuleType) -> list[ModuleType]:
    """``roots`` and every project module they use, directly or through another one: what
    ``from bot.x import y`` brings in counts, found by the module that defines ``y``."""
    found: dict[str, ModuleType] = {}
    pending = list(roots)
    while pending:
        module = pending.pop()
        if module.__name__ in found:
            continue
        found[module.__name__] = module
        for value in vars(module).values():
            used = value if isinstance(value, ModuleType) else sys.modules.get(getattr(value, "__module__", None) or "")
            if used is not None and used.__name__.startswith("bot.") and used.__name__ not in found:
                pending.append(used)
    return sorted(found.values(), key=lambda module: module.__name__)


#: The code and the vocabularies that turn a message into the signals a model reads: every project
#: module the signal reading uses (the draft screening too: «Calle Mayor 5» found or not) and the
#: intent vocabularies, so editing any of them trains the model again.
READER_SOURCES: tuple[Path, ...] = (
    *(Path(module.__file__ or "") for module in _project_modules(signals_module, pipeline_module)),
    *sorted(I18N_DIR.glob("*.yaml")),
)

#: The file name of each cached model starts with its kind.
CASES_MODEL = "modelo"
FOLLOW_UPS_MODEL = "seguimientos"


def _key(cases: Iterable[LabelledCase], book: SignalBook | None = None) -> str:
    """The cache key of a model learned from ``cases`` (and from the signals ``book`` finds in them)."""
    digest = hashlib.sha256(f"{MODEL_VERSION}:{sklearn.__version__}".encode())
    if book is not None:
        # Every signal's phrases, detectors and flags (plain tuples and dicts: the same each run),
        # and the code and vocabularies that find them in a message.
        digest.update(repr(book.signals).encode())
        for path in READER_SOURCES:
            digest.update(path.read_bytes())
    # The glossaries shape what the model reads: a new one needs a model trained with it.
    for path in sorted(GLOSS_DIR.glob("glosa-*.json")):
        digest.update(path.read_bytes())
    for case in cases:
        flags = (case.risky, case.fine, case.prohibited, case.publication, case.out_of_scope, case.informative)
        digest.update(f"{''.join(str(int(f)) for f in flags)}\t{','.join(case.articles)}\t{case.text}\n".encode())
    return digest.hexdigest()[:16]


def load_arbiter(path: Path | None, relearn: str) -> Arbiter | None:
    """The learned choice among the second opinion's steps in ``path``, or ``None`` (the
    thresholds decide) when there is none or it cannot be read; one learned with another version
    of the model still weighs, with a warning. ``relearn``: the option of ``python -m evals
    segunda-opinion`` that learns it again."""
    if path is None:
        return None
    try:
        arbiter = Arbiter.load(path)
    except ArbiterError as exc:
        log.warning("segunda opinión: %s; deciden los umbrales", exc)
        return None
    learned_with = arbiter.about.get("model_version")
    if learned_with != MODEL_VERSION:
        # Its weights read the estimates of another model: they still weigh, but stale.
        log.warning(
            "segunda opinión: el árbitro de %s se aprendió con la versión %s del modelo y la de ahora es la %s; "
            "vuelve a aprenderlo con «python -m evals segunda-opinion %s»",
            path.name,
            learned_with,
            MODEL_VERSION,
            relearn,
        )
    return arbiter


def reconsider(
    decision: Decision,
    model: DoubtModel | None,
    text: str,
    *,
    high: float,
    low: float,
    sure: float = 1.0,
    estimates: Estimates | None = None,
    risk_only: bool = False,
    arbiter: Arbiter | None = None,
    cost: float = 0.0,
) -> Decision:
    """``decision`` moved one step when ``model`` strongly disagrees (see the module docstring).

    The steps the guards allow (:func:`allowed_steps`) are weighed by ``arbiter`` when there is
    one (the least expected cost, a dangerous verdict costing ``cost`` more than a wrong one;
    see :mod:`bot.arbiter`), or else by the thresholds:

    - «sí» → «con cautelas» at a risk of ``high`` or more;
    - «no» → «con cautelas» at a risk of ``low`` or less;
    - «con cautelas» → «no» when «no» is right with at least ``sure`` and the risk is ``high``
      or more; → «sí» when «sí» is right with at least ``sure`` and the risk is under ``high``.

    Any other decision is returned as it is (``sure`` of 1 or more leaves every caution alone).
    ``estimates`` are the model's for ``text`` when the caller already has them. ``risk_only``
    keeps only the first step, for a follow-up read by the model of single questions: its own
    words, read without the earlier turns, often state the fix («¿y si les tapo la cara?») with
    the very words of the risk, or leave the risk in the earlier turns («¿y en LinkedIn?»), so
    only the hedge against a plain «sí» is safe."""
    if model is None or decision.verdict not in PUBLICATION:
        return decision
    p = estimates if estimates is not None else model.estimates(text)
    verdict = step(decision, p, high=high, low=low, sure=sure, risk_only=risk_only, arbiter=arbiter, cost=cost)
    if verdict is decision.verdict:
        return decision
    return replace(decision, verdict=verdict, doubt=_doubt(decision.verdict, verdict, model, text, p.risk))


def step(
    decision: Decision,
    p: Estimates,
    *,
    high: float,
    low: float,
    sure: float = 1.0,
    risk_only: bool = False,
    arbiter: Arbiter | None = None,
    cost: float = 0.0,
) -> Verdict:
    """The verdict :func:`reconsider` gives ``decision`` with the estimates ``p`` (its own when
    the second opinion does not move it)."""
    allowed = allowed_steps(decision, risk_only=risk_only)
    if len(allowed) < 2:
        return decision.verdict
    if arbiter is not None:
        return arbiter.choose(Opinions(decision.verdict, p.risk, p.fine, p.prohibited), allowed, cost)
    return _by_thresholds(decision.verdict, p, allowed, high=high, low=low, sure=sure)


def allowed_steps(decision: Decision, *, risk_only: bool = False) -> tuple[Verdict, ...]:
    """The verdicts the second opinion may give ``decision``, its own first:

    - from «sí», «con cautelas» (never «no»: two steps);
    - from «no», «con cautelas», unless a detector finding (a DNI, a phone, a name) backs it, a
      rule marked «Firme: sí» gives it, or the message tried to steer the bot towards a «sí»
      (its wrapper is no sign of a harmless post);
    - from «con cautelas», «no» only when the message holds evidence (a rule's trigger, or a
      risk signal nothing lifted), and «sí» only when the caution is not
      :attr:`~bot.decision.Decision.firm` and no detector found anything;
    - with ``risk_only``, only «sí» → «con cautelas»."""
    verdict = decision.verdict
    if verdict is Verdict.PERMITIDO:
        return (verdict, Verdict.CON_CAUTELAS)
    if risk_only or verdict not in PUBLICATION:
        return (verdict,)
    if verdict is Verdict.NO_PERMITIDO:
        soften = not decision.manipulated and not _detected(decision, Verdict.NO_PERMITIDO) and not _firm_no(decision)
        return (verdict, Verdict.CON_CAUTELAS) if soften else (verdict,)
    if decision.doubt is not None:
        return (verdict,)
    steps: list[Verdict] = [verdict]
    if any(a.triggers for a in decision.applied) or decision.open_risk:
        steps.append(Verdict.NO_PERMITIDO)
    if not decision.firm and not _detected(decision):
        steps.append(Verdict.PERMITIDO)
    return tuple(steps)


def _by_thresholds(
    verdict: Verdict, p: Estimates, allowed: Sequence[Verdict], *, high: float, low: float, sure: float
) -> Verdict:
    if verdict is Verdict.PERMITIDO:
        return Verdict.CON_CAUTELAS if p.risk >= high else verdict
    if verdict is Verdict.NO_PERMITIDO:
        return Verdict.CON_CAUTELAS if p.risk <= low and Verdict.CON_CAUTELAS in allowed else verdict
    if Verdict.NO_PERMITIDO in allowed and p.prohibited >= sure and p.risk >= high:
        return Verdict.NO_PERMITIDO
    if Verdict.PERMITIDO in allowed and p.fine >= sure and p.risk < high:
        return Verdict.PERMITIDO
    return verdict


def _doubt(before: Verdict, after: Verdict, model: DoubtModel, text: str, risk: float) -> Doubt:
    """Why the verdict moved, with the words that weigh most where the answer names them."""
    if after is Verdict.NO_PERMITIDO:
        return Doubt("prohibido", risk, model.words(text, toward="prohibited"))
    if after is Verdict.PERMITIDO:
        return Doubt("seguro", risk)
    if before is Verdict.PERMITIDO:
        return Doubt("riesgo", risk, model.words(text))
    return Doubt("inocuo", risk)


@dataclass(frozen=True)
class Intent:
    """How a question is read: whether it asks what the rules say, and whether it is in scope."""

    question_of_fact: bool
    in_scope: bool
    #: How the second opinion changed the reading (the answer says so): ``consulta``, now read as
    #: asking what the rules say; ``veredicto``, now read as asking about a post of one's own.
    moved: Literal["consulta", "veredicto"] | None = None


def reread(
    estimates: Estimates | None,
    intent: Intent,
    *,
    plain: bool,
    query: float,
    scope: float,
    verdict: float = 0.0,
    settled: bool = False,
) -> Intent:
    """``intent`` (read from the vocabulary) corrected where the estimates strongly disagree:

    - out of scope by its words, but estimated out of scope with ``scope`` or less: it is in
      scope, and asks what the rules say («ya soy funcionaria o me falta algo?»);
    - read as a question about a post, but estimated to ask what the rules say with ``query`` or
      more: it asks what the rules say («¿qué mandato tienen los delegados de personal?»);
    - read as asking what the rules say, but estimated to with ``verdict`` or less, and in scope
      (out of scope with ``scope`` or less): it asks about a post of one's own, described first
      and asked about in a few words («…y lo subiría desde la cuenta oficial. ¿Así sí?»). Not
      when the reading is ``settled``: a question only about the statute («¿puedo pedir una
      excedencia?») asks what the statute allows whatever it resembles.

    Only a ``plain`` question changes: no draft, no photo, no detector finding, not a follow-up."""
    if estimates is None or not plain:
        return intent
    outside, informative = estimates.out_of_scope, estimates.informative
    if not intent.in_scope and outside is not None and outside <= scope:
        return Intent(question_of_fact=True, in_scope=True, moved="consulta")
    if intent.in_scope and not intent.question_of_fact and informative is not None and informative >= query:
        return Intent(question_of_fact=True, in_scope=True, moved="consulta")
    if (
        intent.in_scope
        and intent.question_of_fact
        and not settled
        and informative is not None
        and informative <= verdict
        and outside is not None
        and outside <= scope
    ):
        return Intent(question_of_fact=False, in_scope=True, moved="veredicto")
    return intent


def _firm_no(decision: Decision) -> bool:
    """Whether a rule marked «Firme: sí» gives the «no» (its risk is a combination of facts, such
    as an official account and an election period, that the model's words cannot see)."""
    return any(a.rule.firm and a.verdict is Verdict.NO_PERMITIDO for a in decision.applied)


def _detected(decision: Decision, verdict: Verdict | None = None) -> bool:
    """Whether a rule (that gives ``verdict``, or any) rests on a detector finding (a DNI, a phone, a name)."""
    return any(
        hit.via is not None
        for applied in decision.applied
        if verdict is None or applied.verdict is verdict
        for hit in applied.triggers
    )
