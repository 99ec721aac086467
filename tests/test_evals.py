"""The evaluation suite: metrics on hand-computed examples, datasets, and the runner end to end."""

from __future__ import annotations

import json
import math
import tomllib
from pathlib import Path

import pytest

from bot.bench import percentile
from bot.models import Verdict
from evals.__main__ import gate, main, targets_missed
from evals.dataset import Case, DatasetError, SourceSpec, load_cases
from evals.metrics import (
    abstention,
    citations_valid,
    dangerous,
    ends_with_sentence,
    hit_at,
    law_hit,
    mrr_at,
    ndcg_at,
    over_restrictive,
    permissive,
    rule_hit,
    summary_citations,
)

LAW = "BOE-A-2099-90001"
A5 = [(LAW, "Artículo 5.2", None)]
R3 = [("guia-prueba", "Regla 3", None)]
OTHER = [("guia-prueba", "Regla 1", None)]
TERMS = [("condiciones-linkedin", "§ 1. Licencia sobre lo que publicas", "linkedin")]


def spec(**fields) -> SourceSpec:
    return SourceSpec(**fields)


def test_source_spec_matching():
    assert spec(source_id=LAW, article="5").matches(LAW, "Artículo 5.2", None)
    assert not spec(source_id=LAW, article="5").matches(LAW, "Artículo 53", None)
    assert spec(source_id="BOE-A-1982-11196", article="7").matches("BOE-A-1982-11196", "Artículo séptimo.5", None)
    assert spec(article="47 bis").matches(LAW, "Artículo 47 bis", None)
    assert spec(locator="Regla 12").matches("guia", "Regla 12", None)
    assert not spec(locator="Regla 1").matches("guia", "Regla 12", None)
    assert spec(network="linkedin").matches(*TERMS[0])
    with pytest.raises(ValueError, match="necesita"):
        SourceSpec()


def test_hit_mrr_on_hand_computed_rankings():
    expected = [spec(source_id=LAW, article="5"), spec(locator="Regla 3")]
    ranking = [OTHER, TERMS, A5, R3]  # first relevant at rank 3
    assert hit_at(ranking, expected, 1) == 0.0
    assert hit_at(ranking, expected, 2) == 0.0
    assert hit_at(ranking, expected, 3) == 1.0
    assert mrr_at(ranking, expected, 10) == pytest.approx(1 / 3)
    assert mrr_at(ranking, expected, 2) == 0.0  # outside the cut-off
    assert hit_at([[OTHER[0], A5[0]]], expected, 1) == 1.0  # an entry spanning several locators


def test_ndcg_with_graded_and_missing_relevance():
    expected = [spec(locator="Regla 3", grade=2), spec(source_id=LAW, article="5", grade=1)]
    # Ideal: grade 2 at rank 1, grade 1 at rank 2 → IDCG = 3/1 + 1/log2(3).
    idcg = 3 + 1 / math.log2(3)
    assert ndcg_at([R3, A5], expected) == pytest.approx(1.0)
    # Swapped: grade 1 at rank 1, grade 2 at rank 2.
    assert ndcg_at([A5, R3], expected) == pytest.approx((1 + 3 / math.log2(3)) / idcg)
    # Unjudged items (missing relevance) earn nothing and push the relevant ones down.
    assert ndcg_at([OTHER, TERMS, R3], expected) == pytest.approx((3 / math.log2(4)) / idcg)
    # A source counts once: retrieving the same article twice adds nothing.
    assert ndcg_at([A5, A5], [spec(source_id=LAW, article="5")]) == pytest.approx(1.0)
    assert ndcg_at([OTHER], []) == 0.0


def test_citation_validity():
    retrieved = [R3[0], A5[0]]
    assert citations_valid([R3[0]], retrieved)
    assert citations_valid([], retrieved)
    assert not citations_valid([R3[0], OTHER[0]], retrieved)


def test_dangerous_errors_are_permissive_or_over_restrictive():
    strict = Case(id="a", question="q", expect_verdict=[Verdict.NO_PERMITIDO])
    assert dangerous(strict, Verdict.PERMITIDO) and permissive(strict, Verdict.PERMITIDO)  # implied
    assert not dangerous(strict, Verdict.CON_CAUTELAS)
    lenient = Case(id="b", question="q", expect_verdict=[Verdict.NO_PERMITIDO, Verdict.PERMITIDO])
    assert not dangerous(lenient, Verdict.PERMITIDO)
    assert not dangerous(lenient, Verdict.NO_PERMITIDO)
    fine = Case(id="c", question="q", expect_verdict=[Verdict.PERMITIDO, Verdict.CON_CAUTELAS])
    assert over_restrictive(fine, Verdict.NO_PERMITIDO) and dangerous(fine, Verdict.NO_PERMITIDO)
    assert not dangerous(fine, Verdict.CON_CAUTELAS)
    explicit = Case(id="d", question="q", expect_verdict=[Verdict.CON_CAUTELAS], forbid_verdict=[Verdict.NO_PERMITIDO])
    assert over_restrictive(explicit, Verdict.NO_PERMITIDO)
    out = Case(id="e", question="q", expect_verdict=[Verdict.SIN_BASE], forbid_verdict=[Verdict.CON_CAUTELAS])
    assert not dangerous(out, Verdict.CON_CAUTELAS)  # counted as «out of scope answered» instead


def test_rule_and_law_hits():
    case = Case(
        id="a",
        question="q",
        expect_verdict=[Verdict.NO_PERMITIDO],
        expect_rules=["Regla 42"],
        expect_sources=[SourceSpec(source_id=LAW, article="5")],
    )
    assert rule_hit(case, ["Regla 1", "Regla 42"]) is True
    assert rule_hit(case, ["Regla 1"]) is False
    assert law_hit(case, [OTHER, A5], k=2) is True
    assert law_hit(case, [OTHER, OTHER, A5], k=2) is False
    implied = Case(
        id="b", question="q", expect_verdict=[Verdict.PERMITIDO], expect_sources=[SourceSpec(locator="Regla 3")]
    )
    assert implied.rules == {"Regla 3"} and rule_hit(implied, ["Regla 3"]) is True
    informative = Case(id="c", question="q", expect_verdict=[Verdict.INFORMATIVO], expect_rules=["Regla 46"])
    assert rule_hit(informative, []) is None  # no rule applies to a question of fact
    assert law_hit(Case(id="d", question="q", expect_verdict=[Verdict.PERMITIDO]), [A5]) is None


def test_abstention_and_percentiles():
    cases = [
        Case(id="1", question="q", expect_verdict=[Verdict.SIN_BASE]),
        Case(id="2", question="q", expect_verdict=[Verdict.SIN_BASE]),
        Case(id="3", question="q", expect_verdict=[Verdict.PERMITIDO]),
    ]
    precision, recall = abstention(cases, [Verdict.SIN_BASE, Verdict.PERMITIDO, Verdict.SIN_BASE])
    assert (precision, recall) == (0.5, 0.5)
    assert abstention(cases[2:], [Verdict.PERMITIDO]) == (None, None)
    assert percentile([10, 20, 30, 40], 50) == 20
    assert percentile([10, 20, 30, 40], 95) == 40


@pytest.mark.parametrize(
    ("summary", "numbers", "finished"),
    [
        (
            "⛔ No deberías publicarlo.\nLa Regla 4 de la guía no lo permite [1].\nBase legal: EBEP, art. 53 [2].",
            [1, 2],
            True,
        ),
        ("✅ Puedes publicarlo.\nSegún la guía: «Compartir campañas.» [1]", [1], False),
        ("ℹ️ Esto es lo que dicen las fuentes.\n- Que no aparece nadie.", [], True),
        ("⚠️ Puedes publicarlo, pero con cautelas.\nPregunta a (comunicacion@ejemplo.es).", [], True),
        ("⚠️ Puedes publicarlo, pero con cautelas.\nAntes de publicar, comprueba:", [], False),
        ("Cita cortada «de la ley…»", [], True),
    ],
)
def test_summary_citations_and_complete_sentences(summary, numbers, finished):
    assert summary_citations(summary) == numbers
    assert ends_with_sentence(summary) is finished


def test_datasets_from_outside_need_no_ids_and_bad_lines_are_named(tmp_path):
    good = tmp_path / "qa.jsonl"
    good.write_text(
        '{"question": "¿Puedo?", "expect_verdict": ["permitido"]}\n\n{"id": 5, "question": "¿Y esto?", "expect_verdict": ["sin_base"]}\n',
        encoding="utf-8",
    )
    cases = load_cases([good])
    assert [c.id for c in cases] == ["qa.jsonl:1", "5"]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "x", "expect_verdict": ["quizás"]}\n', encoding="utf-8")
    with pytest.raises(DatasetError, match=r"bad\.jsonl:1"):
        load_cases([bad])
    twice = tmp_path / "twice.jsonl"
    twice.write_text('{"id": "a", "question": "x", "expect_verdict": ["permitido"]}\n' * 2, encoding="utf-8")
    with pytest.raises(DatasetError, match="repetido"):
        load_cases([twice])


def test_shipped_datasets_are_valid_and_cover_every_rule():
    from evals.dataset import default_datasets

    cases = load_cases(default_datasets())
    assert len(cases) >= 100
    guide = (Path(__file__).resolve().parents[1] / "knowledge" / "guias" / "guia-redes-sociales.md").read_text(
        encoding="utf-8"
    )
    rules = {int(line.split()[2].rstrip(".")) for line in guide.splitlines() if line.startswith("## Regla ")}
    cited = {int(rule.split()[1]) for c in cases if c.split == "dev" for rule in c.rules}
    assert rules <= cited  # every rule has dev cases
    splits = {c.split for c in cases}
    assert splits == {"dev", "test"}
    networks = {s.network for c in cases for s in c.expect_sources if s.network}
    assert {"x", "facebook", "instagram", "linkedin", "tiktok", "youtube", "threads", "bluesky", "telegram"} <= networks


def test_gate_thresholds():
    thresholds = {"minimo": {"hit@5": 0.9, "verdict_accuracy": 0.85}, "maximo": {"dangerous_errors": 0}}
    assert gate({"hit@5": 0.95, "verdict_accuracy": 0.9, "dangerous_errors": 0}, thresholds) == []
    failures = gate({"hit@5": 0.8, "verdict_accuracy": 0.9, "dangerous_errors": 2}, thresholds)
    assert failures == ["hit@5 = 0.8 < 0.9", "dangerous_errors = 2 > 0"]


def test_targets_are_reported_apart_and_never_fail_the_gate():
    thresholds = {
        "minimo": {"verdict_accuracy": 0.7},
        "objetivo_minimo": {"verdict_accuracy": 0.9},
        "objetivo_maximo": {"dangerous_errors": 0},
    }
    summary = {"verdict_accuracy": 0.74, "dangerous_errors": 3}
    assert gate(summary, thresholds) == []
    assert targets_missed(summary, thresholds) == ["verdict_accuracy = 0.74 < 0.9", "dangerous_errors = 3 > 0"]


def test_expected_rules_count_as_right_sources_for_hit_at_k():
    case = Case.model_validate(
        {"id": "c", "question": "q", "expect_verdict": ["no_permitido"],
         "expect_sources": [{"source_id": "BOE-A-2015-11719", "article": "53"}], "expect_rules": ["Regla 33"]}
    )  # fmt: skip
    ranking = [[("guia-redes-sociales", "Regla 33", None)], [("BOE-A-2015-11719", "Artículo 53.12", None)]]
    assert hit_at(ranking, case.retrieval_specs, 1) == 1.0
    assert hit_at(ranking, case.law_sources, 1) == 0.0
    assert law_hit(case, ranking) is True


def test_gate_default_must_not_fall_below_a_single_retriever():
    thresholds = {"no_peor_que": {"configuraciones": ["bm25", "dense"], "metricas": ["hit@1", "hit@5"]}}
    hybrid = {"hit@1": 0.8, "hit@5": 0.92}
    others = {"bm25": {"hit@1": 0.77, "hit@5": 0.92}, "dense": {"hit@1": 0.41, "hit@5": 0.67}}
    assert gate(hybrid, thresholds, others) == []  # a tie is not a loss
    others["bm25"]["hit@5"] = 0.93
    assert gate(hybrid, thresholds, others) == ["hit@5 = 0.92 < 0.93 de bm25"]
    assert gate(hybrid, thresholds, {"bm25": others["bm25"]}) == [
        "hit@5 = 0.92 < 0.93 de bm25",
        "el informe no incluye dense (ejecuta con --config dense)",
    ]
    # Only the required rivals must be in the report; the others are compared when present.
    thresholds["no_peor_que"]["obligatorias"] = ["bm25"]
    assert gate(hybrid, thresholds, {"bm25": others["bm25"]}) == ["hit@5 = 0.92 < 0.93 de bm25"]
    assert gate(hybrid, thresholds, {"dense": others["dense"]}) == [
        "el informe no incluye bm25 (ejecuta con --config bm25)"
    ]
    assert gate(hybrid, thresholds, others) == ["hit@5 = 0.92 < 0.93 de bm25"]
    # A tolerance lets through differences smaller than a case or two's change of rank.
    thresholds["no_peor_que"]["tolerancia"] = 0.005
    others["bm25"]["hit@5"] = 0.924
    assert gate(hybrid, thresholds, others) == []
    others["bm25"]["hit@5"] = 0.93
    assert gate(hybrid, thresholds, others) == ["hit@5 = 0.92 < 0.93 de bm25"]


#: Two fixture questions with a clear verdict and source: one «sí», one «no».
MINI_ROWS = [
    {"id": "p1", "question": "¿Puedo retuitear la campaña oficial de vacunación?", "expect_verdict": ["permitido"],
     "expect_sources": [{"source_id": "guia-prueba", "locator": "Regla 1"}]},
    {"id": "n1", "question": "¿Puedo subir al insta una foto de los vecinos que atendí hoy?",
     "expect_verdict": ["no_permitido"], "expect_sources": [{"source_id": LAW, "article": "6 bis"}]},
]  # fmt: skip


def _mini_dataset(rows, indexed_settings, tmp_path, monkeypatch):
    """``rows`` as a JSONL dataset, with the environment pointing at the indexed fixture."""
    dataset = tmp_path / "mini.jsonl"
    dataset.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    monkeypatch.setenv("BOT_DATA_DIR", str(indexed_settings.data_dir))
    monkeypatch.setenv("BOT_KNOWLEDGE_DIR", str(indexed_settings.knowledge_dir))
    monkeypatch.chdir(tmp_path)
    return dataset


def test_runner_end_to_end_on_the_fixture(indexed_settings, tmp_path, monkeypatch, capsys):
    rows = [
        *MINI_ROWS,
        {"id": "o1", "question": "¿Cuál es la capital de Australia?", "expect_verdict": ["sin_base"]},
        {"id": "f1", "question": "¿Puedo publicar el borrador del expediente?", "expect_verdict": ["permitido"],
         "notes": "wrong on purpose: must appear in the failures table"},
    ]  # fmt: skip
    dataset = _mini_dataset(rows, indexed_settings, tmp_path, monkeypatch)
    report_dir = tmp_path / "report"
    argv = ["run", "--dataset", str(dataset), "--report", str(report_dir)]
    assert main([*argv, "--config", "hybrid", "--config", "bm25", "--config", "naive"]) == 0
    data = json.loads((report_dir / "report.json").read_text(encoding="utf-8"))
    assert set(data["configs"]) == {"hybrid", "bm25", "naive"}
    assert data["splits"] == ["dev"]
    hybrid = data["configs"]["hybrid"]["dev"]
    assert hybrid["cases"] == 4
    assert hybrid["hit@5"] == 1.0
    assert hybrid["verdict_accuracy"] == 0.75
    assert hybrid["dangerous_errors"] == 1  # f1: «no» for what the case calls fine
    assert hybrid["abstention_recall"] == 1.0
    assert hybrid["citation_validity"] == 1.0
    assert hybrid["permissive_errors"] == 0 and hybrid["over_restrictive_errors"] == 1
    assert hybrid["rule_hit"] == 1.0  # p1 names Regla 1, and it applies
    assert hybrid["confusion"]["permitido"] == {"permitido": 1, "no_permitido": 1}
    assert data["configs"]["naive"]["dev"]["verdict_accuracy"] is None
    # the two layers: a short summary whose citation numbers all resolve
    assert 0 < hybrid["summary_chars_p50"] <= hybrid["summary_chars_p95"] <= 800
    assert 1 <= hybrid["summary_max_citations"] <= 3
    assert hybrid["summary_unresolved_citations"] == 0 and hybrid["summary_unfinished"] == 0
    markdown = (report_dir / "report.md").read_text(encoding="utf-8")
    assert "## Casos fallidos del conjunto dev (hybrid): 1" in markdown
    assert "## Matriz de confusión del veredicto (hybrid, dev)" in markdown
    assert "| f1 |" in markdown
    assert "| Resumen: caracteres, mediana |" in markdown and "| Resumen: máximo de citas |" in markdown
    for chart in ("recuperacion.png", "veredictos.png", "latencia.png"):
        assert (report_dir / chart).read_bytes().startswith(b"\x89PNG")
    assert "hybrid [dev, 4 casos]: hit@1" in capsys.readouterr().out
    assert main(["gate", "--report", str(report_dir)]) == 1  # 0.75 < the dev floor
    out = capsys.readouterr().out
    floor = tomllib.loads((Path(__file__).resolve().parents[1] / "evals" / "thresholds.toml").read_text("utf-8"))[
        "dev"
    ]["minimo"]
    assert f"[dev] verdict_accuracy = 0.75 < {floor['verdict_accuracy']}" in out
    assert "OBJETIVOS AÚN NO ALCANZADOS" in out and "[dev] verdict_accuracy = 0.75 < 0.9" in out
    assert main(["gate", "--report", str(report_dir)]) == 1
    assert "PUERTA DE CALIDAD: FALLA" in capsys.readouterr().out


def test_configurations_run_side_by_side_give_the_same_report(indexed_settings, tmp_path, monkeypatch):
    """``--jobs 2`` runs each configuration in a process of its own (CI's two cores): same cases,
    same verdicts and sources, in the order the configurations were asked for."""
    dataset = _mini_dataset(MINI_ROWS, indexed_settings, tmp_path, monkeypatch)
    reports = {}
    for jobs in ("1", "2"):
        report_dir = tmp_path / f"report-{jobs}"
        argv = ["run", "--dataset", str(dataset), "--report", str(report_dir), "--jobs", jobs]
        assert main([*argv, "--config", "bm25", "--config", "hybrid"]) == 0
        reports[jobs] = json.loads((report_dir / "report.json").read_text(encoding="utf-8"))

    def essentials(data):
        return {
            name: [(c["id"], c["verdict"], c["rules"], c["hit@5"], c["top"]) for c in cases]
            for name, cases in data["cases"].items()
        }

    assert list(reports["2"]["configs"]) == ["bm25", "hybrid"]
    assert essentials(reports["2"]) == essentials(reports["1"])


def test_compare_dev_only_runs_the_other_configurations_on_what_the_gate_compares(
    indexed_settings, tmp_path, monkeypatch
):
    """``--compare-dev-only`` (CI): the first configuration answers everything; the others only the
    dev single questions, whose retrieval metrics ``[dev.no_peor_que]`` compares."""
    conversation = {"id": "c1", "turns": [
        {"question": "¿Puedo subir al insta una foto de los vecinos que atendí hoy?", "expect_verdict": ["no_permitido"]},
        {"question": "¿Y si tapo sus caras?", "expect_verdict": ["con_cautelas", "permitido"]},
    ]}  # fmt: skip
    dataset = _mini_dataset([*MINI_ROWS, conversation], indexed_settings, tmp_path, monkeypatch)
    (tmp_path / "test").mkdir()
    frozen = tmp_path / "test" / "mini-test.jsonl"
    frozen.write_text(json.dumps({**MINI_ROWS[0], "id": "t1"}, ensure_ascii=False) + "\n", encoding="utf-8")
    report_dir = tmp_path / "report"
    argv = ["run", "--dataset", str(dataset), "--dataset", str(frozen), "--report", str(report_dir)]
    assert main([*argv, "--config", "hybrid", "--config", "bm25", "--compare-dev-only"]) == 0
    data = json.loads((report_dir / "report.json").read_text(encoding="utf-8"))
    assert set(data["configs"]["hybrid"]) == {"dev", "test"}
    assert set(data["configs"]["bm25"]) == {"dev"}
    assert [c["id"] for c in data["cases"]["hybrid"]] == ["p1", "n1", "c1.1", "c1.2", "t1"]
    assert [c["id"] for c in data["cases"]["bm25"]] == ["p1", "n1"]
    hybrid, bm25 = data["configs"]["hybrid"]["dev"], data["configs"]["bm25"]["dev"]
    assert hybrid["conversations"] == 1 and bm25["conversations"] == 0
    assert (hybrid["cases"], hybrid["hit@5"]) == (bm25["cases"], bm25["hit@5"]) == (2, 1.0)
    markdown = (report_dir / "report.md").read_text(encoding="utf-8")
    assert "| Métrica | hybrid | bm25 |" in markdown and "| Métrica | hybrid |\n" in markdown
