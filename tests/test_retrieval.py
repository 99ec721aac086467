"""Ranking over the fixture index (:mod:`bot.retrieval`): the three modes, the glossary's
expanded query, the weights that prefer rules and named laws, the chunks put first, and the
rule bridge. The session's index of ``tests/fixtures/knowledge`` (20 chunks) is read, never
written; every :class:`Snapshot` here is loaded from it with the bundled model."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from bot.decision import TUNING
from bot.embeddings import embeddings_for
from bot.glossary import Glossary, load_glossary
from bot.index import ChromaStore, Indexer
from bot.models import LegalRef, SourceType
from bot.retrieval import Mode, Retrieval, Retriever, Snapshot
from bot.settings import Settings
from tests.conftest import make_settings

LAW = "BOE-A-2099-90001"
MODES: tuple[Mode, ...] = ("hybrid", "bm25", "dense")
PHOTO = "¿Puedo subir al insta una foto de los vecinos que atendí hoy?"


@pytest.fixture(scope="module")
def snapshot(indexed_settings: Settings) -> Snapshot:
    store = ChromaStore(indexed_settings)
    pointer = store.pointer()
    assert pointer is not None
    return Snapshot(store, pointer, embeddings_for(indexed_settings))


@pytest.fixture(scope="module")
def glossary(indexed_settings: Settings) -> Glossary:
    return load_glossary(indexed_settings.knowledge_dir)[0]


def retriever(snapshot: Snapshot, mode: Mode = "hybrid", glossary: Glossary | None = None, **kw: float) -> Retriever:
    return Retriever(snapshot, glossary if glossary is not None else Glossary(), mode=mode, **kw)  # type: ignore[arg-type]


def locators(result: Retrieval, n: int | None = None) -> list[str]:
    return [h.chunk.locator for h in result.hits[:n]]


def position(snapshot: Snapshot, locator: str) -> int:
    [found] = [i for i, c in enumerate(snapshot.chunks) if c.locator == locator]
    return found


# ---------------------------------------------------------------------- the snapshot


def test_the_snapshot_holds_the_whole_generation(snapshot: Snapshot) -> None:
    assert len(snapshot) == len(snapshot.chunks) == len(snapshot.position) == 20
    assert all(snapshot.chunks[snapshot.position[c.id]] is c for c in snapshot.chunks)
    assert [r.locator for r in snapshot.rules] == [f"Regla {n}" for n in range(1, 6)]
    assert {c.tipo for c in snapshot.chunks} == set(SourceType)


@pytest.mark.parametrize(
    ("article", "expected"),
    [
        ("6 bis", ["Artículo 6 bis"]),
        ("6", ["Artículo 6"]),  # not «6 bis»
        ("5.2", ["Artículo 5"]),  # the apartado is not a chunk of its own here: the whole article
        ("99", []),
    ],
)
def test_legal_basis_finds_the_cited_article(snapshot: Snapshot, article: str, expected: list[str]) -> None:
    found = snapshot.legal_basis_chunks(LegalRef(source_id=LAW, article=article))
    assert [snapshot.chunks[p].locator for p in found] == expected


def test_legal_basis_of_an_unknown_law_is_nothing(snapshot: Snapshot) -> None:
    assert snapshot.legal_basis_chunks(LegalRef(source_id="BOE-A-1900-1", article="1")) == []


# ----------------------------------------------------------------------------- modes


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("question", "first"),
    [
        ("deber de sigilo sobre los asuntos que conozca por razón de su puesto", {"Artículo 5"}),
        ("¿Qué licencia le doy a LinkedIn sobre lo que publico?", {"§ 1. Licencia sobre lo que publicas"}),
        # the rule and the article it cites, in either order
        ("aceptar regalos, favores ni pagos de empresas o particulares", {"Regla 5", "Artículo 7"}),
    ],
)
def test_every_mode_ranks_a_clear_question_first(
    snapshot: Snapshot, mode: Mode, question: str, first: set[str]
) -> None:
    result = retriever(snapshot, mode).retrieve(question)
    assert set(locators(result, len(first))) == first
    assert result.hits[0].score == max(h.score for h in result.ranked)


@pytest.mark.parametrize("mode", MODES)
def test_hits_are_distinct_and_sorted_within_the_ranking(snapshot: Snapshot, mode: Mode) -> None:
    result = retriever(snapshot, mode).retrieve("¿Puedo criticar al gobierno en Twitter?")
    ids = [h.chunk.id for h in result.hits]
    assert len(ids) == len(set(ids)) == 10
    scores = [h.score for h in result.ranked]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= s <= 1.0 + 1e-6 for s in scores)


def test_bm25_mode_uses_no_dense_score(snapshot: Snapshot) -> None:
    question = "¿Puedo opinar de política en mi perfil?"
    bm25 = retriever(snapshot, "bm25").retrieve(question)
    assert bm25.lexical is not None
    assert [h.score for h in bm25.ranked] == pytest.approx(
        sorted((bm25.lexical / bm25.lexical.max()).tolist(), reverse=True)[: len(bm25.ranked)]
    )


def test_hybrid_with_no_dense_weight_ranks_as_bm25(snapshot: Snapshot) -> None:
    question = "¿Puedo opinar de política en mi perfil?"
    hybrid = retriever(snapshot, "hybrid", dense_weight=0.0).retrieve(question)
    bm25 = retriever(snapshot, "bm25").retrieve(question)
    assert [(h.chunk.id, h.score) for h in hybrid.hits] == [(h.chunk.id, h.score) for h in bm25.hits]


def test_dense_mode_reads_no_words(snapshot: Snapshot) -> None:
    # «sigilo» is in no chunk's words but article 5's: BM25 finds only it; the model ranks them all
    dense = retriever(snapshot, "dense").retrieve("deber de sigilo")
    assert dense.lexical is not None and not dense.lexical.any()  # BM25 is not even computed
    assert sum(h.score > 0 for h in dense.ranked) > 2
    bm25 = retriever(snapshot, "bm25").retrieve("deber de sigilo")
    assert sum(h.score > 0 for h in bm25.ranked) == 2


def test_hybrid_dense_only_reorders_bm25_candidates(snapshot: Snapshot) -> None:
    # The dense model alone puts other articles right after article 5; in hybrid mode it may
    # only reorder what BM25 found, so everything BM25 did not match stays at 0.
    question = "deber de sigilo"
    dense = retriever(snapshot, "dense").retrieve(question)
    assert any(h.score > 0 and h.chunk.locator not in {"Artículo 5", "Artículo 4"} for h in dense.ranked)
    hybrid = retriever(snapshot, "hybrid").retrieve(question)
    assert hybrid.lexical is not None
    matched = {snapshot.chunks[i].locator for i in np.flatnonzero(hybrid.lexical)}
    assert matched == {"Artículo 5", "Artículo 4"}
    assert locators(hybrid, 2) == ["Artículo 5", "Artículo 4"]
    assert all(h.score == 0 for h in hybrid.ranked if h.chunk.locator not in matched)


def test_hybrid_scores_nothing_bm25_did_not_match(snapshot: Snapshot) -> None:
    hybrid = retriever(snapshot, "hybrid").retrieve("xyzzy qwerty plugh")
    assert hybrid.lexical is not None and not hybrid.lexical.any()
    assert [h.score for h in hybrid.ranked if h.score > 0] == []


# ------------------------------------------------------------------- the expanded query


def test_the_expanded_query_is_the_question_and_its_glossary_words(snapshot: Snapshot, glossary: Glossary) -> None:
    result = retriever(snapshot, "bm25", glossary).retrieve("¿Puedo colgar la foto en el insta?")
    assert result.query == "¿Puedo colgar la foto en el insta?"
    assert result.expanded == "¿Puedo colgar la foto en el insta? publicar subir instagram"
    plain = retriever(snapshot, "bm25").retrieve("¿Puedo colgar la foto en el insta?")
    assert plain.expanded == plain.query


def test_a_word_only_the_glossary_knows_finds_its_chunks(snapshot: Snapshot) -> None:
    question = "¿Y si me chivo?"
    without = retriever(snapshot, "bm25").retrieve(question)
    assert without.lexical is not None and not without.lexical.any()
    slang = Glossary({"chivo": "sigilo divulgar expedientes"})
    found = retriever(snapshot, "bm25", slang).retrieve(question)
    assert locators(found, 1) == ["Artículo 5"]


def test_glossary_words_weigh_less_than_the_question_s_own(snapshot: Snapshot) -> None:
    own = snapshot.lexical_scores("sigilo expedientes")
    from_glossary = snapshot.lexical_scores("", "sigilo expedientes")
    assert own.any()
    assert from_glossary == pytest.approx(TUNING.expansion_weight * own)
    # a word both in the question and in its expansion counts once
    assert snapshot.lexical_scores("sigilo", "sigilo") == pytest.approx(snapshot.lexical_scores("sigilo"))


def test_expansion_weight_is_a_tuning_constant(indexed_settings: Settings, snapshot: Snapshot) -> None:
    store = ChromaStore(indexed_settings)
    pointer = store.pointer()
    assert pointer is not None
    muted = Snapshot(
        store, pointer, embeddings_for(indexed_settings), dataclasses.replace(TUNING, expansion_weight=0.0)
    )
    assert not muted.lexical_scores("", "sigilo expedientes").any()
    assert muted.lexical_scores("sigilo") == pytest.approx(snapshot.lexical_scores("sigilo"))


def test_words_together_score_more_than_the_same_words_apart(indexed_settings: Settings) -> None:
    store = ChromaStore(indexed_settings)
    pointer = store.pointer()
    assert pointer is not None
    embeddings = embeddings_for(indexed_settings)
    alone = Snapshot(store, pointer, embeddings, dataclasses.replace(TUNING, pair_weight=0.0))
    paired = Snapshot(store, pointer, embeddings, dataclasses.replace(TUNING, pair_weight=0.5))
    # A single word has no pair: the same scores.
    assert paired.lexical_scores("sigilo") == pytest.approx(alone.lexical_scores("sigilo"))
    # «deber de sigilo» is article 5's heading: the pair adds to it, and to no chunk without both words.
    together, apart = paired.lexical_scores("deber sigilo"), alone.lexical_scores("deber sigilo")
    article = position(paired, "Artículo 5")
    assert together[article] > apart[article]
    assert (together >= apart - 1e-6).all()
    assert together.argmax() == article


# -------------------------------------------------------------------- what goes first


def test_boosted_chunks_go_first_each_rule_followed_by_its_articles(snapshot: Snapshot) -> None:
    rule3 = snapshot.rules[2]
    result = retriever(snapshot, "bm25").retrieve("¿Puedo retuitear la campaña oficial?", boost=(rule3.id,))
    assert locators(result, 2) == ["Regla 3", "Artículo 5"]
    assert result.hits[1].via == "Regla 3"
    assert result.hits[0].score == max(h.score for h in result.ranked)
    assert "Regla 1" in locators(result)  # what the question itself found is still listed


def test_unknown_and_repeated_boosts_are_ignored(snapshot: Snapshot) -> None:
    rule4 = snapshot.rules[3]
    result = retriever(snapshot, "bm25").retrieve(PHOTO, boost=("no-existe", rule4.id, rule4.id))
    ids = [h.chunk.id for h in result.hits]
    assert ids[0] == rule4.id and len(ids) == len(set(ids))


def test_promote_reorders_without_searching_again(snapshot: Snapshot) -> None:
    engine = retriever(snapshot, "bm25")
    first = engine.retrieve("¿Puedo retuitear la campaña oficial?")
    rule5 = snapshot.rules[4]
    promoted = engine.promote(first, [rule5.id])
    assert locators(promoted, 2) == ["Regla 5", "Artículo 7"]
    assert promoted.ranked is first.ranked and promoted.expanded == first.expanded
    assert set(locators(first)) - set(locators(promoted)) <= {locators(first)[-1], locators(first)[-2]}


def test_lead_with_puts_the_given_articles_first(snapshot: Snapshot) -> None:
    engine = retriever(snapshot, "bm25")
    first = engine.retrieve("¿Qué pasa si divulgo un borrador que aún no se ha publicado?")
    led = engine.lead_with(first, [LegalRef(source_id=LAW, article="2"), LegalRef(source_id=LAW, article="5")])
    assert locators(led, 2) == ["Artículo 2", "Artículo 5"]
    assert len({h.chunk.id for h in led.hits}) == len(led.hits) <= first.k
    # Unknown articles are skipped; nothing known leaves the ranking as it was.
    assert engine.lead_with(first, [LegalRef(source_id=LAW, article="999")]) is first
    assert engine.lead_with(first, []) is first


def test_asking_for_permission_prefers_the_guideline_rules(snapshot: Snapshot) -> None:
    engine = retriever(snapshot, "bm25")
    question = "opinar de política en público"
    plain = {h.chunk.id: h.score for h in engine.retrieve(question, 20).ranked}
    preferring = {h.chunk.id: h.score for h in engine.retrieve(question, 20, prefer_rules=True).ranked}
    for chunk in snapshot.chunks:
        factor = TUNING.rule_preference if chunk.rule_verdict is not None else 1.0
        assert preferring.get(chunk.id, 0.0) == pytest.approx(plain.get(chunk.id, 0.0) * factor)


def test_a_named_law_weighs_more(snapshot: Snapshot) -> None:
    engine = retriever(snapshot, "bm25")
    question = "¿Puedo compartir en LinkedIn información pública?"
    plain = {h.chunk.id: h.score for h in engine.retrieve(question, 20).ranked}
    named = {h.chunk.id: h.score for h in engine.retrieve(question, 20, prefer_laws=(LAW,)).ranked}
    for chunk in snapshot.chunks:
        factor = TUNING.law_mention_boost if chunk.source_id == LAW else 1.0
        assert named.get(chunk.id, 0.0) == pytest.approx(plain.get(chunk.id, 0.0) * factor)


def test_a_question_of_fact_naming_no_network_weighs_the_terms_less(snapshot: Snapshot) -> None:
    engine = retriever(snapshot, "bm25")
    question = "¿Qué licencia se concede sobre el contenido publicado?"
    plain = {h.chunk.id: h.score for h in engine.retrieve(question, 20).ranked}
    demoted = {h.chunk.id: h.score for h in engine.retrieve(question, 20, demote_terms=True).ranked}
    terms = [c for c in snapshot.chunks if c.tipo is SourceType.CONDICIONES]
    assert terms and any(plain.get(c.id, 0.0) > 0 for c in terms)
    for chunk in snapshot.chunks:
        factor = TUNING.terms_without_network if chunk.tipo is SourceType.CONDICIONES else 1.0
        assert demoted.get(chunk.id, 0.0) == pytest.approx(plain.get(chunk.id, 0.0) * factor)


def test_dense_query_replaces_only_what_the_model_reads(snapshot: Snapshot) -> None:
    question = "deber de sigilo " + "Texto pegado del borrador sobre otra cosa. " * 10
    engine = retriever(snapshot, "dense")
    whole = engine.retrieve(question)
    short = engine.retrieve(question, dense_query="deber de sigilo")
    assert locators(short, 1) == ["Artículo 5"]
    assert short.query == whole.query == question
    bm25 = retriever(snapshot, "bm25")
    assert locators(bm25.retrieve(question, dense_query="otra cosa")) == locators(bm25.retrieve(question))


# --------------------------------------------------------------------- the rule bridge


@pytest.mark.parametrize("mode", MODES)
def test_a_top_rule_brings_its_articles_right_after_it(snapshot: Snapshot, mode: Mode) -> None:
    result = retriever(snapshot, mode).retrieve(PHOTO, prefer_rules=True)
    assert locators(result, 3) == ["Regla 4", "Artículo 6", "Artículo 6 bis"]
    assert [h.via for h in result.hits[:3]] == [None, "Regla 4", "Regla 4"]
    assert result.hits[1].score < result.hits[0].score  # just below the rule


def test_a_weak_rule_brings_no_articles(snapshot: Snapshot) -> None:
    result = retriever(snapshot, "bm25").retrieve(PHOTO, prefer_rules=True)
    top = result.hits[0].score
    weak = [h.chunk.locator for h in result.hits if h.chunk.rule_verdict is not None and h.score < 0.5 * top]
    assert weak  # Regla 1 and Regla 3 share a word or two with the question
    assert [h for h in result.hits if h.via in weak] == []


def test_an_article_the_question_already_found_is_listed_once(snapshot: Snapshot) -> None:
    result = retriever(snapshot, "bm25").retrieve("imagen de una persona atendida: consentimiento expreso")
    ids = [h.chunk.id for h in result.hits]
    assert len(ids) == len(set(ids))
    assert locators(result).count("Artículo 6 bis") == 1


# -------------------------------------------------------------------- how many, or none


@pytest.mark.parametrize(("k", "listed"), [(1, 10), (10, 10), (15, 15), (100, 20)])
def test_at_least_ten_hits_and_never_more_than_the_index(snapshot: Snapshot, k: int, listed: int) -> None:
    result = retriever(snapshot, "bm25").retrieve(PHOTO, k)
    assert len(result.hits) == listed
    assert result.k == max(k, 10)


@pytest.mark.parametrize("question", ["xyzzy qwerty plugh", "", "el de la que"])
def test_a_question_matching_no_word_still_lists_zero_score_hits(snapshot: Snapshot, question: str) -> None:
    result = retriever(snapshot, "bm25").retrieve(question)
    assert len(result.hits) == 10
    assert all(h.score == 0.0 for h in result.hits)


@pytest.fixture(scope="module")
def empty_snapshot(tmp_path_factory: pytest.TempPathFactory) -> Snapshot:
    root = tmp_path_factory.mktemp("empty-index")
    (root / "knowledge").mkdir()
    settings = make_settings(root, Path(root / "knowledge"))
    assert Indexer(settings).update().chunks == 0
    store = ChromaStore(settings)
    pointer = store.pointer()
    assert pointer is not None
    return Snapshot(store, pointer, embeddings_for(settings))


@pytest.mark.parametrize("mode", MODES)
def test_an_empty_index_gives_no_hits(empty_snapshot: Snapshot, glossary: Glossary, mode: Mode) -> None:
    assert len(empty_snapshot) == 0 and empty_snapshot.rules == []
    result = retriever(empty_snapshot, mode, glossary).retrieve(PHOTO, boost=("x",), prefer_rules=True)
    assert result.hits == [] and result.ranked == []
    assert result.expanded.startswith(PHOTO) and result.expanded != PHOTO  # still expanded
    assert empty_snapshot.dense_search(PHOTO, 5) == []


# ------------------------------------------------------------------ named articles


@pytest.mark.parametrize("mode", MODES)
def test_an_article_named_by_number_goes_first(snapshot: Snapshot, mode: Mode) -> None:
    question = "deber de sigilo sobre los asuntos que conozca"  # article 5's words
    engine = retriever(snapshot, mode)
    assert locators(engine.retrieve(question), 1) == ["Artículo 5"]
    named = engine.retrieve(question, named=(LegalRef(source_id=LAW, article="6 bis"),))
    assert locators(named, 2)[0] == "Artículo 6 bis"
    assert "Artículo 5" in locators(named, 5)  # what the words found still follows


def test_named_articles_keep_their_order_and_are_listed_once(snapshot: Snapshot) -> None:
    engine = retriever(snapshot, "bm25")
    refs = (LegalRef(source_id=LAW, article="7"), LegalRef(source_id=LAW, article="3"))
    found = locators(engine.retrieve("regalos y conflictos de intereses", named=refs))
    assert found[:2] == ["Artículo 7", "Artículo 3"]
    assert len(found) == len(set(found))


@pytest.mark.parametrize("article", ["99", "5.9"])
def test_a_named_article_the_law_lacks_changes_nothing_or_brings_the_article(snapshot: Snapshot, article: str) -> None:
    engine = retriever(snapshot, "bm25")
    question = "deber de sigilo"
    named = locators(engine.retrieve(question, named=(LegalRef(source_id=LAW, article=article),)))
    plain = locators(engine.retrieve(question))
    # «99» does not exist: the ranking is the plain one; «5.9» is not an apartado here: article 5
    assert named == plain
