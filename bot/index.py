"""The index: Chroma collections grouped in generations, plus a pointer to the one that serves.

A generation is a *base* collection, optionally a small *delta* collection with the files
changed since the base was written, and the list of files whose base chunks the delta
replaces or that were deleted (``hidden``). Every update writes new collections and then
switches the pointer, so readers always see a complete generation: an interrupted update
leaves the previous one serving, and a running bot picks the new one up at its next question.

* A small incremental update writes only a new delta (the previous delta's files plus the
  changed ones), embedding only chunks whose text changed: editing one file costs its own chunks.
* ``--rebuild``, a model change, or a delta grown past :data:`DELTA_LIMIT` writes a new base
  with everything (unchanged vectors are copied, not recomputed) and no delta.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

import chromadb
import httpx
import numpy as np
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import ChromaError, NotFoundError
from filelock import FileLock, Timeout

from bot.chunking import chunk_document, index_text
from bot.documents import Problem, file_hashes, load_all
from bot.embeddings import embeddings_for
from bot.errors import UnavailableError
from bot.models import Chunk, LegalRef, SourceType, Verdict
from bot.settings import Settings
from bot.signals import SIGNALS_FILE, SignalBook, load_signals

BATCH = 256
#: A delta larger than this share of the base (and than :data:`DELTA_MIN` chunks) is merged into a new base.
DELTA_LIMIT = 0.25
DELTA_MIN = 200
Progress = Callable[[Iterable[Any], int, str], Iterable[Any]]
#: What Chroma raises when it fails: its own errors, the file system, a server that went away.
CHROMA_ERRORS: tuple[type[Exception], ...] = (ChromaError, OSError, ValueError, httpx.HTTPError)


class IndexStoreError(UnavailableError, RuntimeError):
    """The index cannot be used or written; the message says what to do."""


class IndexMissingError(IndexStoreError):
    """There is no index yet and this process may not build one; the message says what to run."""


@dataclass
class IndexReport:
    """What an index run did, for the command line and the tests."""

    generation: int | None = None
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    kept_after_error: list[str] = field(default_factory=list)
    #: New files with errors: not indexed until they are fixed.
    skipped_after_error: list[str] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return any(p.level == "error" for p in self.problems)

    problems: list[Problem] = field(default_factory=list)
    chunks: int = 0
    embedded: int = 0
    reused: int = 0
    #: Whether a new base was written (first build, ``--rebuild``, model change, large delta).
    full: bool = False
    seconds: float = 0.0

    @property
    def unchanged(self) -> bool:
        return self.generation is None


@dataclass(frozen=True)
class Pointer:
    """Which collections serve, and how they were built."""

    collection: str
    generation: int
    model: str
    updated_at: float
    chunks: int
    #: The collection holding the files changed since ``collection`` (the base) was written.
    delta: str | None = None
    #: Files whose chunks in the base are stale: replaced by the delta, or deleted.
    hidden: tuple[str, ...] = ()

    @property
    def collections(self) -> tuple[str, ...]:
        return (self.collection, self.delta) if self.delta else (self.collection,)


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
            except CHROMA_ERRORS as exc:
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
        with chroma_errors("leer la generación activa"):
            try:
                meta = self.client.get_collection(self._meta_name).metadata or {}
            except NotFoundError:  # no index yet
                return None
        if "active" not in meta:
            return None
        return Pointer(
            collection=str(meta["active"]),
            generation=int(meta.get("generation", 0)),
            model=str(meta.get("model", "")),
            updated_at=float(meta.get("updated_at", 0.0)),
            chunks=int(meta.get("chunks", 0)),
            delta=str(meta.get("delta") or "") or None,
            hidden=tuple(json.loads(str(meta.get("hidden") or "[]"))),
        )

    def switch(self, pointer: Pointer) -> None:
        """Make ``pointer`` the serving generation (one metadata write: readers see old or new)."""
        with chroma_errors("cambiar la generación activa"):
            self._switch(pointer)

    def _switch(self, pointer: Pointer) -> None:
        meta = self.client.get_or_create_collection(self._meta_name)
        meta.modify(
            metadata={
                "active": pointer.collection,
                "generation": pointer.generation,
                "model": pointer.model,
                "updated_at": pointer.updated_at,
                "chunks": pointer.chunks,
                "delta": pointer.delta or "",
                "hidden": json.dumps(sorted(pointer.hidden), ensure_ascii=False),
            }
        )

    def collection(self, name: str) -> Collection:
        with chroma_errors(f"abrir la colección {name}"):
            return self.client.get_collection(name)

    def read(self, pointer: Pointer, *, embeddings: bool = False) -> Iterator[tuple[Chunk, Any, str]]:
        """Every chunk the generation serves, with its embedding when asked and its collection's name."""
        hidden = set(pointer.hidden)
        for name in pointer.collections:
            collection = self.collection(name)
            with chroma_errors(f"leer la colección {name}"):
                chunks = list(read_chunks(collection, embeddings=embeddings))
            for chunk, vector in chunks:
                if name != pointer.collection or chunk.file not in hidden:
                    yield chunk, vector, name

    def create_generation(self, generation: int, *, delta: bool = False) -> Collection:
        name = f"{self.prefix}_g{generation}{'d' if delta else ''}_{int(time.time() * 1000)}"
        with chroma_errors(f"crear la colección {name}"):
            return self.client.create_collection(name, metadata={"hnsw:space": "cosine"})

    def generations(self) -> list[str]:
        with chroma_errors("listar las colecciones"):
            names = [c if isinstance(c, str) else c.name for c in self.client.list_collections()]
        return sorted(n for n in names if n.startswith(f"{self.prefix}_g"))

    def prune(self, keep: set[str]) -> None:
        """Drop generations no reader should still be using (all but ``keep``)."""
        for name in self.generations():
            if name not in keep:
                with suppress(*CHROMA_ERRORS):  # already gone (another writer pruned it): best effort
                    self.client.delete_collection(name)


@contextmanager
def chroma_errors(doing: str) -> Iterator[None]:
    """Chroma's own errors (and a server that went away) as :class:`IndexStoreError`."""
    try:
        yield
    except IndexStoreError:
        raise
    except CHROMA_ERRORS as exc:
        raise IndexStoreError(f"Chroma ha fallado al {doing}: {exc}") from exc


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
        "applies_if": ";".join("+".join(alt) for alt in chunk.applies_if) or None,
        "unless": ",".join(chunk.unless) or None,
        "firm": chunk.firm or None,
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
        applies_if=tuple(tuple(alt.split("+")) for alt in filter(None, str(meta.get("applies_if", "")).split(";"))),
        unless=tuple(filter(None, str(meta.get("unless", "")).split(","))),
        firm=bool(meta.get("firm", False)),
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
        home: dict[str, str] = {}  # file → the collection holding its chunks
        if pointer is not None and not rebuild:
            try:
                for chunk, _, name in store.read(pointer):
                    old.setdefault(chunk.file, []).append(chunk)
                    home[chunk.file] = name
            except (IndexStoreError, KeyError, TypeError, ValueError):  # unreadable generation: write everything anew
                old, home, rebuild = {}, {}, True
        old_hash = {f: chunks[0].file_hash for f, chunks in old.items()}

        to_load = {f for f, h in hashes.items() if old_hash.get(f) != h}
        report.removed = sorted(set(old) - set(hashes))
        if pointer is not None and not rebuild and not to_load and not report.removed:
            return report

        loaded = load_all(self.settings, only=to_load)
        report.problems.extend(loaded.problems)
        failed = loaded.failed_files
        signals = _signal_book(self.settings)
        new_chunks: list[Chunk] = []
        # Rule numbers already taken by files that stay as they are.
        rule_files = {
            c.locator: f
            for f, chunks in old.items()
            if f in hashes and f not in to_load
            for c in chunks
            if c.rule_verdict is not None
        }
        for doc in sorted(loaded.documents, key=lambda d: d.file):
            chunks, problems = chunk_document(doc, signals)
            problems.extend(duplicate_rules(doc.file, chunks, rule_files))
            report.problems.extend(problems)
            if any(p.level == "error" for p in problems):
                # A broken rule must not replace a working one, nor enter the index new.
                failed.add(doc.file)
                continue
            new_chunks.extend(chunks)
            rule_files.update({c.locator: doc.file for c in chunks if c.rule_verdict is not None})
            report.changed.append(doc.file)
        keep_files = [f for f in old if f in hashes and (f not in to_load or f in failed)]
        report.kept_after_error = sorted(f for f in keep_files if f in failed)
        report.skipped_after_error = sorted(f for f in failed if f not in old)
        report.reused = sum(len(old[f]) for f in keep_files)
        report.chunks = report.reused + len(new_chunks)

        generation = (pointer.generation if pointer else 0) + 1
        in_delta = [f for f in keep_files if pointer is not None and home[f] == pointer.delta]
        delta_size = sum(len(old[f]) for f in in_delta) + len(new_chunks)
        report.full = pointer is None or rebuild or delta_size > max(DELTA_MIN, DELTA_LIMIT * report.chunks)
        hidden: tuple[str, ...] = ()
        if report.full or pointer is None:
            target = store.create_generation(generation)
            copy, base = keep_files, target.name
        else:
            target = store.create_generation(generation, delta=True)
            copy, base = in_delta, pointer.collection
            hidden = tuple(sorted({*pointer.hidden, *report.changed, *report.removed}))
        self._copy_into(target, {c.id: home[f] for f in copy for c in old[f]})
        reusable = self._reusable_vectors(old, home, new_chunks)
        self._embed_into(target, new_chunks, reusable, report, progress)
        delta = None if report.full else target.name
        new_pointer = Pointer(
            base, generation, self.settings.embedding_key, time.time(), report.chunks, delta=delta, hidden=hidden
        )
        store.switch(new_pointer)
        store.prune(keep={*new_pointer.collections, *(pointer.collections if pointer else ())})
        report.generation = generation
        return report

    def _by_collection(self, homes: dict[str, str]) -> Iterator[tuple[Collection, list[str]]]:
        """Chunk ids (id → name of the collection holding it) grouped by their collection."""
        grouped: dict[str, list[str]] = {}
        for chunk_id, name in homes.items():
            grouped.setdefault(name, []).append(chunk_id)
        for name, ids in grouped.items():
            yield self.store.collection(name), ids

    def _copy_into(self, target: Collection, homes: dict[str, str]) -> None:
        """Copy chunks (id → name of the collection holding them) with their vectors into ``target``."""
        for source, ids in self._by_collection(homes):
            for start in range(0, len(ids), BATCH):
                batch = source.get(ids=ids[start : start + BATCH], include=["documents", "metadatas", "embeddings"])
                target.add(
                    ids=batch["ids"],
                    documents=batch["documents"],
                    metadatas=batch["metadatas"],
                    embeddings=batch["embeddings"],
                )

    def _reusable_vectors(
        self, old: dict[str, list[Chunk]], home: dict[str, str], new_chunks: list[Chunk]
    ) -> dict[str, Any]:
        """Embeddings of old chunks whose text is unchanged in an edited file (by content hash)."""
        wanted = {c.content_hash for c in new_chunks}
        homes = {c.id: home[f] for f, chunks in old.items() for c in chunks if c.content_hash in wanted}
        vectors: dict[str, Any] = {}
        for source, ids in self._by_collection(homes):
            found = source.get(ids=ids, include=["embeddings", "metadatas"])
            for i, meta in enumerate(found["metadatas"] or []):
                vectors[str(meta["content_hash"])] = found["embeddings"][i]  # type: ignore[index]
        return vectors

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
            embeddings = embeddings_for(self.settings)
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


def duplicate_rules(file: str, chunks: list[Chunk], taken: dict[str, str]) -> list[Problem]:
    """A rule number another guideline file already uses: two «Regla 41» would both answer."""
    return [
        Problem(file, f"{c.locator} ya existe en {taken[c.locator]}: cada regla debe tener un número único")
        for c in chunks
        if c.rule_verdict is not None and taken.get(c.locator, file) != file
    ]


def check(settings: Settings) -> list[Problem]:
    """Validate every file as indexing would, without indexing: all problems, per file.

    Also the signals (``senales.yaml``) and the guideline's citations: every article a rule
    cites exists in the synced law, and every article its «Por qué» mentions is in its «Base legal».
    """
    from bot.citations import check_citations
    from bot.glossary import GLOSSARY_NAMES, load_glossary
    from bot.scope import SCOPE_FILE, load_scope
    from bot.sources.sync import load_law_names

    loaded = load_all(settings)
    problems = list(loaded.problems)  # walk problems (loops, unreadable folders) included
    signals = _signal_book(settings)
    book, signal_problems = load_signals(settings.knowledge_dir)
    problems.extend(
        Problem(f"knowledge/{SIGNALS_FILE}", p)
        for p in signal_problems + book.unmatched_phrases() + book.repeated_phrases()
    )
    chunks: list[Chunk] = []
    rule_files: dict[str, str] = {}
    for doc in sorted(loaded.documents, key=lambda d: d.file):
        doc_chunks, doc_problems = chunk_document(doc, signals)
        chunks.extend(doc_chunks)
        problems.extend(doc_problems)
        problems.extend(duplicate_rules(doc.file, doc_chunks, rule_files))
        rule_files.update({c.locator: doc.file for c in doc_chunks if c.rule_verdict is not None})
    names, name_problems = load_law_names(settings.knowledge_dir)
    problems.extend(Problem("knowledge/sources.toml", p, "warning") for p in name_problems)
    files = {c.locator: c.file for c in chunks if c.rule_verdict is not None}
    for found in check_citations(chunks, names):
        where = files.get(found.locator, "knowledge/guias")
        problems.append(Problem(where, f"{found.locator}: {found.message}", found.level))

    _, glossary_problems = load_glossary(settings.knowledge_dir)
    glossary = next((n for n in GLOSSARY_NAMES if (settings.knowledge_dir / n).is_file()), GLOSSARY_NAMES[0])
    problems.extend(Problem(f"knowledge/{glossary}", p) for p in glossary_problems)
    _, scope_problems = load_scope(settings.knowledge_dir)
    problems.extend(Problem(f"knowledge/{SCOPE_FILE}", p) for p in scope_problems)
    return problems


def _signal_book(settings: Settings) -> SignalBook | None:
    """The signals rules are checked against; ``None`` when there is no ``senales.yaml`` at all."""
    if not (settings.knowledge_dir / SIGNALS_FILE).is_file():
        return None
    return load_signals(settings.knowledge_dir)[0]
