"""``python -m evals segunda-opinion``: each batch's first answers reconsidered by a model
trained without that batch, so the thresholds are chosen on questions the model had not seen."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

import pytest

from bot.arbiter import Arbiter
from bot.doubt import SIGNAL_PREFIX, DoubtModel, Estimates, LabelledCase, case_text
from bot.models import Verdict
from evals.__main__ import main
from evals.dataset import Case, DatasetError
from evals.second_opinion import (
    FirstAnswer,
    Judged,
    Thresholds,
    add_first_answers,
    batch_of,
    cross_validate,
    cross_validate_arbiter,
    cross_validate_first_turns,
    cross_validate_follow_ups,
    examples,
    firm_rules,
    learn_arbiter,
    read_first_answers,
    retraining_noise,
)

TOPICS = ["la excursión", "el cartel", "el taller", "el concierto", "la charla", "el mercadillo"]


def _batch(folder: Path, name: str, prefix: str) -> None:
    lines = []
    for n, topic in enumerate(TOPICS * 4):
        risky = n % 2 == 0
        lines.append(
            {
                "id": f"{prefix}{n:03d}",
                "question": f"¿Puedo subir {topic} número {n}? "
                + ("Sale la zarandaja." if risky else "Con flamenquín."),
                "expect_verdict": ["no_permitido"] if risky else ["permitido"],
                "forbid_verdict": ["permitido"] if risky else ["no_permitido"],
            }
        )
    _write(folder, name, lines)


def _write(folder: Path, name: str, lines: Sequence[Mapping[str, object]]) -> None:
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.jsonl").write_text("\n".join(json.dumps(c, ensure_ascii=False) for c in lines) + "\n")


def _answers(folder: Path, rows: Sequence[Mapping[str, object]]) -> dict[str, FirstAnswer]:
    """``rows`` written as a first-answers file in ``folder``, and read back as the CLI reads it."""
    path = folder / "primeras.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return read_first_answers(path)


@pytest.fixture
def learned_from(monkeypatch: pytest.MonkeyPatch) -> list[set[str]]:
    """The texts each model is trained on, in the order the models are trained."""
    trained: list[set[str]] = []
    original = DoubtModel.train.__func__  # type: ignore[attr-defined]

    def recording(cls: type[DoubtModel], cases: list[LabelledCase]) -> DoubtModel:
        trained.append({c.text for c in cases})
        return original(cls, cases)

    monkeypatch.setattr(DoubtModel, "train", classmethod(recording))
    return trained


@pytest.fixture
def cases_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "cases"
    folder.mkdir()
    _batch(folder, "independientes1-borradores", "A")
    _batch(folder, "independientes1-inocuos", "B")
    _batch(folder, "independientes2-borradores", "C")
    _batch(folder, "condiciones", "D")
    return folder


def test_batches_are_the_files_written_together() -> None:
    assert batch_of("independientes26-borradores") == "independientes26"
    assert batch_of("examen-ebep-dev7") == "examen-ebep-dev7"
    assert batch_of("condiciones") == "condiciones"


def test_each_batch_is_judged_by_a_model_that_never_saw_it(cases_dir: Path) -> None:
    # The rules said «sí» to everything in batch 1 and «no» to everything in batch 2.
    answers = {
        **{f"A{n:03d}": Verdict.PERMITIDO for n in range(24)},
        **{f"B{n:03d}": Verdict.PERMITIDO for n in range(24)},
        **{f"C{n:03d}": Verdict.NO_PERMITIDO for n in range(24)},
    }
    first = cases_dir.parent / "primeras.jsonl"
    first.write_text(
        "".join(json.dumps({"id": i, "veredicto": v.value, "reglas": ["Regla 1"]}) + "\n" for i, v in answers.items())
    )
    chosen, other = Thresholds(0.5, 0.25, 0.8), Thresholds(0.5, 0.25, 1.0)
    outcomes, totals = cross_validate(chosen, cases_dir, read_first_answers(first), grid=[other])
    by_batch = {o.batch: o for o in outcomes}
    assert set(by_batch) == {"independientes1", "independientes2"}  # «condiciones» has no first answers
    one, two = by_batch["independientes1"], by_batch["independientes2"]
    assert one.before.cases == 48 and one.before.right == 24 and one.before.permissive == 24
    assert one.after.permissive == 0 and one.after.right == 24  # risky «sí» → con cautelas
    assert two.before.restrictive == 12 and two.after.restrictive == 0  # harmless «no» → con cautelas
    assert totals[other].cases == 72


def test_a_batch_can_be_left_out_entirely(cases_dir: Path) -> None:
    answers = {f"C{n:03d}": "no_permitido" for n in range(24)}
    first = cases_dir.parent / "primeras.jsonl"
    first.write_text("".join(json.dumps({"id": i, "veredicto": v, "reglas": []}) + "\n" for i, v in answers.items()))
    outcomes, _ = cross_validate(
        Thresholds(0.5, 0.25, 0.8), cases_dir, read_first_answers(first), exclude=["independientes2"]
    )
    assert outcomes == []


def test_first_answers_are_added_once_from_a_report(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    rows = [{"id": "a001", "verdict": "permitido", "rules": ["Regla 1"]}, {"id": "a002", "verdict": None, "rules": []}]
    report.write_text(json.dumps({"created_at": "2026-12-02T04:00:00", "cases": {"hybrid": rows, "bm25": rows}}))
    path = tmp_path / "primeras.jsonl"
    assert add_first_answers(report, path) == 1  # a case with no verdict (an error) is not an answer
    assert add_first_answers(report, path) == 0  # the first answer is kept, never replaced
    assert read_first_answers(path)["a001"].rules == ("Regla 1",)
    path.write_text(path.read_text() + "{roto\n")
    with pytest.raises(DatasetError, match=r"primeras\.jsonl:2"):
        read_first_answers(path)


def test_the_repository_file_names_known_verdicts() -> None:
    answers = read_first_answers()
    assert len(answers) > 1000 and all(isinstance(a.verdict, Verdict) for a in answers.values())


def test_the_command_prints_a_table_per_batch(cases_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = cases_dir.parent / "primeras.jsonl"
    first.write_text(
        "".join(json.dumps({"id": f"A{n:03d}", "veredicto": "permitido", "reglas": []}) + "\n" for n in range(24))
    )
    args = ["--casos", str(cases_dir), "--primeras", str(first), "--alto", "0.5", "--bajo", "0.25", "--seguro", "0.8"]
    args += ["--consulta", "1", "--ambito", "0", "--conversaciones", str(cases_dir.parent / "no-hay")]
    assert main(["segunda-opinion", *args]) == 0
    out = capsys.readouterr().out
    assert "independientes1 | 24 | 0.500 · peligrosos 12 (12/0) | 0.500 · peligrosos 0 (0/0)" in out
    assert any(line.startswith("TOTAL | 24 |") for line in out.splitlines())
    assert out.splitlines()[-1].startswith("TOTAL | 0 |")  # no conversations: no first turns nor follow-ups judged
    assert "Seguimientos (turnos 2 y siguientes)" in out


def test_the_noise_of_retraining_retrains_on_a_random_part_of_dev_and_judges_every_first_answer(
    cases_dir: Path, learned_from: list[set[str]]
) -> None:
    answers = {f"A{n:03d}": "permitido" for n in range(24)} | {f"C{n:03d}": "no_permitido" for n in range(24)}
    first = _answers(cases_dir.parent, [{"id": i, "veredicto": v, "reglas": []} for i, v in answers.items()])
    chosen = Thresholds(0.5, 0.25, 0.8, query=1.0, scope=0.0)
    everything, draws = retraining_noise(chosen, cases_dir, first, draws=2, dropped=0.25)
    assert everything.cases == 48 and [d.tally.cases for d in draws] == [48, 48]
    # One model on all of dev, then one per draw on part of it (the four files repeat their questions).
    assert len(learned_from) == 3 and learned_from[1] <= learned_from[0] and learned_from[2] <= learned_from[0]
    assert all(0 < d.learned < 96 for d in draws)
    assert all(0 <= d.changed <= 48 for d in draws)
    # The same seeds draw the same parts: the figure can be measured again.
    again = retraining_noise(chosen, cases_dir, first, draws=2, dropped=0.25)
    assert again == (everything, draws)


def test_the_noise_of_retraining_needs_a_part_between_nothing_and_everything(cases_dir: Path) -> None:
    with pytest.raises(ValueError, match="entre 0 y 1"):
        retraining_noise(Thresholds(0.5, 0.25, 0.8), cases_dir, {}, dropped=1.0)


def test_the_command_prints_the_noise_of_retraining(cases_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = cases_dir.parent / "primeras.jsonl"
    first.write_text(
        "".join(json.dumps({"id": f"A{n:03d}", "veredicto": "permitido", "reglas": []}) + "\n" for n in range(24))
    )
    args = ["--casos", str(cases_dir), "--primeras", str(first), "--conversaciones", str(cases_dir.parent / "no")]
    assert main(["segunda-opinion", *args, "--ruido", "2", "--ruido-parte", "0.2"]) == 0
    out = capsys.readouterr().out
    assert "todo dev | — | " in out
    assert "sin un 20% al azar (semilla 1) | " in out and "sin un 20% al azar (semilla 2) | " in out
    assert "horquilla del veredicto: " in out
    assert "independientes1 |" not in out  # no cross-validation table
    assert main(["segunda-opinion", *args, "--ruido", "1", "--ruido-parte", "0"]) == 2


def _conversations(folder: Path, name: str, prefix: str) -> None:
    lines = []
    for n, topic in enumerate(TOPICS * 6):
        risky = n % 2 == 0
        first = {
            "question": f"¿Puedo colgar {topic} del día {n} en {prefix}? "
            + ("Lleva berenjena." if risky else "Lleva pestiños."),
            "expect_verdict": ["no_permitido"] if risky else ["permitido"],
            "forbid_verdict": ["permitido"] if risky else ["no_permitido"],
        }
        later = {"question": "¿Y si lo cambio?", "expect_verdict": ["con_cautelas"]}
        lines.append({"id": f"{prefix}{n:03d}", "turns": [first, later]})
    _write(folder, name, lines)


def test_each_conversation_files_first_turns_are_judged_by_a_model_that_never_saw_them(
    cases_dir: Path, learned_from: list[set[str]]
) -> None:
    conversations = cases_dir.parent / "conversations"
    _conversations(conversations, "conversaciones1", "P")
    _conversations(conversations, "conversaciones2", "Q")
    # The rules said «sí» to every first turn of the first file; the later turns are never judged.
    rows = [{"id": f"P{n:03d}.1", "veredicto": "permitido", "reglas": []} for n in range(36)]
    rows += [{"id": f"P{n:03d}.2", "veredicto": "permitido", "reglas": []} for n in range(36)]
    answers = _answers(cases_dir.parent, rows)
    chosen = Thresholds(0.7, 0.25, 0.8)
    [learned] = cross_validate_first_turns(chosen, conversations, answers, cases_dir)
    assert learned.batch == "conversaciones1" and learned.before.cases == 36 and learned.before.permissive == 18
    assert learned.after.permissive == 0  # the risky «sí» are hedged
    judged = {
        case_text(c["turns"][0]["question"], None) for c in map(json.loads, _lines(conversations, "conversaciones1"))
    }
    [trained] = learned_from  # one file judged: one model, with the other file's first turns, not this one's
    assert len(trained) > 24 and not judged & trained
    cross_validate_first_turns(chosen, conversations, answers, cases_dir, learn_first_turns=False)
    assert not {t for t in learned_from[-1] if "Lleva" in t}  # the cases alone


def _lines(folder: Path, name: str) -> list[str]:
    return [line for line in (folder / f"{name}.jsonl").read_text().splitlines() if line.strip()]


def test_the_cases_cross_validation_can_learn_the_conversations_first_turns_too(cases_dir: Path) -> None:
    conversations = cases_dir.parent / "conversations"
    _conversations(conversations, "conversaciones1", "P")
    answers = _answers(
        cases_dir.parent, [{"id": f"A{n:03d}", "veredicto": "permitido", "reglas": []} for n in range(24)]
    )
    (cases_dir / "independientes1-borradores.jsonl").write_text(
        "".join(
            json.dumps(
                {
                    "id": f"A{n:03d}",
                    "question": f"¿Puedo colgar la foto {n}? Lleva pestiños.",
                    "expect_verdict": ["permitido"],
                    "forbid_verdict": ["no_permitido"],
                },
                ensure_ascii=False,
            )
            + "\n"
            for n in range(24)
        )
    )
    chosen = Thresholds(0.7, 0.25, 0.8)
    args = (chosen, cases_dir, answers)
    [without], _ = cross_validate(*args)
    [with_turns], _ = cross_validate(*args, conversations_dir=conversations)
    # «pestiños» is harmless only in the conversations' first turns: learned, the «sí» stay.
    assert without.after.right < with_turns.after.right == 24


def _follow_ups(folder: Path, name: str, prefix: str, *, caution: bool = False) -> None:
    """Conversations whose second turn is risky (even ``n``) or harmless (odd), on a draft pasted first
    (with ``caution``, half of each kind also accept a «con cautelas»)."""
    lines = []
    for n, topic in enumerate(TOPICS * 8):
        first = {"question": f"¿Puedo colgar {topic}?", "draft": f"Borrador {n}", "expect_verdict": ["con_cautelas"]}
        also = ["con_cautelas"] if caution and n % 4 > 1 else []
        later = (
            {"question": f"¿Y si sale la zarandaja el día {n}?", "expect_verdict": ["no_permitido", *also]}
            if n % 2 == 0
            else {"question": f"¿Y con flamenquín el día {n}?", "expect_verdict": ["permitido", *also]}
        )
        lines.append({"id": f"{prefix}{n:03d}", "turns": [first, later]})
    _write(folder, name, lines)


def test_each_conversation_files_follow_ups_are_judged_by_a_model_learned_from_the_others(
    cases_dir: Path, learned_from: list[set[str]]
) -> None:
    conversations = cases_dir.parent / "conversations"
    _follow_ups(conversations, "conversaciones1", "P")
    _follow_ups(conversations, "conversaciones2", "Q")
    # The rules said «no» to every follow-up of the first file; its first turns are never judged here.
    rows = [{"id": f"P{n:03d}.2", "veredicto": "no_permitido", "reglas": ["Regla 1"]} for n in range(48)]
    rows += [{"id": f"P{n:03d}.1", "veredicto": "permitido", "reglas": []} for n in range(48)]
    answers = _answers(cases_dir.parent, rows)
    follow_ups: list[Judged] = []
    [judged] = cross_validate_follow_ups(
        Thresholds(0.5, 0.25, 0.8), conversations, answers, cases_dir, judged_out=follow_ups
    )
    assert judged.batch == "conversaciones1" and judged.rules.cases == 48
    # What the arbiter of follow-ups learns from: each follow-up, with the estimates of that model.
    assert len(follow_ups) == 48 and {j.batch for j in follow_ups} == {"conversaciones1"}
    assert all((j.estimates.risk > 0.5) == ("zarandaja" in j.case.question) for j in follow_ups)
    assert judged.rules.restrictive == 24 and judged.hedge.restrictive == 24  # the hedge never softens a «no»
    assert judged.learned.restrictive == 0 and judged.learned.right == 24  # the harmless ones become cautions
    single, later = learned_from
    # The cases' model: the cases and first turns, each followed by the signals found in it.
    assert "¿Puedo colgar la charla?\nBorrador 4\nzzsconfidencial zzsdivulgacion" in single
    assert not any(SIGNAL_PREFIX in t for t in later)  # the follow-ups' model reads words only
    # The follow-ups' model: the other file's follow-ups, each with the draft discussed, never this file's.
    assert "¿Y si sale la zarandaja el día 0?\nBorrador 0" in later and len(later) == 48
    assert not any(t.startswith("¿Puedo") for t in later)


def test_the_rules_marked_firm_are_read_from_the_guide(tmp_path: Path) -> None:
    guide = tmp_path / "guias" / "guia.md"
    guide.parent.mkdir(parents=True)
    guide.write_text(
        "## Regla 3. Una\n\n- **Veredicto:** no permitido\n- **Se aplica si:** cuenta oficial\n- **Firme:** sí\n\n"
        "## Regla 4. Otra\n\n- **Veredicto:** no permitido\n- **Se aplica si:** cuenta oficial\n",
        encoding="utf-8",
    )
    assert firm_rules(tmp_path) == frozenset({"Regla 3"})


def _judged(batch: str, n: int, verdict: Verdict) -> Judged:
    """A first answer ``verdict`` to a risky case (even ``n``: only «no» or «con cautelas» are
    right) or a harmless one (odd: «sí» or «con cautelas»), with estimates that say which."""
    risky = n % 2 == 0
    case = Case(
        id=f"{batch}-{n}",
        question=f"¿Puedo subir la foto {n}?",
        # A caution is right for half of each kind: the arbiter learns when it is.
        expect_verdict=(["no_permitido"] if risky else ["permitido"]) + (["con_cautelas"] if n % 4 > 1 else []),
        forbid_verdict=["permitido"] if risky else ["no_permitido"],
    )
    spread = (n % 10) / 100
    estimates = Estimates(0.85 + spread, 0.1, 0.8, 0.0, 0.0) if risky else Estimates(0.05 + spread, 0.9, 0.1, 0.0, 0.0)
    return Judged(batch, case, FirstAnswer(case.id, verdict, ("Regla 1",)), estimates)


def test_each_batch_is_weighed_by_an_arbiter_learned_from_the_others() -> None:
    # The rules said «sí» to batch a and «no» to batch b; c and d teach both mistakes.
    judged = [_judged(b, n, v) for b, v in (("a", Verdict.PERMITIDO), ("b", Verdict.NO_PERMITIDO)) for n in range(20)]
    judged += [
        _judged(b, n, v) for b in ("c", "d") for v in (Verdict.PERMITIDO, Verdict.NO_PERMITIDO) for n in range(20)
    ]
    judged.append(Judged("a", judged[0].case, FirstAnswer("x", Verdict.INFORMATIVO, ()), judged[0].estimates))
    assert len(examples(judged)) == 120  # an answer that is not about a post teaches nothing
    # Thresholds that never move anything, so only the arbiter does.
    by_cost = cross_validate_arbiter(judged, Thresholds(1.0, 0.0, 1.0), [1.0, 50.0])
    one = {o.batch: o for o in by_cost[1.0]}
    assert set(one) == {"a", "b", "c", "d"}
    a, b = one["a"], one["b"]
    assert a.before.permissive == 10 and a.after.permissive == 10  # the rules, and the thresholds that keep them
    # Its risky «sí» become cautions (right for half of them); its harmless ones stay.
    assert a.arbitrated is not None and a.arbitrated.permissive == 0 and a.arbitrated.right == 15
    assert b.before.restrictive == 10 and b.arbitrated is not None and b.arbitrated.restrictive == 0
    assert a.arbitrated.cases == 21  # the informative answer is judged too, and left as it was


def test_a_follow_up_is_weighed_on_its_step_alone_never_read_again_as_a_question_of_fact() -> None:
    # Estimates that would read a plain question on its own as asking what the rules say.
    judged = [
        replace(j, estimates=replace(j.estimates, informative=0.99))
        for b, v in (("a", Verdict.PERMITIDO), ("c", Verdict.NO_PERMITIDO), ("d", Verdict.PERMITIDO))
        for n in range(20)
        if (j := _judged(b, n, v))
    ]
    keep = Thresholds(1.0, 0.0, 1.0, query=0.5)
    [as_questions] = [o for o in cross_validate_arbiter(judged, keep, [1.0])[1.0] if o.batch == "a"]
    [as_follow_ups] = [o for o in cross_validate_arbiter(judged, keep, [1.0], follow_ups=True)[1.0] if o.batch == "a"]
    assert as_questions.after.right == 0  # each read as a question of fact: «informativo», wrong
    assert as_follow_ups.after.right == as_follow_ups.before.right == 10  # the rules' «sí», kept
    assert as_follow_ups.arbitrated is not None and as_follow_ups.arbitrated.permissive == 0


def test_the_arbiter_is_learned_from_every_first_answer_and_says_from_what() -> None:
    judged = [
        _judged(b, n, v) for b in ("c", "d") for v in (Verdict.PERMITIDO, Verdict.NO_PERMITIDO) for n in range(20)
    ]
    arbiter = learn_arbiter(judged)
    assert arbiter.about["examples"] == 80 and arbiter.about["batches"] == 2 and "learned" in arbiter.about


def test_the_command_weighs_the_arbiter_by_cost_and_can_save_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "cases"
    first = []
    for b, verdict in ((1, "permitido"), (2, "no_permitido"), (3, "permitido"), (4, "no_permitido")):
        rows = [
            {
                "id": f"L{b}-{n}",
                "question": f"¿Puedo subir {topic} número {n}? "
                + ("Sale la zarandaja." if n % 2 else "Con flamenquín."),
                "expect_verdict": (["no_permitido"] if n % 2 else ["permitido"])
                + (["con_cautelas"] if n % 4 > 1 else []),
                "forbid_verdict": ["permitido"] if n % 2 else ["no_permitido"],
            }
            for n, topic in enumerate(TOPICS * 4)
        ]
        _write(folder, f"independientes{b}-borradores", rows)
        first += [{"id": r["id"], "veredicto": verdict, "reglas": ["Regla 1"]} for r in rows]
    answers = tmp_path / "primeras.jsonl"
    answers.write_text("".join(json.dumps(r) + "\n" for r in first))
    saved = tmp_path / "arbitro.json"
    args = ["--casos", str(folder), "--primeras", str(answers), "--conversaciones", str(tmp_path / "no-hay")]
    assert main(["segunda-opinion", *args, "--coste", "4", "--costes", "1,8", "--aprender-arbitro", str(saved)]) == 0
    out = capsys.readouterr().out
    assert "Árbitro: coste 4.0" in out and "Árbitro por coste" in out
    assert [line.split(" | ")[0] for line in out.splitlines() if line[:2] in {"1.", "4.", "8."}] == [
        "1.0",
        "4.0",
        "8.0",
    ]
    assert Arbiter.load(saved).about["examples"] == 96
    for bad in ("a,b", "-1", ","):
        with pytest.raises(SystemExit):
            main(["segunda-opinion", *args, "--costes", bad])
    assert "costes ilegibles" in capsys.readouterr().err


def test_the_command_weighs_the_follow_ups_by_an_arbiter_of_their_own_and_can_save_it(
    cases_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    conversations = cases_dir.parent / "conversations"
    rows: list[dict[str, object]] = []
    for prefix, verdict in (("P", "no_permitido"), ("Q", "permitido"), ("R", "no_permitido"), ("S", "permitido")):
        _follow_ups(conversations, f"conversaciones-{prefix}", prefix, caution=True)
        rows += [{"id": f"{prefix}{n:03d}.2", "veredicto": verdict, "reglas": ["Regla 1"]} for n in range(48)]
    _answers(cases_dir.parent, rows)
    saved = cases_dir.parent / "seguimientos.json"
    args = ["--casos", str(cases_dir), "--primeras", str(cases_dir.parent / "primeras.jsonl")]
    args += ["--conversaciones", str(conversations), "--costes", "1", "--aprender-arbitro-seguimientos", str(saved)]
    assert main(["segunda-opinion", *args, "--coste-seguimientos", "2"]) == 0
    out = capsys.readouterr().out
    assert "Árbitro de los seguimientos por coste" in out and "(y un árbitro, coste 2.0, aprendido de ellos)" in out
    later = out.split("Árbitro de los seguimientos por coste")[1].splitlines()
    assert [line.split(" | ")[0] for line in later if line[:2] in {"1.", "2.", "3."}] == ["1.0", "2.0", "3.0"]
    assert any(line.startswith("conversaciones-P | 48 |") and line.count(" | ") == 5 for line in out.splitlines())
    assert Arbiter.load(saved).about["examples"] == 192 and Arbiter.load(saved).about["batches"] == 4


def test_the_command_says_why_there_is_no_arbiter_and_saves_none(
    cases_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Every case answered «sí» and none accepts a caution: the arbiter has nothing to learn from.
    first = _answers(cases_dir.parent, [{"id": f"A{n:03d}", "veredicto": "permitido", "reglas": []} for n in range(24)])
    path = cases_dir.parent / "primeras.jsonl"
    assert len(first) == 24
    saved = cases_dir.parent / "arbitro.json"
    args = ["--casos", str(cases_dir), "--primeras", str(path), "--conversaciones", str(cases_dir.parent / "no-hay")]
    assert main(["segunda-opinion", *args, "--aprender-arbitro", str(saved)]) == 1
    assert "Sin árbitro: no hay de qué aprender" in capsys.readouterr().err
    assert not saved.exists()
