"""The facade (:class:`bot.service.Service`) end to end on the fixture knowledge: answers whose
citations resolve to retrieved chunks, what it refuses and what it cuts, drafts, the three
retrieval modes, warm-up, the knowledge files it re-reads, sharing between threads, and the one
reload it allows itself when the index store fails.

Most tests use the session's read-only index; the few that break an index build a tiny one of
their own (one note, two chunks)."""

from __future__ import annotations

import logging
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.embeddings import Embeddings

import bot.service as service_module
from bot.index import ChromaStore, Indexer, IndexMissingError, IndexStoreError
from bot.language import language_of
from bot.models import Answer, SourceType, Verdict
from bot.retrieval import Mode
from bot.service import MAX_INPUT_CHARS, WARM_UP_QUESTIONS, QuestionError, Service
from bot.settings import Settings
from tests.conftest import FIXTURES, make_settings

PHOTO = "¿Puedo subir al insta una foto de los vecinos que atendí hoy?"
RETWEET = "¿Puedo retuitear la campaña oficial de vacunación?"
LICENCE = "¿Qué licencia le doy a LinkedIn sobre lo que publico?"
CRITICISE = "¿Puedo criticar en mi Twitter personal una decisión del gobierno?"
SECRET = "¿Puedo contar en un hilo cómo va el expediente que estoy tramitando?"
GIFT_DRAFT = "Una empresa que licita en mi concurso me regala un móvil si lo anuncio"


#: A dense weight for the tests of the model's path (the bundled model's default is 0: bot.decision.Tuning).
DENSE = 0.1


def _essentials(answer: Answer) -> tuple[Any, ...]:
    """What must not change between two ways of asking the same thing."""
    return (answer.verdict, answer.rules, [(c.n, c.chunk_id) for c in answer.citations])


# ------------------------------------------------------------------- ask, end to end


@pytest.mark.parametrize(
    ("question", "draft", "verdict"),
    [
        (PHOTO, None, Verdict.NO_PERMITIDO),
        (RETWEET, None, Verdict.PERMITIDO),
        (CRITICISE, None, Verdict.CON_CAUTELAS),
        (LICENCE, None, Verdict.INFORMATIVO),
        ("¿Puedo publicar esto?", GIFT_DRAFT, Verdict.NO_PERMITIDO),
    ],
)
def test_citations_carry_the_retrieved_chunk_s_own_metadata(
    service: Service, question: str, draft: str | None, verdict: Verdict
) -> None:
    answer = service.ask(question, draft)
    assert answer.verdict is verdict
    chunks = {c.id: c for c in service._current_snapshot().chunks}
    retrieved = {r.chunk_id: r for r in answer.retrieved}
    assert answer.citations
    for citation in answer.citations:
        chunk = chunks[retrieved[citation.chunk_id].chunk_id]
        assert (citation.source_id, citation.tipo, citation.network, citation.locator) == (
            chunk.source_id,
            chunk.tipo,
            chunk.network,
            chunk.locator,
        )
        assert (citation.title, citation.version) == (chunk.title, chunk.version)
        assert citation.url == chunk.url
    for item in answer.retrieved:  # everything listed is a chunk of the serving index
        chunk = chunks[item.chunk_id]
        assert (item.source_id, item.tipo, item.locator) == (chunk.source_id, chunk.tipo, chunk.locator)
        assert item.score == round(item.score, 4)


def test_the_draft_takes_part_in_the_search(service: Service) -> None:
    plain = service.ask("¿Puedo publicar esto?")
    with_draft = service.ask("¿Puedo publicar esto?", GIFT_DRAFT)
    assert with_draft.rules == ["Regla 5"]
    top = [r.locator for r in with_draft.retrieved[:2]]
    assert top == ["Regla 5", "Artículo 7"]
    assert "Artículo 7" not in [r.locator for r in plain.retrieved[:2]]


def test_retrieve_alone_lists_what_ask_would_search(service: Service) -> None:
    retrieval = service.retrieve(SECRET, 15)
    assert len(retrieval.hits) == 15
    assert retrieval.query == SECRET and retrieval.expanded.startswith(SECRET)
    assert retrieval.hits[0].chunk.locator == "Regla 3"


# ------------------------------------------------------- what it refuses, what it cuts


@pytest.mark.parametrize(
    ("question", "draft"),
    [
        ("", None),
        (None, None),
        ("\n\t ", ""),
        ("\u200b\u200d\u2060", None),  # only invisible characters
        ("", "   \n"),  # a blank draft is no draft
    ],
    ids=["empty", "none", "whitespace", "invisible", "blank-draft"],
)
def test_nothing_to_read_is_a_question_error(service: Service, question: Any, draft: str | None) -> None:
    with pytest.raises(QuestionError, match="La pregunta está vacía") as caught:
        service.ask(question, draft)
    assert isinstance(caught.value, ValueError)


def test_a_draft_without_a_question_is_reviewed(service: Service) -> None:
    answer = service.ask("", draft="Gracias a Ana López Ruiz, DNI 12345678Z, por venir")
    assert answer.question == ""
    assert answer.verdict is Verdict.NO_PERMITIDO
    assert "dni" in {f.kind for f in answer.draft_findings}


def test_an_oversized_question_is_cut_not_refused(service: Service) -> None:
    # Only the first MAX_INPUT_CHARS characters are read: a risk written after them is not seen.
    filler = "Quiero compartir la campaña oficial de vacunación en mi perfil. " * 200
    assert len(filler) > MAX_INPUT_CHARS
    answer = service.ask(filler + " Y también el DNI 12345678Z de un vecino.")
    assert len(answer.question) <= MAX_INPUT_CHARS
    assert answer.question == filler[:MAX_INPUT_CHARS].strip()
    assert "12345678Z" not in answer.answer


def test_a_long_draft_is_screened_whole_and_says_so(service: Service) -> None:
    draft = "Texto de relleno sobre la campaña. " * 300 + "Contacto: DNI 12345678Z."
    assert len(draft) > MAX_INPUT_CHARS
    answer = service.ask("¿Puedo publicar esto?", draft)
    assert answer.draft == draft
    [dni] = [f for f in answer.draft_findings if f.kind == "dni"]
    assert dni.start > MAX_INPUT_CHARS and draft[dni.start : dni.end] == "12345678Z"
    assert answer.verdict is Verdict.NO_PERMITIDO
    assert "muy largo" in answer.answer


# ---------------------------------------------------------------------------- drafts


def test_no_draft_and_a_blank_draft_are_the_same(service: Service) -> None:
    plain = service.ask(RETWEET)
    for draft in ("", "  \n\t "):
        answer = service.ask(RETWEET, draft)
        assert answer.draft is None and answer.draft_findings == []
        assert _essentials(answer) == _essentials(plain)


def test_the_draft_is_returned_normalised_and_findings_point_into_it(service: Service) -> None:
    # invisible characters (even inside the number) are removed before screening
    answer = service.ask("¿Puedo publicar esto?", "  Hola\u200b a todos, DNI 1234\u200b5678Z  ")
    assert answer.draft == "Hola a todos, DNI 12345678Z"
    [dni] = [f for f in answer.draft_findings if f.kind == "dni"]
    assert answer.draft[dni.start : dni.end] == dni.text == "12345678Z"


def test_a_draft_s_finding_triggers_a_rule_from_the_draft_field(service: Service) -> None:
    answer = service.ask("¿Puedo publicar esto?", "Llamad a Ana López Ruiz, DNI 12345678Z")
    triggers = [t for t in answer.triggers if t.rule == "Regla 4"]
    assert triggers and {t.field for t in triggers} == {"borrador"}
    assert all(answer.draft is not None and answer.draft[t.start : t.end] == t.text for t in triggers)


# ----------------------------------------------------------------- modes and sources


@pytest.mark.parametrize("mode", ["bm25", "dense"])
def test_the_verdict_does_not_depend_on_the_retrieval_mode(
    service: Service, indexed_settings: Settings, mode: Mode
) -> None:
    other = Service(indexed_settings, mode=mode, auto_index=False)
    assert other.mode == mode
    for question in (PHOTO, CRITICISE):
        hybrid, answer = service.ask(question), other.ask(question)
        assert (answer.verdict, answer.rules) == (hybrid.verdict, hybrid.rules)
        retrieved = {r.chunk_id for r in answer.retrieved}
        assert all(c.chunk_id in retrieved for c in answer.citations)
        assert answer.retrieved[0].locator == hybrid.rules[0]  # the applied rule leads in every mode


def test_the_mode_comes_from_the_settings_unless_given(indexed_settings: Settings) -> None:
    assert Service(indexed_settings, auto_index=False).mode == "hybrid"
    bm25_settings = indexed_settings.model_copy(update={"retrieval_mode": "bm25"})
    assert Service(bm25_settings, auto_index=False).mode == "bm25"
    assert Service(bm25_settings, mode="dense", auto_index=False).mode == "dense"


def test_sources_list_laws_then_guides_then_terms_with_their_counts(service: Service) -> None:
    sources = service.sources()
    assert [(s.source_id, s.tipo) for s in sources] == [
        ("BOE-A-2099-90001", SourceType.LEY),
        ("guia-prueba", SourceType.GUIA),
        ("condiciones-linkedin", SourceType.CONDICIONES),
    ]
    assert sum(s.chunks for s in sources) == len(service._current_snapshot())
    law = sources[0]
    assert law.url == "https://www.boe.es/buscar/act.php?id=BOE-A-2099-90001"  # no article anchor
    assert (law.version, sources[2].network) == ("2099-01-02", "linkedin")


# --------------------------------------------------------------------------- warm-up


def test_warm_up_loads_the_serving_generation(indexed_settings: Settings) -> None:
    fresh = Service(indexed_settings, auto_index=False)
    assert fresh.generation is None
    fresh.warm_up()
    pointer = ChromaStore(indexed_settings).pointer()
    assert pointer is not None and fresh.generation == pointer.generation
    assert fresh.ask(RETWEET).verdict is Verdict.PERMITIDO


def test_warm_up_reads_the_knowledge_files_and_every_language_before_the_first_question(
    indexed_settings: Settings,
) -> None:
    fresh = Service(indexed_settings, auto_index=False)
    fresh.warm_up()
    assert fresh._signals.stamp is not None and fresh._scope.stamp is not None
    assert {language_of(q, None, ()) for q in WARM_UP_QUESTIONS} == {"es", "ca", "gl", "eu", "en"}


def test_without_an_index_and_without_auto_index_warm_up_says_what_to_run(tmp_path: Path) -> None:
    fresh = Service(make_settings(tmp_path, FIXTURES / "knowledge"), auto_index=False)
    for call in (fresh.warm_up, lambda: fresh.ask(RETWEET)):
        with pytest.raises(IndexMissingError, match=r"puedo-publicar index"):
            call()
    assert fresh.generation is None
    assert not list((tmp_path / "data").glob("**/*.bin"))  # and it built nothing


# ------------------------------------------------------------ knowledge files re-read


@pytest.fixture
def live_knowledge(tmp_path: Path, indexed_settings: Settings) -> Iterator[tuple[Service, Path]]:
    """A service over the session's index reading a private, editable copy of knowledge/."""
    knowledge = tmp_path / "knowledge"
    shutil.copytree(FIXTURES / "knowledge", knowledge)
    settings = indexed_settings.model_copy(update={"knowledge_dir": knowledge, "reload_check_seconds": 0})
    yield Service(settings, auto_index=False), knowledge


def _rewrite(path: Path, text: str) -> None:
    """Write ``text`` and move the modification time on (the service compares times)."""
    before = path.stat().st_mtime if path.exists() else 0.0
    path.write_text(text, encoding="utf-8")
    os.utime(path, (before + 10, before + 10))


def test_an_edited_glossary_is_used_by_the_next_question(live_knowledge: tuple[Service, Path]) -> None:
    live, knowledge = live_knowledge
    question = "¿Y si me chivo en el grupo?"
    assert live.retrieve(question).expanded == question
    glossary = knowledge / "glosario.yaml"
    _rewrite(glossary, glossary.read_text(encoding="utf-8") + 'jerga:\n  chivo: "sigilo divulgar"\n')
    retrieval = live.retrieve(question)
    assert retrieval.expanded == f"{question} sigilo divulgar"
    assert retrieval.hits[0].chunk.locator == "Artículo 5"


def test_a_broken_glossary_is_logged_and_the_bot_keeps_answering(
    live_knowledge: tuple[Service, Path], caplog: pytest.LogCaptureFixture
) -> None:
    live, knowledge = live_knowledge
    glossary = knowledge / "glosario.yaml"
    good = glossary.read_text(encoding="utf-8")
    caplog.set_level(logging.WARNING, logger="bot.service")
    _rewrite(glossary, "coloquial:\n  insta: [sin cerrar\n")
    assert live.ask(PHOTO).verdict is Verdict.NO_PERMITIDO
    assert any("glosario.yaml: YAML mal formado" in r.getMessage() for r in caplog.records)
    _rewrite(glossary, good)  # fixed: the expansions are back
    assert live.retrieve("¿Puedo colgar esto en el insta?").expanded.endswith("publicar subir instagram")


# ------------------------------------------------------------------------- threads


def test_one_service_answers_many_threads_at_once(indexed_settings: Settings, service: Service) -> None:
    shared = Service(indexed_settings, auto_index=False)  # cold: the threads race to load it
    questions = [PHOTO, RETWEET, LICENCE, PHOTO]
    known = {q: _essentials(service.ask(q)) for q in set(questions)}
    expected = [known[q] for q in questions]
    results: list[Any] = [None] * len(questions)
    start = threading.Barrier(len(questions))

    def ask(i: int) -> None:
        start.wait()
        try:
            results[i] = _essentials(shared.ask(questions[i]))
        except Exception as exc:  # reported below, with the others
            results[i] = exc

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(len(questions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    assert results == expected


# -------------------------------------------------------------- the index store fails


class FlakyModel(Embeddings):
    """The real model behind a switch: the next queries raise the queued errors.

    Stands in for the model and Chroma failing at the boundary; the service and everything
    below it are real."""

    def __init__(self, real: Embeddings) -> None:
        self.real = real
        self.failures: list[Exception] = []
        self.queries = 0

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.real.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        self.queries += 1
        if self.failures:
            raise self.failures.pop(0)
        return self.real.embed_query(text)


@pytest.fixture
def flaky(indexed_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> tuple[Service, FlakyModel, list[int]]:
    """A service over the session's index whose model can be made to fail; ``loads`` counts the
    index generations it loaded (one per :class:`~bot.retrieval.Snapshot`)."""
    model = FlakyModel(service_module.embeddings_for(indexed_settings))
    loads: list[int] = []

    def embeddings_for(settings: Settings) -> Embeddings:
        loads.append(1)
        return model

    monkeypatch.setattr(service_module, "embeddings_for", embeddings_for)
    # The model (and so the index store) is queried at ask time only when it weighs in the fusion.
    slow_to_look = indexed_settings.model_copy(update={"reload_check_seconds": 3600, "dense_weight": DENSE})
    flaky_service = Service(slow_to_look, auto_index=False)
    flaky_service.warm_up()
    assert len(loads) == 1
    return flaky_service, model, loads


def test_an_index_store_error_reloads_the_index_once_and_answers(
    flaky: tuple[Service, FlakyModel, list[int]], indexed_settings: Settings
) -> None:
    flaky_service, model, loads = flaky
    steady = Service(indexed_settings.model_copy(update={"dense_weight": DENSE}), auto_index=False)
    expected = _essentials(steady.ask(PHOTO))  # first: ``steady`` may load the (counted) model
    loads.clear()
    model.failures = [IndexStoreError("Chroma ha fallado al buscar en el índice: colección borrada")]
    before = model.queries
    answer = flaky_service.ask(PHOTO)
    assert _essentials(answer) == expected
    assert (len(loads), model.queries - before) == (1, 2)  # one reload, one more try


def test_an_index_store_error_that_persists_is_raised_after_one_reload(
    flaky: tuple[Service, FlakyModel, list[int]],
) -> None:
    flaky_service, model, loads = flaky
    model.failures = [IndexStoreError("primera"), IndexStoreError("segunda"), IndexStoreError("tercera")]
    with pytest.raises(IndexStoreError, match="segunda"):
        flaky_service.ask(PHOTO)
    assert len(loads) == 2  # one reload, not a loop
    assert [str(e) for e in model.failures] == ["tercera"]  # two tries in all


@pytest.mark.parametrize(
    "error",
    [RuntimeError("el modelo se ha roto"), ValueError("vector mal formado")],
    ids=lambda e: type(e).__name__,
)
def test_any_other_error_is_not_retried(flaky: tuple[Service, FlakyModel, list[int]], error: Exception) -> None:
    flaky_service, model, loads = flaky
    model.failures = [error]
    before = model.queries
    with pytest.raises(type(error)) as caught:
        flaky_service.ask(PHOTO)
    assert caught.value is error  # as raised, not wrapped
    assert (len(loads), model.queries - before) == (1, 1)  # no reload, no second try
    assert flaky_service.ask(PHOTO).verdict is Verdict.NO_PERMITIDO  # and the next question is fine
    assert len(loads) == 1


@pytest.fixture
def tiny_index(tmp_path: Path) -> Settings:
    """An index of its own (the LinkedIn note only: two chunks) that a test may break."""
    knowledge = tmp_path / "knowledge"
    (knowledge / "condiciones").mkdir(parents=True)
    shutil.copy(FIXTURES / "knowledge" / "condiciones" / "linkedin.md", knowledge / "condiciones")
    settings = make_settings(tmp_path, knowledge, reload_check_seconds=3600)
    assert Indexer(settings).update().chunks == 2
    return settings


def test_a_deleted_index_is_a_clear_error_until_it_is_rebuilt(tiny_index: Settings) -> None:
    # With the model weighing in, each question queries the store and finds it gone.
    live = Service(tiny_index.model_copy(update={"dense_weight": DENSE}), auto_index=False)
    assert live.ask(LICENCE).verdict is Verdict.INFORMATIVO
    store = ChromaStore(tiny_index)
    pointer = store.pointer()
    assert pointer is not None
    for name in pointer.collections:  # another process wiped the collections under it
        store.client.delete_collection(name)

    with pytest.raises(IndexStoreError, match="Chroma ha fallado"):
        live.ask(LICENCE)
    rebuilt = Indexer(tiny_index).update()  # the pointer's collection is gone: written anew
    assert rebuilt.generation == pointer.generation + 1
    answer = live.ask(LICENCE)  # the failing generation makes the service look again
    assert answer.verdict is Verdict.INFORMATIVO and live.generation == rebuilt.generation
    assert answer.citations[0].source_id == "condiciones-linkedin"


def test_an_empty_index_answers_without_sources(tmp_path: Path) -> None:
    (tmp_path / "knowledge").mkdir()
    settings = make_settings(tmp_path, tmp_path / "knowledge")
    assert Indexer(settings).update().chunks == 0
    empty = Service(settings, auto_index=False)
    answer = empty.ask(PHOTO)
    assert answer.citations == [] and answer.retrieved == []
    assert answer.verdict is not Verdict.PERMITIDO  # never a «yes» with nothing to cite
    assert empty.sources() == []
