"""Dense + lexical retrieval over one index generation, their fusion, and the rule bridge.

Questions arrive in everyday words and the laws are written in legal Spanish, so retrieval
does three things:

1. expands the question with the glossary (``insta`` → ``instagram``);
2. fuses Spanish-stemmed BM25 with the sentence-transformers model: a convex combination of
   the BM25 score (divided by the best) and a dense score (weight chosen by measurement: see
   the README). In hybrid mode the dense model only reorders BM25's first
   :attr:`~bot.decision.Tuning.rerank_depth` candidates, and only where it is confident: a candidate earns a dense
   score only if it is also among the model's own first :attr:`~bot.decision.Tuning.dense_confident` hits (its
   similarity min-max normalised over those hits); every other chunk's dense score is 0;
3. follows the legal basis of every guideline rule it retrieves to the article chunks of the
   law (the rule bridge), which are placed right after the rule and count as retrieved.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from itertools import pairwise
from typing import Any, Literal

import bm25s
import numpy as np
from langchain_chroma import Chroma
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from bot.chunking import index_text
from bot.decision import TUNING, Tuning
from bot.glossary import Glossary
from bot.index import ChromaStore, Pointer, chroma_errors
from bot.models import Chunk, LegalRef, SourceType, article_key
from bot.text import tokenize

Mode = Literal["hybrid", "bm25", "dense"]


@dataclass
class Hit:
    """A chunk retrieved for a question, with the score that ranked it."""

    chunk: Chunk
    score: float
    #: For chunks reached through a rule's legal basis: the rule's locator.
    via: str | None = None


@dataclass
class Retrieval:
    """The ranked hits for one question, and the question as searched (with glossary words)."""

    query: str
    expanded: str
    hits: list[Hit]
    #: Every chunk's BM25 score for the question (picks the apartado a rule's article brings).
    lexical: np.ndarray | None = field(default=None, repr=False)
    #: Chunks ranked before the rule bridge, best first (what :meth:`Retriever.promote` reorders).
    ranked: list[Hit] = field(default_factory=list, repr=False)
    k: int = 10


class Snapshot:
    """One index generation loaded for reading: chunks, BM25 index, Chroma vector store."""

    def __init__(self, store: ChromaStore, pointer: Pointer, embeddings: Embeddings, tuning: Tuning = TUNING) -> None:
        self.pointer = pointer
        self.tuning = tuning
        self.generation = pointer.generation
        read = list(store.read(pointer))
        self.chunks: list[Chunk] = [chunk for chunk, _, _ in read]
        self.position = {c.id: i for i, c in enumerate(self.chunks)}
        tokens = [tokenize(index_text(c)) for c in self.chunks]
        self.bm25 = bm25s.BM25(k1=1.2, b=0.75)
        #: BM25 over pairs of consecutive stems («retribu basic»): a chunk that has the
        #: question's words together ranks above one that has them apart.
        self.pairs = bm25s.BM25(k1=1.2, b=0.75)
        if self.chunks:
            self.bm25.index(tokens, show_progress=False)
            if tuning.pair_weight:
                self.pairs.index([_pairs(t) for t in tokens], show_progress=False)
        #: One vector store per collection of the generation, with how many of its vectors are
        #: stale (files a delta replaced). Those are fetched and dropped rather than filtered in
        #: Chroma: a metadata filter made each query seven times slower.
        self.vectorstores: list[tuple[Chroma, int]] = []
        visible = dict.fromkeys(pointer.collections, 0)
        for _, _, name in read:
            visible[name] = visible.get(name, 0) + 1
        for name in pointer.collections:
            store_ = Chroma(
                client=store.client,
                collection_name=name,
                embedding_function=embeddings,
                create_collection_if_not_exists=False,
            )
            stale = max(0, store.collection(name).count() - visible.get(name, 0))
            self.vectorstores.append((store_, stale))
        self.embeddings = embeddings
        self.rule_weights = np.array(
            [tuning.rule_preference if c.rule_verdict is not None else 1.0 for c in self.chunks], dtype=np.float32
        )
        self.source_ids = np.array([c.source_id for c in self.chunks])
        self.of_terms = np.array([c.tipo is SourceType.CONDICIONES for c in self.chunks], dtype=bool)
        #: The guideline's rules, in index order.
        self.rules: list[Chunk] = [c for c in self.chunks if c.rule_verdict is not None]
        self._articles: dict[tuple[str, str], list[int]] = {}
        self._locators: dict[tuple[str, str], list[int]] = {}
        for i, chunk in enumerate(self.chunks):
            self._locators.setdefault((chunk.source_id, chunk.locator), []).append(i)
            article = chunk.article
            if chunk.tipo is SourceType.LEY and article:
                self._articles.setdefault((chunk.source_id, article_key(article)), []).append(i)

    def __len__(self) -> int:
        return len(self.chunks)

    # -- lexical

    def lexical_scores(self, query: str, expansion: str = "") -> np.ndarray:
        """BM25 scores of every chunk; words from the glossary's ``expansion`` (not in the
        question itself) weigh :attr:`Tuning.expansion_weight` as much as the question's own words."""
        terms = tokenize(query)
        scores = np.zeros(len(self.chunks), dtype=np.float32)
        if not self.chunks:
            return scores
        if terms:
            scores += np.asarray(self.bm25.get_scores(terms), dtype=np.float32)
            pairs = _pairs(terms)
            if pairs and self.tuning.pair_weight:
                scores += self.tuning.pair_weight * np.asarray(self.pairs.get_scores(pairs), dtype=np.float32)
        extra = [t for t in dict.fromkeys(tokenize(expansion)) if t not in set(terms)]
        if extra:
            scores += self.tuning.expansion_weight * np.asarray(self.bm25.get_scores(extra), dtype=np.float32)
        return scores

    # -- dense

    def dense_search(self, query: str, k: int) -> list[tuple[int, float]]:
        """(chunk position, cosine similarity), best first."""
        if not self.chunks:
            return []
        vector = self.embeddings.embed_query(query)
        found: list[tuple[int, float]] = []
        for vectorstore, stale in self.vectorstores:
            # Only ids and distances: the chunks are already in memory (documents and metadata
            # would be decoded for nothing on every question).
            with chroma_errors("buscar en el índice"):  # a newer index may have pruned this generation
                result = vectorstore._collection.query(
                    query_embeddings=np.asarray([vector], dtype=np.float32),
                    n_results=min(k + stale, len(self) + stale),
                    include=["distances"],
                )
            distances = (result.get("distances") or [[]])[0]
            for chunk_id, distance in zip(result["ids"][0], distances, strict=True):
                if chunk_id in self.position:  # stale vectors of replaced files are not
                    found.append((self.position[chunk_id], 1.0 - float(distance)))
        return sorted(found, key=lambda hit: -hit[1])[:k]

    # -- rule bridge

    def legal_basis_chunks(self, ref: LegalRef) -> list[int]:
        """Chunks of the article a rule cites: the exact apartado if indexed, else the article."""
        article, _, apartado = ref.article.partition(".")
        positions = self._articles.get((ref.source_id, article_key(article)), [])
        if apartado:
            exact = [p for p in positions if self.chunks[p].locator.endswith(f".{apartado}")]
            return exact or positions
        return positions

    def closest_chunks(self, ref: LegalRef, lexical: np.ndarray) -> list[int]:
        """The chunk of ``ref`` to show: of several apartados, the one with the best BM25 score
        for the question (``lexical``); none when the article is not indexed."""
        positions = self.legal_basis_chunks(ref)
        return [max(positions, key=lambda p: lexical[p])] if positions else []


def _pairs(tokens: list[str]) -> list[str]:
    """Consecutive stems joined («retribu basic»), for the pair index."""
    return [f"{a} {b}" for a, b in pairwise(tokens)]


def _normalised(found: list[tuple[int, float]], n: int) -> np.ndarray:
    """The dense hits' similarities min-max normalised over those hits; 0 for every other chunk."""
    scores = np.zeros(n, dtype=np.float32)
    if found:
        low, high = min(s for _, s in found), max(s for _, s in found)
        for position, similarity in found:
            scores[position] = (similarity - low) / (high - low) if high > low else 0.0
    return scores


def _rerank_scores(found: list[tuple[int, float]], lexical: np.ndarray, depth: int) -> np.ndarray:
    """Dense scores for the hybrid fusion, from the dense model's first hits ``found``.

    A chunk scores only if it is both among BM25's first ``depth`` candidates with a score above 0 (the dense model
    reorders them; it does not bring in others) and among the dense model's first
    :attr:`Tuning.dense_confident` hits (``found``); its similarity is min-max normalised over those hits.
    Every other chunk scores 0: the model's low ranks, close to noise in Spanish, reorder nothing.
    """
    scores = _normalised(found, len(lexical))
    if depth:
        mask = np.zeros(len(lexical), dtype=bool)
        top = np.argsort(-lexical, kind="stable")[:depth]
        mask[top[lexical[top] > 0]] = True  # a chunk BM25 did not match at all is no candidate
        scores = np.where(mask, scores, 0.0).astype(np.float32)
    return scores


class Retriever:
    """Ranks chunks for a question in one of three modes (``hybrid`` is the default)."""

    def __init__(
        self,
        snapshot: Snapshot,
        glossary: Glossary,
        *,
        mode: Mode = "hybrid",
        dense_weight: float | None = None,
    ) -> None:
        self.snapshot = snapshot
        self.tuning = snapshot.tuning
        self.glossary = glossary
        self.mode = mode
        weight = self.tuning.dense_weight if dense_weight is None else dense_weight
        self.dense_weight = weight if mode == "hybrid" else (1.0 if mode == "dense" else 0.0)

    def retrieve(
        self,
        query: str,
        k: int = 10,
        *,
        boost: tuple[str, ...] = (),
        prefer_rules: bool = False,
        dense_query: str | None = None,
        prefer_laws: tuple[str, ...] = (),
        named: tuple[LegalRef, ...] = (),
        demote_terms: bool = False,
    ) -> Retrieval:
        """Rank chunks for ``query``; chunks in ``boost`` (ids) go first.

        ``prefer_rules``: the question asks for permission, so the guideline's rules (which carry verdicts) weigh
        :attr:`Tuning.rule_preference` times more. ``dense_query``: what the dense model embeds, when
        not all of ``query`` (the question without the pasted draft: BM25 reads the draft whole,
        and embedding it costs time for little). ``prefer_laws``: BOE ids of laws the question
        names, whose chunks weigh :attr:`Tuning.law_mention_boost` times more. ``named``: articles
        the question names by number («el artículo 53.12 del EBEP», :mod:`bot.articles`); they
        go first, each as its best :attr:`Tuning.named_article_chunks` chunks for the question.
        ``demote_terms``: a question of fact that names no network; the networks' terms weigh
        :attr:`Tuning.terms_without_network` as much.
        """
        snap = self.snapshot
        expanded = self.glossary.expand(query)
        n = len(snap)
        expansion = expanded[len(query) :]
        lexical = snap.lexical_scores(query, expansion) if self.dense_weight < 1.0 else np.zeros(n, np.float32)
        lexical_top = float(lexical.max()) if n else 0.0
        lex_norm = lexical / lexical_top if lexical_top > 0 else lexical
        dense_norm = np.zeros(n, dtype=np.float32)
        if self.dense_weight > 0.0 and n:
            if self.mode == "hybrid":
                tuning = self.tuning
                words = (dense_query or query).split()[: tuning.dense_query_words]
                found = snap.dense_search(" ".join(words), tuning.dense_confident or tuning.dense_candidates)
                dense_norm = _rerank_scores(found, lexical, tuning.rerank_depth)
            else:
                dense_norm = _normalised(snap.dense_search(dense_query or query, self.tuning.dense_candidates), n)
        fused = (1.0 - self.dense_weight) * lex_norm + self.dense_weight * dense_norm
        if prefer_rules and n:
            fused = fused * snap.rule_weights
        if prefer_laws and n:
            of_named_law = np.isin(snap.source_ids, list(prefer_laws))
            fused = np.where(of_named_law, fused * self.tuning.law_mention_boost, fused)
        if demote_terms and n:
            fused = np.where(snap.of_terms, fused * self.tuning.terms_without_network, fused)
        order = np.argsort(-fused, kind="stable")[: max(k, 10) * 3]
        # Zero-score chunks stay at the tail: the contract lists at least ``k`` chunks.
        hits = [Hit(snap.chunks[i], float(fused[i])) for i in order]
        if named and n:
            hits = self._named_first(hits, named, lexical)
        retrieval = Retrieval(query=query, expanded=expanded, hits=[], lexical=lexical, ranked=hits, k=max(k, 10))
        return self.promote(retrieval, boost)

    def _named_first(self, hits: list[Hit], named: tuple[LegalRef, ...], lexical: np.ndarray) -> list[Hit]:
        """``hits`` with the chunks of the articles the question names first (an article split
        into apartados brings the ones with the best BM25 score for the question)."""
        snap = self.snapshot
        first: list[int] = []
        for ref in named:
            positions = snap.legal_basis_chunks(ref)
            first += sorted(positions, key=lambda p: -lexical[p])[: self.tuning.named_article_chunks]
        if not first:
            return hits
        top = max((h.score for h in hits), default=1.0)
        ids = {snap.chunks[p].id for p in first}
        return [Hit(snap.chunks[p], top) for p in dict.fromkeys(first)] + [h for h in hits if h.chunk.id not in ids]

    def promote(self, retrieval: Retrieval, first: tuple[str, ...] | list[str]) -> Retrieval:
        """The same ranking with the chunks ``first`` (ids) at the top, each rule followed by
        its cited articles: the rules that apply lead what the answer cites, whatever their
        similarity to the question."""
        snap = self.snapshot
        hits = retrieval.ranked
        if first:
            wanted = [i for i in dict.fromkeys(first) if i in snap.position]
            top = max((h.score for h in hits), default=1.0)
            hits = [Hit(snap.chunks[snap.position[i]], top) for i in wanted] + [
                h for h in hits if h.chunk.id not in set(wanted)
            ]
        lexical = retrieval.lexical if retrieval.lexical is not None else np.zeros(len(snap), np.float32)
        followed = self._follow_rules(hits, lexical)
        return Retrieval(
            query=retrieval.query,
            expanded=retrieval.expanded,
            hits=followed[: retrieval.k],
            lexical=retrieval.lexical,
            ranked=retrieval.ranked,
            k=retrieval.k,
        )

    def lead_with(self, retrieval: Retrieval, refs: Sequence[LegalRef]) -> Retrieval:
        """The same ranking with the articles ``refs`` first, in order: for each, its apartado
        with the best BM25 score for the question. Articles not in the index are skipped."""
        snap = self.snapshot
        lexical = retrieval.lexical if retrieval.lexical is not None else np.zeros(len(snap), np.float32)
        top = max((h.score for h in retrieval.hits), default=1.0)
        lead: list[Hit] = []
        for ref in refs:
            for position in snap.closest_chunks(ref, lexical):
                chunk = snap.chunks[position]
                if all(h.chunk.id != chunk.id for h in lead):
                    lead.append(Hit(chunk, top))
        if not lead:
            return retrieval
        led = {h.chunk.id for h in lead}
        hits = lead + [h for h in retrieval.hits if h.chunk.id not in led]
        return replace(retrieval, hits=hits[: retrieval.k])

    def _follow_rules(self, hits: list[Hit], lexical: np.ndarray) -> list[Hit]:
        """Place each top rule's cited articles right after it (the rule bridge).

        Where a rule cites a whole article split into apartados, the apartado with the best
        BM25 score for the question (``lexical``) is the one placed.
        """
        snap = self.snapshot
        if not hits:
            return hits
        top = hits[0].score
        placed: set[str] = set()
        ranked: list[Hit] = []
        for hit in hits:
            if hit.chunk.id in placed:
                continue
            ranked.append(hit)
            placed.add(hit.chunk.id)
            chunk = hit.chunk
            if chunk.rule_verdict is None or hit.score < self.tuning.bridge_min_share * top or len(ranked) > 8:
                continue
            for ref in chunk.legal_basis:
                for position in snap.closest_chunks(ref, lexical):
                    law = snap.chunks[position]
                    if law.id not in placed:
                        ranked.append(Hit(law, hit.score * 0.99, via=chunk.locator))
                        placed.add(law.id)
        return ranked


class ChunkRetriever(BaseRetriever):
    """A LangChain retriever over :class:`Retriever` (for chains and the evaluation suite).

    Each :class:`~langchain_core.documents.Document` carries the chunk's metadata plus
    ``score`` and ``chunk_id``.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    retriever: Any
    k: int = 10

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        result: Retrieval = self.retriever.retrieve(query, self.k)
        return [
            Document(
                id=hit.chunk.id,
                page_content=hit.chunk.text,
                metadata={
                    **hit.chunk.model_dump(include={"source_id", "locator", "title", "url"}),
                    "tipo": hit.chunk.tipo.value,
                    "network": hit.chunk.network,
                    "score": hit.score,
                    "chunk_id": hit.chunk.id,
                },
            )
            for hit in result.hits
        ]
