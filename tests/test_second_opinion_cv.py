"""``python -m evals segunda-opinion``: each batch's first answers reconsidered by a model
trained without that batch, so the thresholds are chosen on questions the model had not seen."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.models import Verdict
from evals.__main__ import main
from evals.dataset import DatasetError
from evals.second_opinion import Thresholds, add_first_answers, batch_of, cross_validate, read_first_answers

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
    (folder / f"{name}.jsonl").write_text("\n".join(json.dumps(c, ensure_ascii=False) for c in lines) + "\n")


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
    args += ["--consulta", "1", "--ambito", "0"]
    assert main(["segunda-opinion", *args]) == 0
    out = capsys.readouterr().out
    assert "independientes1 | 24 | 0.500 · peligrosos 12 (12/0) | 0.500 · peligrosos 0 (0/0)" in out
    assert out.splitlines()[-1].startswith("TOTAL | 24 |")
