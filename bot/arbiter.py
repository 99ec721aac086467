"""A learned choice of the verdict, among the steps the second opinion may take.

The second opinion (:mod:`bot.doubt`) moves the rules' verdict one step when its estimates
strongly disagree. Which step, and when, was a set of thresholds chosen by hand on the
cross-validation: a «sí» at a risk of 0.3 or more becomes «con cautelas», and so on. The
:class:`Arbiter` learns that choice instead, from how the rules' first answers fared on questions
the model had never seen (``evals/primeras_respuestas.jsonl`` and each batch's estimates from a
model trained without it: ``python -m evals segunda-opinion --aprender-arbitro``).

From the rules' verdict and the three estimates it gives, for each verdict about a post, how
likely it is right, and how likely a «sí» would be a permissive error and a «no» an
over-restrictive one. It then picks, among the verdicts the guards of
:func:`bot.doubt.reconsider` allow (never two steps, never a «no» without evidence, never
softening a detector finding or a firm rule), the one with the least expected cost: a wrong
verdict costs 1, a dangerous one ``cost`` more. The arbiter only weighs; the guards decide what
may be weighed.

A follow-up in a conversation has its own arbiter (:data:`FOLLOW_UP_ARBITER_FILE`), learned the
same way from the later turns of the dev conversations, each weighed by a model of follow-ups
that never saw its file: that model's estimates do not mean what the cases' model's do.

The weights are small JSON files shipped with the code, like the thresholds they replace;
:meth:`Arbiter.load` reports a missing or broken one with a clear :class:`ArbiterError`, and the
bot then falls back to the thresholds.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.errors import InputError
from bot.models import Verdict

#: The weights shipped with the bot, for a question on its own.
ARBITER_FILE = Path(__file__).parent / "arbitro.json"
#: The weights shipped for a follow-up in a conversation, weighed on the estimates of the model
#: learned from follow-ups (``python -m evals segunda-opinion --aprender-arbitro-seguimientos``).
FOLLOW_UP_ARBITER_FILE = Path(__file__).parent / "arbitro_seguimientos.json"
#: Bumped when the features change, so an old weights file is refused rather than misread.
ARBITER_VERSION = 1
#: The verdicts about a post, in the order of the features.
VERDICTS = (Verdict.PERMITIDO, Verdict.CON_CAUTELAS, Verdict.NO_PERMITIDO)
#: What each head estimates: that each verdict is right, and that a «sí» or a «no» is dangerous.
HEADS = ("right:permitido", "right:con_cautelas", "right:no_permitido", "permissive", "restrictive")
#: Per rules' verdict: a bias and the log-odds of the three estimates (risk, fine, prohibited).
FEATURES = tuple(f"{v.value}:{name}" for v in VERDICTS for name in ("bias", "risk", "fine", "prohibited"))
#: Estimates are clipped this far from 0 and 1 before their log-odds are taken.
_EPSILON = 1e-4


class ArbiterError(InputError, ValueError):
    """Weights that cannot be used (a missing or unreadable file, other features) or learned
    (answers that all say the same)."""


@dataclass(frozen=True)
class Opinions:
    """What the arbiter weighs: the rules' verdict and the second opinion's three estimates."""

    verdict: Verdict
    risk: float
    fine: float
    prohibited: float


@dataclass(frozen=True)
class Labels:
    """How a verdict about a post would fare on one labelled question."""

    #: The verdicts the question accepts.
    right: frozenset[Verdict]
    #: A «sí» would be a permissive error.
    permissive: bool
    #: A «no» would be an over-restrictive error.
    restrictive: bool


def features(opinions: Opinions) -> list[float]:
    """The features of ``opinions``, in the order of :data:`FEATURES`. ``ValueError`` for a
    verdict that is not about a post."""
    if opinions.verdict not in VERDICTS:
        raise ValueError(f"el árbitro solo pesa veredictos sobre una publicación, no «{opinions.verdict.value}»")
    odds = [_logit(p) for p in (opinions.risk, opinions.fine, opinions.prohibited)]
    row: list[float] = []
    for verdict in VERDICTS:
        on = 1.0 if verdict is opinions.verdict else 0.0
        row += [on, *(on * x for x in odds)]
    return row


def _logit(p: float) -> float:
    p = min(max(p, _EPSILON), 1 - _EPSILON)
    return math.log(p / (1 - p))


@dataclass(frozen=True)
class Arbiter:
    """Weights of one logistic regression per head (:data:`HEADS`) over :data:`FEATURES`."""

    weights: Mapping[str, tuple[float, ...]]
    #: How it was learned (rows, batches, regularisation, date): shown, never used.
    about: Mapping[str, Any]

    def __post_init__(self) -> None:
        missing = [h for h in HEADS if len(self.weights.get(h, ())) != len(FEATURES)]
        if missing:
            raise ArbiterError(f"faltan pesos, o no son {len(FEATURES)}, para: {', '.join(missing)}")

    @classmethod
    def fit(
        cls,
        examples: Sequence[tuple[Opinions, Labels]],
        *,
        regularisation: float = 1.0,
        about: Mapping[str, Any] | None = None,
    ) -> Arbiter:
        """Learn the heads from ``examples`` (the opinions and how each verdict fared).
        :class:`ArbiterError` when a head has only one kind of answer to learn from."""
        from sklearn.linear_model import LogisticRegression

        matrix = [features(s) for s, _ in examples]
        labels = {
            **{f"right:{v.value}": [v in o.right for _, o in examples] for v in VERDICTS},
            "permissive": [o.permissive for _, o in examples],
            "restrictive": [o.restrictive for _, o in examples],
        }
        weights: dict[str, tuple[float, ...]] = {}
        for head, values in labels.items():
            if len(set(values)) < 2:
                raise ArbiterError(f"no hay de qué aprender «{head}»: todos los ejemplos dicen lo mismo")
            # The one-hot bias of each rules' verdict is the intercept.
            model = LogisticRegression(C=regularisation, max_iter=3000, fit_intercept=False).fit(matrix, values)
            weights[head] = tuple(float(w) for w in model.coef_[0])
        return cls(weights, {"regularisation": regularisation, "examples": len(examples), **(about or {})})

    def estimate(self, opinions: Opinions) -> dict[str, float]:
        """Each head's probability for ``opinions``."""
        row = features(opinions)
        return {head: _sigmoid(sum(w * x for w, x in zip(self.weights[head], row, strict=True))) for head in HEADS}

    def costs(self, opinions: Opinions, cost: float) -> dict[Verdict, float]:
        """The expected cost of each verdict about a post: wrong 1, dangerous ``cost`` more."""
        p = self.estimate(opinions)
        danger = {Verdict.PERMITIDO: p["permissive"], Verdict.NO_PERMITIDO: p["restrictive"]}
        return {v: 1 - p[f"right:{v.value}"] + cost * danger.get(v, 0.0) for v in VERDICTS}

    def choose(self, opinions: Opinions, allowed: Iterable[Verdict], cost: float) -> Verdict:
        """The verdict of ``allowed`` with the least expected cost (the rules' own on a tie)."""
        costs = self.costs(opinions, cost)
        options = [v for v in allowed if v in costs]
        if not options:
            return opinions.verdict
        return min(options, key=lambda v: (costs[v], v is not opinions.verdict))

    def save(self, path: Path = ARBITER_FILE) -> None:
        data = {
            "version": ARBITER_VERSION,
            "features": list(FEATURES),
            "weights": {h: list(self.weights[h]) for h in HEADS},
            "about": dict(self.about),
        }
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path = ARBITER_FILE) -> Arbiter:
        """The weights in ``path``; :class:`ArbiterError` says why they cannot be used."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ArbiterError(f"no se pueden leer los pesos del árbitro en {path}: {exc}") from None
        if not isinstance(data, dict) or data.get("version") != ARBITER_VERSION:
            raise ArbiterError(f"{path.name}: versión de pesos distinta de {ARBITER_VERSION}")
        if data.get("features") != list(FEATURES):
            raise ArbiterError(f"{path.name}: los pesos son de otras características")
        weights = data.get("weights")
        if not isinstance(weights, dict):
            raise ArbiterError(f"{path.name}: faltan los pesos")
        try:
            parsed = {str(h): tuple(float(w) for w in ws) for h, ws in weights.items()}
        except (TypeError, ValueError) as exc:
            raise ArbiterError(f"{path.name}: pesos ilegibles ({exc})") from None
        return cls(parsed, dict(data.get("about") or {}))


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1 / (1 + math.exp(-z))
    e = math.exp(z)
    return e / (1 + e)
