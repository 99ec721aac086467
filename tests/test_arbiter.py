"""The arbiter (:mod:`bot.arbiter`): what it reads, what it learns, how it weighs the steps the
guards allow, and how its weights are stored and refused.

The examples here are made up so the lesson is unmistakable: a «sí» of the rules at a high risk
was a permissive error, a «no» at a low risk an over-restrictive one, and the rest were right."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.arbiter import (
    ARBITER_FILE,
    FEATURES,
    HEADS,
    Arbiter,
    ArbiterError,
    Labels,
    Opinions,
    features,
)
from bot.models import Verdict
from tests.helpers.arbiter import constant_arbiter

SI, CAUTELAS, NO = Verdict.PERMITIDO, Verdict.CON_CAUTELAS, Verdict.NO_PERMITIDO


def _examples() -> list[tuple[Opinions, Labels]]:
    examples: list[tuple[Opinions, Labels]] = []
    for n in range(40):
        low, high = 0.02 + n / 1000, 0.9 + n / 1000
        # A «sí» at a low risk was right; at a high risk it must not have gone out.
        examples.append((Opinions(SI, low, 0.9, 0.05), Labels(frozenset({SI}), False, False)))
        examples.append((Opinions(SI, high, 0.1, 0.8), Labels(frozenset({NO, CAUTELAS}), True, False)))
        # A «no» at a high risk was right; at a low risk the post was fine.
        examples.append((Opinions(NO, high, 0.05, 0.9), Labels(frozenset({NO}), True, False)))
        examples.append((Opinions(NO, low, 0.9, 0.05), Labels(frozenset({SI, CAUTELAS}), False, True)))
        # A caution was right in between.
        examples.append((Opinions(CAUTELAS, 0.5, 0.4, 0.4), Labels(frozenset({CAUTELAS}), n % 2 == 0, n % 3 == 0)))
    return examples


@pytest.fixture(scope="module")
def arbiter() -> Arbiter:
    return Arbiter.fit(_examples(), about={"note": "made up"})


# ------------------------------------------------------------------ what it reads


def test_the_features_are_the_rules_verdict_and_the_log_odds_of_each_estimate() -> None:
    row = features(Opinions(CAUTELAS, 0.5, 0.5, 0.5))
    assert len(row) == len(FEATURES) == 12
    assert row == [0.0] * 4 + [1.0, 0.0, 0.0, 0.0] + [0.0] * 4  # log-odds of 0.5 is 0
    yes = features(Opinions(SI, 0.9, 0.1, 1.0))
    assert yes[0] == 1.0 and yes[1] == pytest.approx(2.197, abs=1e-3) and yes[2] == pytest.approx(-2.197, abs=1e-3)
    assert yes[3] == pytest.approx(9.21, abs=0.01)  # an estimate of 1 is clipped, never infinite
    assert yes[4:] == [0.0] * 8


@pytest.mark.parametrize("verdict", [Verdict.INFORMATIVO, Verdict.SIN_BASE])
def test_it_only_weighs_verdicts_about_a_post(verdict: Verdict) -> None:
    with pytest.raises(ValueError, match="solo pesa veredictos sobre una publicación"):
        features(Opinions(verdict, 0.5, 0.5, 0.5))


# ------------------------------------------------------------------ what it learns


def test_it_learns_when_each_verdict_of_the_rules_goes_wrong(arbiter: Arbiter) -> None:
    risky_yes = arbiter.estimate(Opinions(SI, 0.92, 0.1, 0.8))
    assert risky_yes["permissive"] > 0.9 and risky_yes["right:permitido"] < 0.1
    safe_yes = arbiter.estimate(Opinions(SI, 0.03, 0.9, 0.05))
    assert safe_yes["permissive"] < 0.1 and safe_yes["right:permitido"] > 0.9
    harmless_no = arbiter.estimate(Opinions(NO, 0.03, 0.9, 0.05))
    assert harmless_no["restrictive"] > 0.9 and harmless_no["right:con_cautelas"] > 0.9
    assert arbiter.about["examples"] == 200 and arbiter.about["note"] == "made up"


def test_a_head_with_one_kind_of_answer_is_a_clear_error() -> None:
    same = [(Opinions(SI, 0.1 * n, 0.5, 0.5), Labels(frozenset({SI}), False, False)) for n in range(10)]
    with pytest.raises(ArbiterError, match="no hay de qué aprender"):
        Arbiter.fit(same)


# ------------------------------------------------------------------ how it weighs


def test_it_picks_the_allowed_verdict_of_least_expected_cost(arbiter: Arbiter) -> None:
    risky_yes = Opinions(SI, 0.92, 0.1, 0.8)
    assert arbiter.choose(risky_yes, (SI, CAUTELAS), cost=1.0) is CAUTELAS
    assert arbiter.choose(Opinions(SI, 0.03, 0.9, 0.05), (SI, CAUTELAS), cost=6.0) is SI
    assert arbiter.choose(Opinions(NO, 0.03, 0.9, 0.05), (NO, CAUTELAS), cost=1.0) is CAUTELAS
    # Only what the guards allow is weighed: a «no» backed by a detector stays a «no».
    assert arbiter.choose(Opinions(NO, 0.03, 0.9, 0.05), (NO,), cost=6.0) is NO
    assert arbiter.choose(risky_yes, (), cost=6.0) is SI


def test_the_cost_of_a_dangerous_verdict_tips_the_choice() -> None:
    # «No» is most likely right, but a «no» here would be over-restrictive half the time.
    arbiter = constant_arbiter({NO: 0.9, CAUTELAS: 0.5}, restrictive=0.5)
    opinions = Opinions(CAUTELAS, 0.5, 0.5, 0.5)
    costs = arbiter.costs(opinions, cost=0.1)
    assert costs[NO] == pytest.approx(0.0 + 0.1 * 0.5, abs=1e-6) and costs[CAUTELAS] == pytest.approx(0.5)
    assert arbiter.choose(opinions, (CAUTELAS, NO, SI), cost=0.1) is NO
    assert arbiter.choose(opinions, (CAUTELAS, NO, SI), cost=6.0) is CAUTELAS


def test_on_a_tie_the_rules_keep_their_verdict() -> None:
    arbiter = constant_arbiter({SI: 0.5, CAUTELAS: 0.5, NO: 0.5})
    for verdict in (SI, CAUTELAS, NO):
        assert arbiter.choose(Opinions(verdict, 0.5, 0.5, 0.5), (SI, CAUTELAS, NO), cost=0.0) is verdict


# ------------------------------------------------------------------ its weights


def test_the_weights_are_saved_and_read_back(arbiter: Arbiter, tmp_path: Path) -> None:
    path = tmp_path / "arbitro.json"
    arbiter.save(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["features"] == list(FEATURES) and sorted(data["weights"]) == sorted(HEADS)
    again = Arbiter.load(path)
    assert again.weights == arbiter.weights and again.about["note"] == "made up"
    opinions = Opinions(NO, 0.2, 0.6, 0.3)
    assert again.costs(opinions, 6.0) == arbiter.costs(opinions, 6.0)


def test_the_shipped_weights_load_and_weigh_as_learned() -> None:
    shipped = Arbiter.load(ARBITER_FILE)
    assert shipped.about["examples"] > 1000 and shipped.about["batches"] > 10
    # What the cross-validation taught it: a «sí» to a message much like those that must not go out
    # is hedged; a «sí» to one much like the harmless ones stands.
    assert shipped.choose(Opinions(SI, 0.9, 0.05, 0.9), (SI, CAUTELAS), cost=6.0) is CAUTELAS
    assert shipped.choose(Opinions(SI, 0.02, 0.95, 0.01), (SI, CAUTELAS), cost=6.0) is SI


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no se pueden leer los pesos"),
        ("{no es json", "no se pueden leer los pesos"),
        (json.dumps({"version": 99}), "versión de pesos distinta"),
        (json.dumps({"version": 1, "features": ["otra"]}), "otras características"),
        (json.dumps({"version": 1, "features": list(FEATURES)}), "faltan los pesos"),
        (json.dumps({"version": 1, "features": list(FEATURES), "weights": {"permissive": ["x"]}}), "ilegibles"),
        (json.dumps({"version": 1, "features": list(FEATURES), "weights": {"permissive": [0.0] * 12}}), "faltan pesos"),
    ],
)
def test_unusable_weights_are_refused_with_a_clear_error(tmp_path: Path, content: str | None, message: str) -> None:
    path = tmp_path / "arbitro.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(ArbiterError, match=message):
        Arbiter.load(path)
