"""A second opinion from labelled examples, for the verdicts the rules give with confidence.

The rules (:mod:`bot.decision`) decide from the words they know. On questions nobody here has
seen, two of their mistakes matter most: a plain «sí» for a post that must not go out, because
the words that say so are not in the signal book; and a plain «no» for a harmless post, because
a phrase matched in another sense («ratos muertos», «nadie se lo merece más»). This module learns,
from the evaluation cases that QA labels (the dev split only: ``evals/cases/*.jsonl``, never
``evals/cases/test/``), how likely a plain «sí» is to be wrong for a question and its draft.

It never decides a verdict. When it strongly disagrees with the rules, :func:`reconsider`
turns their «sí» or «no» into «sí, con cautelas», and the answer says why: against a «sí», the
words of the message that raised the doubt; against a «no», the rule and what triggered it. A «no» never comes from here (no verdict rests on words that merely look
like others), and a «no» backed by a detector finding (a DNI, a phone, a name) stays a «no».

The model is a logistic regression on TF-IDF word and character n-grams (scikit-learn), trained
on the first question after start-up and cached under ``<data_dir>/doubt/`` with a key of the
cases' content, so it is retrained only when QA changes the cases. It keeps no question text:
only what it learned from the labelled cases.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import sklearn
from filelock import FileLock, Timeout
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from bot.decision import Decision, Doubt
from bot.models import Verdict
from bot.text import STOPWORDS

log = logging.getLogger(__name__)

#: Bumped when the features or the model change, so cached models are not reused.
MODEL_VERSION = 1
#: Fewer labelled cases of either kind than this, and there is no second opinion.
MIN_CASES = 20
#: How long a process waits for another one training the same model.
LOCK_SECONDS = 120.0
#: How many words of the message the answer names as the reason for the doubt.
SHOWN_WORDS = 3
_PUBLICATION = {Verdict.PERMITIDO.value, Verdict.CON_CAUTELAS.value, Verdict.NO_PERMITIDO.value}


@dataclass(frozen=True)
class LabelledCase:
    """A question (and its draft) and whether a plain «sí» to it would be a mistake."""

    text: str
    risky: bool


def case_text(question: str, draft: str | None) -> str:
    """What the model reads: the question and the draft, as the rules read them."""
    return f"{question}\n{draft or ''}".strip()


def load_cases(folder: Path) -> tuple[list[LabelledCase], list[str]]:
    """The labelled cases of the ``*.jsonl`` files right in ``folder`` (not in its subfolders:
    the test split is never learned), and the problems found. A case counts when it expects a
    verdict about a post; it is risky when it forbids ``permitido``. A broken line is skipped
    and reported, never fatal."""
    cases: list[LabelledCase] = []
    problems: list[str] = []
    for path in sorted(folder.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                case = json.loads(line)
                expected = set(case["expect_verdict"])
                forbidden = set(case.get("forbid_verdict") or ())
                question = str(case["question"])
            except (ValueError, KeyError, TypeError) as exc:
                problems.append(f"{path.name}:{number}: caso ilegible ({exc})")
                continue
            if expected & _PUBLICATION:
                text = case_text(question, case.get("draft"))
                cases.append(LabelledCase(text, Verdict.PERMITIDO.value in forbidden))
    return cases, problems


class DoubtModel:
    """How likely a plain «sí» is to be wrong for a message, learned from labelled cases."""

    def __init__(self, pipeline: Pipeline) -> None:
        self._pipeline = pipeline
        union: FeatureUnion = pipeline.named_steps["features"]
        self._words: TfidfVectorizer = dict(union.transformer_list)["words"]
        classifier: LogisticRegression = pipeline.named_steps["classifier"]
        width = len(self._words.vocabulary_)
        self._weights = classifier.coef_[0][:width]  # the word features come first in the union
        self._names = self._words.get_feature_names_out()
        self._idf = self._words.idf_
        self._index: dict[str, int] = self._words.vocabulary_
        single = [self._idf[j] for name, j in self._index.items() if " " not in name]
        self._common = float(np.quantile(single, COMMON_QUANTILE)) if single else 0.0
        self._fold = self._words.build_preprocessor()
        self._token = re.compile(self._words.token_pattern)

    @classmethod
    def train(cls, cases: Sequence[LabelledCase]) -> DoubtModel:
        """Fit on ``cases``; :class:`ValueError` when either kind has fewer than :data:`MIN_CASES`."""
        risky = sum(c.risky for c in cases)
        if min(risky, len(cases) - risky) < MIN_CASES:
            raise ValueError(
                f"hacen falta {MIN_CASES} casos de cada clase; hay {risky} con riesgo y {len(cases) - risky} sin"
            )
        features = FeatureUnion(
            [
                ("words", _vectorizer(analyzer="word", ngram_range=(1, 2))),
                ("chars", _vectorizer(analyzer="char_wb", ngram_range=(3, 5))),
            ]
        )
        classifier = LogisticRegression(C=4.0, max_iter=2000, class_weight="balanced")
        pipeline = Pipeline([("features", features), ("classifier", classifier)])
        pipeline.fit([c.text for c in cases], [int(c.risky) for c in cases])
        return cls(pipeline)

    def risk(self, text: str) -> float:
        """The estimated probability that a plain «sí» to ``text`` would be a mistake."""
        return float(self._pipeline.predict_proba([text])[0][1])

    def words(self, text: str, limit: int = SHOWN_WORDS) -> tuple[str, ...]:
        """The words of ``text``, as written there, that weigh most toward risk. Pairs of words
        weigh in the estimate but are not named («receta de»), nor are function words («que»,
        «los») or words common to many cases («puedo», «fotos»)."""
        row = self._words.transform([text])
        weighed = sorted(
            ((self._weights[j] * value, str(self._names[j])) for j, value in zip(row.indices, row.data, strict=True)),
            reverse=True,
        )
        # The text's words as the vectorizer reads them, with where they are written.
        spans = [(self._fold(m.group()), m.start(), m.end()) for m in self._token.finditer(text)]
        chosen: list[str] = []
        for weight, name in weighed:
            if weight <= 0 or len(chosen) >= limit:
                break
            if " " in name or len(name) < _SHORT or name in STOPWORDS or self._idf[self._index[name]] < self._common:
                continue
            written = next((text[a:b] for folded, a, b in spans if folded == name), None)
            if written and written.lower() not in {c.lower() for c in chosen}:
                chosen.append(written)
        return tuple(chosen)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.partial")
        joblib.dump(self._pipeline, partial)
        partial.replace(path)

    @classmethod
    def load(cls, path: Path) -> DoubtModel:
        return cls(joblib.load(path))


#: The most common words of the cases, this share of them («puedo», «fotos», «vídeo»), weigh in
#: the estimate but say nothing about this message: they are not named.
COMMON_QUANTILE = 0.1
#: Words shorter than this («de», «que», «los») are not named as a reason.
_SHORT = 4


def _vectorizer(**options: Any) -> TfidfVectorizer:
    return TfidfVectorizer(min_df=2, sublinear_tf=True, strip_accents="unicode", lowercase=True, **options)


class DoubtSource:
    """The model for the cases in ``folder``, trained once and cached in ``cache_dir``.

    ``get()`` returns ``None`` when there is no folder, too few cases or the training failed
    (the bot then answers from the rules alone, as before); it never raises.
    """

    def __init__(self, folder: Path | None, cache_dir: Path) -> None:
        self.folder = folder
        self.cache_dir = cache_dir
        self._lock = threading.Lock()
        self._loaded = False
        self._model: DoubtModel | None = None

    def get(self) -> DoubtModel | None:
        with self._lock:
            if not self._loaded:
                self._model = self._build()
                self._loaded = True
            return self._model

    def _build(self) -> DoubtModel | None:
        if self.folder is None:
            return None
        if not self.folder.is_dir():
            log.warning("segunda opinión desactivada: no existe la carpeta de casos %s", self.folder)
            return None
        cases, problems = load_cases(self.folder)
        for problem in problems:
            log.warning("casos de evaluación: %s", problem)
        path = self.cache_dir / f"modelo-{_key(cases)}.joblib"
        try:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            # Processes started together (evaluation jobs, replicas) train once; the rest load it.
            with FileLock(self.cache_dir / "entrenando.lock", timeout=LOCK_SECONDS):
                return self._load_or_train(path, cases)
        except (OSError, Timeout) as exc:
            log.warning("segunda opinión: sin caché en %s (%s)", self.cache_dir, exc)
            return self._load_or_train(path, cases)

    def _load_or_train(self, path: Path, cases: list[LabelledCase]) -> DoubtModel | None:
        if path.is_file():
            try:
                return DoubtModel.load(path)
            except Exception as exc:  # a stale or broken cache is rebuilt, not fatal
                log.warning("segunda opinión: no se puede leer %s (%s); se vuelve a entrenar", path.name, exc)
        try:
            model = DoubtModel.train(cases)
        except ValueError as exc:
            log.warning("segunda opinión desactivada: %s", exc)
            return None
        try:
            for old in self.cache_dir.glob("modelo-*.joblib"):
                if old != path:
                    old.unlink(missing_ok=True)
            model.save(path)
        except OSError as exc:
            log.warning("segunda opinión: no se puede guardar en %s (%s)", self.cache_dir, exc)
        return model


def _key(cases: Iterable[LabelledCase]) -> str:
    digest = hashlib.sha256(f"{MODEL_VERSION}:{sklearn.__version__}".encode())
    for case in cases:
        digest.update(f"{int(case.risky)}\t{case.text}\n".encode())
    return digest.hexdigest()[:16]


def reconsider(decision: Decision, model: DoubtModel | None, text: str, *, high: float, low: float) -> Decision:
    """``decision`` with its «sí» or «no» turned into «sí, con cautelas» when ``model`` strongly
    disagrees: a «sí» whose risk is at least ``high``, a «no» whose risk is at most ``low``
    and that no detector finding backs. Any other decision is returned as it is."""
    if model is None or decision.verdict not in (Verdict.PERMITIDO, Verdict.NO_PERMITIDO):
        return decision
    risk = model.risk(text)
    if decision.verdict is Verdict.PERMITIDO and risk >= high:
        doubt = Doubt("riesgo", risk, model.words(text))
    elif decision.verdict is Verdict.NO_PERMITIDO and risk <= low and not _detected(decision):
        doubt = Doubt("inocuo", risk)  # the answer shows the rule and the words that made it apply
    else:
        return decision
    return replace(decision, verdict=Verdict.CON_CAUTELAS, doubt=doubt)


def _detected(decision: Decision) -> bool:
    """Whether a rule that says «no» rests on a detector finding (a DNI, a phone, a name)."""
    return any(
        hit.via is not None
        for applied in decision.applied
        if applied.verdict is Verdict.NO_PERMITIDO
        for hit in applied.triggers
    )
