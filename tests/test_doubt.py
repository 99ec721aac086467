"""The second opinion (:mod:`bot.doubt`): what it learns from, what it may change and what it
may not, how it explains itself, its cache, and the real service answering with it.

The cases here are made up so the lesson is unmistakable: every risky case says «zarandaja»,
every harmless one «flamenquín». The real model learns from ``evals/cases``."""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bot.decision import AppliedRule, Decision, RuleSpec
from bot.doubt import DoubtModel, DoubtSource, LabelledCase, case_text, load_cases, reconsider
from bot.models import Detector, Verdict
from bot.service import Service
from bot.settings import Settings
from bot.signals import SignalHit

TOPICS = [
    "la foto de la excursión",
    "el cartel de las jornadas",
    "un vídeo del taller",
    "mi opinión sobre el tráfico",
    "la receta de la abuela",
    "el horario de la biblioteca",
    "una crónica del partido",
    "el resumen de la charla",
    "las fotos del concierto",
    "un hilo sobre la campaña",
]
NETWORKS = ["Instagram", "X", "Facebook"]


def _cases() -> list[dict[str, object]]:
    cases: list[dict[str, object]] = []
    for n, (topic, network) in enumerate((t, net) for t in TOPICS for net in NETWORKS):
        cases.append(
            {
                "id": f"R{n:03d}",
                "question": f"¿Puedo subir a {network} {topic}? Sale la zarandaja.",
                "expect_verdict": ["no_permitido"],
                "forbid_verdict": ["permitido"],
            }
        )
        cases.append(
            {
                "id": f"S{n:03d}",
                "question": f"¿Puedo subir a {network} {topic}? Con un flamenquín.",
                "expect_verdict": ["permitido"],
                "forbid_verdict": ["no_permitido"],
            }
        )
    return cases


def write_cases(folder: Path, cases: list[dict[str, object]] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps(c, ensure_ascii=False) for c in (cases if cases is not None else _cases())]
    (folder / "casos.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def model() -> DoubtModel:
    cases = [LabelledCase(str(c["question"]), "permitido" in c["forbid_verdict"]) for c in _cases()]  # type: ignore[operator]
    return DoubtModel.train(cases)


# ------------------------------------------------------------------ what it learns from


def test_it_learns_from_the_dev_cases_only_and_skips_what_it_cannot_read(tmp_path: Path) -> None:
    folder = write_cases(tmp_path / "cases")
    (folder / "test").mkdir()
    write_cases(folder / "test", [{"question": "nunca", "expect_verdict": ["permitido"], "forbid_verdict": []}])
    extra = [
        json.dumps({"question": "¿Qué dice el artículo 53?", "expect_verdict": ["informativo"]}),
        "{esto no es json",
        json.dumps({"expect_verdict": ["permitido"]}),
    ]
    (folder / "otros.jsonl").write_text("\n".join(extra) + "\n", encoding="utf-8")
    cases, problems = load_cases(folder)
    assert len(cases) == 60  # the test split, the information question and the broken lines are out
    assert sum(c.risky for c in cases) == 30
    assert all("nunca" not in c.text for c in cases)
    assert [p.split(":")[0] for p in problems] == ["otros.jsonl", "otros.jsonl"]


def test_too_few_cases_of_a_kind_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="hacen falta"):
        DoubtModel.train([LabelledCase("a", True), LabelledCase("b", False)])


def test_the_model_reads_the_question_and_the_draft() -> None:
    assert case_text("¿Puedo?", "Texto del post") == "¿Puedo?\nTexto del post"
    assert case_text("¿Puedo?", None) == "¿Puedo?"


# ------------------------------------------------------------------ what it may change


def _decision(verdict: Verdict, *, detector: Detector | None = None) -> Decision:
    rule = RuleSpec("Regla 1", "Una regla", verdict, (("imagen",),))
    hit = SignalHit("imagen", "foto", 0, 4, "pregunta", detector)
    return Decision(verdict, applied=(AppliedRule(rule, verdict, (hit,)),))


def test_a_yes_to_something_like_the_risky_cases_becomes_a_caution(model: DoubtModel) -> None:
    text = "¿Puedo subir a Instagram el vídeo del taller? Sale la zarandaja."
    assert model.risk(text) > 0.5
    changed = reconsider(_decision(Verdict.PERMITIDO), model, text, high=0.5, low=0.25)
    assert changed.verdict is Verdict.CON_CAUTELAS
    assert changed.doubt is not None and changed.doubt.toward == "riesgo"
    assert changed.doubt.words[0] == "zarandaja"  # the words as written, the reason first
    assert changed.applied == _decision(Verdict.PERMITIDO).applied  # the rules found are kept


def test_a_no_to_something_like_the_harmless_cases_becomes_a_caution(model: DoubtModel) -> None:
    text = "¿Puedo subir a X la receta de la abuela? Con un flamenquín."
    assert model.risk(text) < 0.25
    changed = reconsider(_decision(Verdict.NO_PERMITIDO), model, text, high=0.5, low=0.25)
    assert changed.verdict is Verdict.CON_CAUTELAS
    assert changed.doubt is not None and changed.doubt.toward == "inocuo"
    assert changed.doubt.words == ()  # the answer shows the rule and the words that made it apply


def test_it_never_says_no_never_says_yes_and_never_overrides_a_detector(model: DoubtModel) -> None:
    risky = "¿Puedo subir a X la receta de la abuela? Sale la zarandaja."
    harmless = "¿Puedo subir a X la receta de la abuela? Con un flamenquín."
    for verdict in (Verdict.CON_CAUTELAS, Verdict.INFORMATIVO, Verdict.SIN_BASE):
        for text in (risky, harmless):
            assert reconsider(_decision(verdict), model, text, high=0.5, low=0.25) == _decision(verdict)
    # Agreement changes nothing.
    assert reconsider(_decision(Verdict.PERMITIDO), model, harmless, high=0.5, low=0.25).doubt is None
    assert reconsider(_decision(Verdict.NO_PERMITIDO), model, risky, high=0.5, low=0.25).doubt is None
    # A «no» resting on a DNI found in the draft stays a «no».
    backed = _decision(Verdict.NO_PERMITIDO, detector=Detector.DNI)
    assert reconsider(backed, model, harmless, high=0.5, low=0.25) == backed
    # Without a model the rules decide alone.
    assert reconsider(_decision(Verdict.PERMITIDO), None, risky, high=0.5, low=0.25) == _decision(Verdict.PERMITIDO)


def test_function_words_and_the_commonest_words_are_never_named_as_the_reason(model: DoubtModel) -> None:
    words = model.words("¿Puedo subir a X la receta de la abuela? Sale la zarandaja.", limit=10)
    assert words and all(len(w) >= 4 for w in words)
    assert not {"Puedo", "subir"} & set(words)  # in every case: nothing to say about this one


# ------------------------------------------------------------------ the cache


def test_the_model_is_trained_once_and_retrained_when_the_cases_change(tmp_path: Path) -> None:
    folder = write_cases(tmp_path / "cases")
    cache = tmp_path / "doubt"
    first = DoubtSource(folder, cache).get()
    assert first is not None
    [saved] = cache.glob("modelo-*.joblib")
    again = DoubtSource(folder, cache).get()  # a new process: loaded, not trained
    assert again is not None and list(cache.glob("modelo-*.joblib")) == [saved]
    text = "¿Puedo subir a X la receta de la abuela? Sale la zarandaja."
    assert again.risk(text) == pytest.approx(first.risk(text))
    write_cases(folder, _cases()[:-2])
    assert DoubtSource(folder, cache).get() is not None
    [renewed] = cache.glob("modelo-*.joblib")
    assert renewed != saved  # one model kept: the one for the cases as they are now


def test_sources_started_together_train_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = write_cases(tmp_path / "cases")
    trained: list[int] = []
    original = DoubtModel.train.__func__  # type: ignore[attr-defined]

    def counting(cls: type[DoubtModel], cases: list[LabelledCase]) -> DoubtModel:
        trained.append(1)
        return original(cls, cases)

    monkeypatch.setattr(DoubtModel, "train", classmethod(counting))
    sources = [DoubtSource(folder, tmp_path / "doubt") for _ in range(3)]
    with ThreadPoolExecutor(3) as pool:
        models = list(pool.map(lambda source: source.get(), sources))
    assert all(m is not None for m in models) and len(trained) == 1
    assert len(list((tmp_path / "doubt").glob("modelo-*.joblib"))) == 1


def test_a_broken_cache_is_rebuilt_and_a_missing_folder_turns_it_off(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = write_cases(tmp_path / "cases")
    cache = tmp_path / "doubt"
    DoubtSource(folder, cache).get()
    [saved] = cache.glob("modelo-*.joblib")
    saved.write_bytes(b"no es un modelo")
    assert DoubtSource(folder, cache).get() is not None
    with caplog.at_level(logging.WARNING, logger="bot.doubt"):
        assert DoubtSource(tmp_path / "no-existe", cache).get() is None
    assert "no existe la carpeta de casos" in caplog.text  # said once, so an operator can tell
    assert DoubtSource(None, cache).get() is None
    write_cases(folder, _cases()[:4])  # too few to learn from
    assert DoubtSource(folder, cache).get() is None


def test_an_empty_setting_turns_it_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_DOUBT_CASES_DIR", " ")
    assert Settings(_env_file=None).doubt_cases_dir is None  # type: ignore[call-arg]
    monkeypatch.setenv("BOT_DOUBT_CASES_DIR", "casos")
    assert Settings(_env_file=None).doubt_cases_dir == Path("casos")  # type: ignore[call-arg]


# ------------------------------------------------------------------ the real service


@pytest.fixture
def doubting(indexed_settings: Settings, tmp_path: Path) -> Iterator[Service]:
    """The session's index, answered with a second opinion learned from the made-up cases."""
    settings = indexed_settings.model_copy(update={"doubt_cases_dir": write_cases(tmp_path / "cases")})
    yield Service(settings, auto_index=False)
    shutil.rmtree(settings.doubt_dir, ignore_errors=True)


def test_the_answer_says_why_a_yes_became_a_caution(doubting: Service, service: Service) -> None:
    question = "¿Puedo retuitear la campaña oficial de vacunación? Sale la zarandaja."
    assert service.ask(question).verdict is Verdict.PERMITIDO  # the rules alone
    answer = doubting.ask(question)
    assert answer.verdict is Verdict.CON_CAUTELAS
    assert "se parece a otras en las que publicar era un error (me hace dudar: «zarandaja»" in answer.summary
    assert "no tiene una regla para este caso" not in answer.summary


def test_the_answer_keeps_the_rule_and_its_evidence_when_a_no_becomes_a_caution(
    doubting: Service, service: Service
) -> None:
    question = "¿Puedo subir al insta una foto de los vecinos que atendí hoy? Con un flamenquín."
    alone = service.ask(question)
    assert alone.verdict is Verdict.NO_PERMITIDO
    answer = doubting.ask(question)
    assert answer.verdict is Verdict.CON_CAUTELAS
    assert "Una regla de la guía diría que no" in answer.summary
    assert "He visto «foto»" in answer.summary  # the rule's evidence, still shown
    assert answer.rules == alone.rules and answer.triggers == alone.triggers
