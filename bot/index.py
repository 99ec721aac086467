"""The index: a Chroma collection per generation, plus a pointer to the one that serves.

Every update (incremental or ``--rebuild``) writes a *new* collection, copying the embeddings
of unchanged files and embedding only what changed, and then switches the pointer. Readers
therefore always see a complete generation: an interrupted update leaves the previous one
serving, and a running bot picks the new one up at its next question.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

import chromadb
import numpy as np
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.config import Settings as ChromaSettings
from filelock import FileLock, Timeout

from bot.chunking import chunk_document, index_text
from bot.documents import Problem, file_hashes, load_all
from bot.embeddings import get_embeddings
from bot.models import Chunk, LegalRef, SourceType, Verdict
from bot.settings import Settings

BATCH = 256
Progress = Callable[[Iterable[Any], int, str], Iterable[Any]]


class IndexStoreError(RuntimeError):
    """The index cannot be used or written; the message says what to do."""


@dataclass
class IndexReport:
    """What an index run did, for the command line and the tests."""

    generation: int | None = None
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    kept_after_error: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    chunks: int = 0
    embedded: int = 0
    reused: int = 0
    seconds: float = 0.0

    @property
    def unchanged(self) -> bool:
        return self.generation is None


@dataclass(frozen=True)
class Pointer:
    """Which collection serves, and how it was built."""

    collection: str
    generation: int
    model: str
    updated_at: float
    chunks: int


def _no_progress(items: Iterable[Any], total: int, label: str) -> Iterable[Any]:
    return items


class ChromaStore:
    """Chroma access: the client (embedded or server), generations and the serving pointer."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.prefix = settings.collection_prefix
        self._client: ClientAPI | None = None

    @property
    def client(self) -> ClientAPI:
        if self._client is None:
            chroma_settings = ChromaSettings(anonymized_telemetry=False)
            try:
                if self.settings.chroma_mode == "server":
                    self._client = chromadb.HttpClient(
                        host=self.settings.chroma_host,
                        port=self.settings.chroma_port,
                        settings=chroma_settings,
                    )
                else:
                    self.settings.chroma_dir.mkdir(parents=True, exist_ok=True)
                    self._client = chromadb.PersistentClient(
                        path=str(self.settings.chroma_dir), settings=chroma_settings
                    )
            except Exception as exc:
                where = (
                    f"{self.settings.chroma_host}:{self.settings.chroma_port} (BOT_CHROMA_HOST/BOT_CHROMA_PORT)"
                    if self.settings.chroma_mode == "server"
                    else f"{self.settings.chroma_dir} (BOT_DATA_DIR)"
                )
                raise IndexStoreError(f"No se puede abrir Chroma en {where}: {exc}") from exc
        return self._client

    @property
    def _meta_name(self) -> str:
        return f"{self.prefix}_meta"

    def pointer(self) -> Pointer | None:
        """The serving generation, read fresh from Chroma (another process may have switched it)."""
        try:
            meta = self.client.get_collection(self._meta_name).metadata or {}
        except Exception:
            return None
        if "active" not in meta:
            return None
        return Pointer(
            collection=str(meta["active"]),
            generation=int(meta.get("generation", 0)),
            model=str(meta.get("model", "")),
            updated_at=float(meta.get("updated_at", 0.0)),
            chunks=int(meta.get("chunks", 0)),
        )

    def switch(self, pointer: Pointer) -> None:
        meta = self.client.get_or_create_collection(self._meta_name)
        meta.modify(
            metadata={
                "active": pointer.collection,
                "generation": pointer.generation,
                "model": pointer.model,
                "updated_at": pointer.updated_at,
                "chunks": pointer.chunks,
            }
        )

    def collection(self, name: str) -> Collection:
        return self.client.get_collection(name)

    def create_generation(self, generation: int) -> Collection:
        name = f"{self.prefix}_g{generation}_{int(time.time() * 1000)}"
        return self.client.create_collection(name, metadata={"hnsw:space": "cosine"})

    def generations(self) -> list[str]:
        names = [c if isinstance(c, str) else c.name for c in self.client.list_collections()]
        return sorted(n for n in names if n.startswith(f"{self.prefix}_g"))

    def prune(self, keep: set[str]) -> None:
        """Drop generations no reader should still be using (all but ``keep``)."""
        for name in self.generations():
            if name not in keep:
                with suppress(Exception):  # already gone: another writer pruned it
                    self.client.delete_collection(name)


# --------------------------------------------------------------------------- metadata


def chunk_metadata(chunk: Chunk) -> dict[str, str | int | float | bool]:
    """Chroma metadata (scalars only) for a chunk; :func:`chunk_from_record` reverses it."""
    meta: dict[str, str | int | float | bool] = {
        "source_id": chunk.source_id,
        "tipo": chunk.tipo.value,
        "title": chunk.title,
        "locator": chunk.locator,
        "heading": chunk.heading,
        "file": chunk.file,
        "file_hash": chunk.file_hash,
        "content_hash": chunk.content_hash,
    }
    optional = {
        "url": chunk.url,
        "version": chunk.version,
        "network": chunk.network,
        "rule_verdict": chunk.rule_verdict.value if chunk.rule_verdict else None,
        "legal_basis": "; ".join(str(r) for r in chunk.legal_basis) or None,
        "triggers": ",".join(chunk.triggers) or None,
        "keywords": chunk.keywords or None,
    }
    meta.update({k: v for k, v in optional.items() if v})
    return meta


def chunk_from_record(chunk_id: str, document: str, meta: dict[str, Any]) -> Chunk:
    refs = []
    for raw in filter(None, str(meta.get("legal_basis", "")).split("; ")):
        source_id, _, article = raw.partition(" art. ")
        refs.append(LegalRef(source_id=source_id, article=article))
    verdict = meta.get("rule_verdict")
    return Chunk(
        id=chunk_id,
        text=document,
        source_id=str(meta["source_id"]),
        tipo=SourceType(meta["tipo"]),
        title=str(meta["title"]),
        locator=str(meta["locator"]),
        heading=str(meta.get("heading", "")),
        url=meta.get("url"),
        version=meta.get("version"),
        network=meta.get("network"),
        file=str(meta.get("file", "")),
        file_hash=str(meta.get("file_hash", "")),
        content_hash=str(meta.get("content_hash", "")),
        rule_verdict=Verdict(verdict) if verdict else None,
        legal_basis=tuple(refs),
        triggers=tuple(filter(None, str(meta.get("triggers", "")).split(","))),
        keywords=str(meta.get("keywords", "")),
    )


def read_chunks(collection: Collection, *, embeddings: bool = False) -> Iterator[tuple[Chunk, Any]]:
    """Every chunk of a collection (with its embedding when asked), in batches."""
    include: list[Any] = ["documents", "metadatas"] + (["embeddings"] if embeddings else [])
    total = collection.count()
    for offset in range(0, total, 2000):
        batch = collection.get(include=include, limit=2000, offset=offset)
        vectors = batch.get("embeddings") if embeddings else None
        for i, chunk_id in enumerate(batch["ids"]):
            chunk = chunk_from_record(chunk_id, batch["documents"][i], dict(batch["metadatas"][i]))  # type: ignore[index]
            yield chunk, (vectors[i] if vectors is not None else None)


# --------------------------------------------------------------------------- writing


class Indexer:
    """Builds and updates the index from ``knowledge/`` and the synced sources."""

    def __init__(self, settings: Settings, store: ChromaStore | None = None) -> None:
        self.settings = settings
        self.store = store or ChromaStore(settings)

    @contextmanager
    def _writer_lock(self) -> Iterator[None]:
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(self.settings.data_dir / "index.lock"))
        try:
            lock.acquire(timeout=600)
        except Timeout:
            raise IndexStoreError("Otro proceso lleva más de 10 minutos indexando; inténtalo después") from None
        try:
            yield
        finally:
            lock.release()

    def update(self, *, rebuild: bool = False, progress: Progress = _no_progress) -> IndexReport:
        """Bring the index up to date; returns what changed. Safe to interrupt at any point."""
        started = time.perf_counter()
        with self._writer_lock():
            report = self._update(rebuild=rebuild, progress=progress)
        report.seconds = time.perf_counter() - started
        return report

    def _update(self, *, rebuild: bool, progress: Progress) -> IndexReport:
        report = IndexReport()
        store = self.store
        pointer = store.pointer()
        if pointer is not None and pointer.model != self.settings.embedding_key:
            rebuild = True  # vectors of another model cannot be mixed
        hashes, walk_problems = file_hashes(self.settings)
        report.problems.extend(walk_problems)

        old: dict[str, list[Chunk]] = {}
        old_collection = None
        if pointer is not None and not rebuild:
            try:
                old_collection = store.collection(pointer.collection)
                for chunk, _ in read_chunks(old_collection):
                    old.setdefault(chunk.file, []).append(chunk)
            except Exception:
                old, old_collection = {}, None
        old_hash = {f: chunks[0].file_hash for f, chunks in old.items()}

        to_load = {f for f, h in hashes.items() if old_hash.get(f) != h}
        report.removed = sorted(set(old) - set(hashes))
        if pointer is not None and not rebuild and not to_load and not report.removed:
            return report

        loaded = load_all(self.settings, only=to_load)
        report.problems.extend(loaded.problems)
        failed = loaded.failed_files
        new_chunks: list[Chunk] = []
        for doc in loaded.documents:
            chunks, problems = chunk_document(doc)
            report.problems.extend(problems)
            if any(p.level == "error" for p in problems) and doc.file in old:
                failed.add(doc.file)  # a broken rule must not replace a working one
                continue
            new_chunks.extend(chunks)
            report.changed.append(doc.file)
        keep_files = [f for f in old if f in hashes and (f not in to_load or f in failed)]
        report.kept_after_error = sorted(f for f in keep_files if f in failed)
        kept_ids = [c.id for f in keep_files for c in old[f]]

        generation = (pointer.generation if pointer else 0) + 1
        target = store.create_generation(generation)
        reusable = self._reusable_vectors(old_collection, old, new_chunks)
        if old_collection is not None and kept_ids:
            for start in range(0, len(kept_ids), BATCH):
                batch = old_collection.get(
                    ids=kept_ids[start : start + BATCH], include=["documents", "metadatas", "embeddings"]
                )
                target.add(
                    ids=batch["ids"],
                    documents=batch["documents"],
                    metadatas=batch["metadatas"],
                    embeddings=batch["embeddings"],
                )
        report.reused = len(kept_ids)
        self._embed_into(target, new_chunks, reusable, report, progress)
        report.chunks = target.count()
        store.switch(Pointer(target.name, generation, self.settings.embedding_key, time.time(), report.chunks))
        store.prune(keep={target.name} | ({pointer.collection} if pointer else set()))
        report.generation = generation
        return report

    def _reusable_vectors(
        self, collection: Collection | None, old: dict[str, list[Chunk]], new_chunks: list[Chunk]
    ) -> dict[str, Any]:
        """Embeddings of old chunks whose text is unchanged in an edited file (by content hash)."""
        if collection is None:
            return {}
        wanted = {c.content_hash for c in new_chunks}
        ids = {c.content_hash: c.id for chunks in old.values() for c in chunks if c.content_hash in wanted}
        if not ids:
            return {}
        found = collection.get(ids=list(ids.values()), include=["embeddings", "metadatas"])
        vectors = found["embeddings"]
        return {
            str(meta["content_hash"]): vectors[i]  # type: ignore[index]
            for i, meta in enumerate(found["metadatas"] or [])
        }

    def _embed_into(
        self,
        target: Collection,
        chunks: list[Chunk],
        reusable: dict[str, Any],
        report: IndexReport,
        progress: Progress,
    ) -> None:
        if not chunks:
            return
        to_embed = [c for c in chunks if c.content_hash not in reusable]
        vectors: dict[str, Any] = {c.id: reusable[c.content_hash] for c in chunks if c.content_hash in reusable}
        report.reused += len(vectors)
        if to_embed:
            embeddings = get_embeddings(self.settings.embedding_model, self.settings.embedding_max_tokens)
            batches = range(0, len(to_embed), 64)
            for start in progress(batches, len(batches), "Calculando embeddings"):
                part = to_embed[start : start + 64]
                for chunk, vector in zip(part, embeddings.embed_documents([index_text(c) for c in part]), strict=True):
                    vectors[chunk.id] = vector
            report.embedded = len(to_embed)
        for start in range(0, len(chunks), BATCH):
            part = chunks[start : start + BATCH]
            target.add(
                ids=[c.id for c in part],
                documents=[c.text for c in part],
                metadatas=[chunk_metadata(c) for c in part],
                embeddings=np.asarray([vectors[c.id] for c in part], dtype=np.float32),
            )


def check(settings: Settings) -> list[Problem]:
    """Validate every file as indexing would, without indexing: all problems, per file."""
    loaded = load_all(settings)
    problems = list(loaded.problems)
    _, walk = file_hashes(settings)
    problems.extend(p for p in walk if p not in problems)
    for doc in loaded.documents:
        problems.extend(chunk_document(doc)[1])
    from bot.glossary import load_glossary
    from bot.scope import SCOPE_FILE, load_scope

    _, glossary_problems = load_glossary(settings.knowledge_dir)
    problems.extend(Problem("knowledge/glosario.yaml", p) for p in glossary_problems)
    _, scope_problems = load_scope(settings.knowledge_dir)
    problems.extend(Problem(f"knowledge/{SCOPE_FILE}", p) for p in scope_problems)
    return problems
