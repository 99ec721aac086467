"""``python -m bot bench --capacity``: how latency, memory and throughput grow with the index.

A benchmark, not a test. The index grows from the real one (``knowledge/`` plus the official
texts synced from a mirror, when there is one) to larger sizes (by default 15.000 and 50.000
chunks), padded with synthetic law-like chunks. For each size:

* the generation is written to a ``chroma run`` server on 127.0.0.1 through the index's own store
  code (:class:`~bot.index.ChromaStore` generations, :func:`~bot.index.chunk_metadata`, the
  serving pointer), and the old one pruned; the workers read it as the bots do
  (``BOT_CHROMA_MODE=server``): :class:`~bot.service.Service`, its BM25 and Chroma snapshot;
* one worker process loads it and answers the questions one after another: warm ``ask``
  latency, RSS after loading, and the rate of one process;
* then 2 (``--workers``) processes answer at once: questions per second in total and per core
  of the machine, and the CPU each question costs (workers plus the Chroma server).

Synthetic chunks recombine sentences of the real law chunks under made-up laws and article
numbers (seeded: every run writes the same ones). Their vectors are **not** computed by the model
(50.000 chunks would take most of an hour on 2 cores): each is the mean vector of the real
chunks its sentences come from plus seeded noise, normalised. The real index is built by the
:class:`~bot.index.Indexer` once and kept in a cache directory, so a later run only syncs and
finds it up to date.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import math
import os
import queue
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np

from bot.bench import DEFAULT_MIRROR, bench_questions, percentile
from bot.errors import UnavailableError
from bot.models import Chunk, SourceType
from bot.settings import SECRET_FIELDS, Settings

#: Seed of the synthetic chunks and their vectors.
SEED = 15
DEFAULT_SIZES = "real,15000,50000"
DEFAULT_WORKERS = "1,2"
#: Standard deviation of the noise added to each component of a synthetic vector (unit vectors
#: of 384 components: a cosine of about 0.9 to the mean vector it starts from).
NOISE = 0.02
#: The stated peak: this share of the staff asks one question each within the same minute.
PEAK_SHARE_PER_MINUTE = 0.05
ASSUMPTION = (
    "en el minuto punta pregunta el 5 % de la plantilla, una pregunta cada persona; "
    "plantilla atendida = q/s × 60 / 0,05, al 100 % de lo medido (sin margen)"
)
SYNTHETIC_NOTE = (
    "los fragmentos sintéticos son leyes inventadas (SINT-…) con frases recombinadas de los artículos "
    f"reales y números de artículo variados (semilla {SEED}); sus vectores también son sintéticos "
    "(media de los vectores reales de origen más ruido, normalizada), no los calcula el modelo"
)
#: How long the parent waits for one step of a worker (loading 50.000 chunks, 60 questions).
WAIT_SECONDS = 900.0
#: Prefix of the worker's protocol lines on its stdout (anything else there is ignored).
MARK = "capacity-worker "
_MONTHS = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre"]


class CapacityError(UnavailableError, RuntimeError):
    """The capacity benchmark cannot go on (no ``chroma`` command, a worker died…)."""


# --------------------------------------------------------------------------- options


def parse_sizes(text: str) -> list[tuple[str, int]]:
    """``real,+300,15000,50k`` → ``[("real", 0), ("extra", 300), ("total", 15000), ("total", 50000)]``.

    ``real`` is the real index alone; ``+N`` the real index plus N synthetic chunks; ``N`` (or
    ``Nk``) N chunks in total (never fewer than the real index has).
    """
    sizes: list[tuple[str, int]] = []
    for raw in filter(None, (part.strip().lower() for part in text.split(","))):
        if raw == "real":
            sizes.append(("real", 0))
            continue
        kind = "extra" if raw.startswith("+") else "total"
        digits = raw.lstrip("+").replace("_", "").replace(".", "")
        factor = 1000 if digits.endswith("k") else 1
        try:
            count = int(digits.removesuffix("k")) * factor
        except ValueError:
            raise ValueError(f"tamaño no válido «{raw}»: usa real, un número de fragmentos o +N") from None
        if count < 0:
            raise ValueError(f"tamaño no válido «{raw}»")
        sizes.append((kind, count))
    if not sizes:
        raise ValueError("--sizes está vacío")
    return sizes


def resolve_sizes(sizes: Sequence[tuple[str, int]], real: int) -> list[int]:
    """Total chunk counts, ascending and distinct, none below the real index."""
    totals = {real + n if kind == "extra" else max(real, n) for kind, n in sizes}
    return sorted(totals)


def parse_workers(text: str) -> list[int]:
    """``1,2`` → ``[1, 2]``; one worker is always measured (it gives the latency)."""
    try:
        counts = {int(part) for part in text.split(",") if part.strip()}
    except ValueError:
        raise ValueError(f"--workers no válido «{text}»: números separados por comas") from None
    if any(n < 1 or n > 16 for n in counts):
        raise ValueError("--workers: entre 1 y 16 procesos")
    return sorted(counts | {1})


# --------------------------------------------------------------------------- synthetic chunks


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.;:])\s+", text.replace("\n", " ")) if len(s.split()) >= 5]


def synthetic_chunks(
    real: Sequence[Chunk], vectors: np.ndarray, count: int, seed: int = SEED
) -> tuple[list[Chunk], np.ndarray]:
    """``count`` law-like chunks made from the real ones, and their synthetic vectors.

    Each made-up law (``SINT-00001``…) has 40 to 400 articles of one to three apartados; each
    apartado joins two to four sentences of real law chunks, a few of their words swapped for
    other words of the corpus. Its vector is the mean vector of the chunks those sentences come
    from plus seeded noise, normalised. The same ``seed`` gives the same chunks: the first N of
    a longer run are those of a shorter one.
    """
    from bot.chunking import index_text

    if count <= 0:
        return [], np.zeros((0, vectors.shape[1] if vectors.ndim == 2 else 0), dtype=np.float32)
    rng = random.Random(seed)  # noqa: S311 - reproducible benchmark data, not secrets
    noise = np.random.default_rng(seed)
    laws = [i for i, c in enumerate(real) if c.tipo is SourceType.LEY] or list(range(len(real)))
    pool = [(s, i) for i in laws for s in _sentences(real[i].text)] or [
        (real[i].text.replace("\n", " "), i) for i in laws
    ]
    words = sorted({w for s, _ in pool for w in s.split() if len(w) > 5 and w.isalpha()}) or ["norma"]
    topics = sorted(
        {
            c.heading.split(". ", 1)[1].rstrip(".").lower()
            for c in real
            if c.heading.startswith("Artículo ") and ". " in c.heading
        }
    ) or ["disposiciones generales"]
    chunks: list[Chunk] = []
    made: list[np.ndarray] = []
    law, articles, article = 0, 0, 0
    source_id = title = ""
    while len(chunks) < count:
        if article >= articles:
            law, articles, article = law + 1, rng.randint(40, 400), 0
            source_id = f"SINT-{law:05d}"
            year = rng.randint(1978, 2030)
            title = (
                f"Ley {rng.randint(1, 60)}/{year}, de {rng.randint(1, 28)} de {rng.choice(_MONTHS)}, "
                f"de {rng.choice(topics)} (ley sintética del benchmark)"
            )
        article += 1
        apartados = rng.choice((1, 1, 2, 3))
        heading = f"Artículo {article}. {rng.choice(topics).capitalize()}."
        for apartado in range(1, apartados + 1):
            if len(chunks) >= count:
                break
            picked = [rng.choice(pool) for _ in range(rng.randint(2, 4))]
            text = " ".join(
                " ".join(rng.choice(words) if len(w) > 5 and rng.random() < 0.15 else w for w in s.split())
                for s, _ in picked
            )
            locator = f"Artículo {article}" + (f".{apartado}" if apartados > 1 else "")
            chunk = Chunk(
                id=hashlib.sha256(f"synthetic|{seed}|{source_id}|{locator}".encode()).hexdigest()[:20],
                text=(f"{apartado}. " if apartados > 1 else "") + text,
                source_id=source_id,
                tipo=SourceType.LEY,
                title=title,
                locator=locator,
                heading=heading,
                version="2020-01-01",
                file=f"sintetico/{source_id}.json",
                file_hash=hashlib.sha256(source_id.encode()).hexdigest()[:32],
            )
            content_hash = hashlib.sha256(index_text(chunk).encode()).hexdigest()[:32]
            chunks.append(chunk.model_copy(update={"content_hash": content_hash}))
            mean = vectors[[i for _, i in picked]].mean(axis=0)
            made.append(mean + noise.normal(0.0, NOISE, size=mean.shape))
    matrix = np.asarray(made, dtype=np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    return chunks, matrix


# --------------------------------------------------------------------------- the index


def write_generation(settings: Settings, generation: int, chunks: Sequence[Chunk], vectors: np.ndarray) -> float:
    """Write ``chunks`` with their ``vectors`` as the serving generation and prune the others,
    as a full rebuild of the :class:`~bot.index.Indexer` does (minus reading and embedding);
    returns the seconds it took."""
    from bot.index import BATCH, ChromaStore, Pointer, chroma_errors, chunk_metadata

    started = time.perf_counter()
    store = ChromaStore(settings)
    target = store.create_generation(generation)
    for start in range(0, len(chunks), BATCH):
        part = chunks[start : start + BATCH]
        with chroma_errors(f"escribir la colección {target.name}"):
            target.add(
                ids=[c.id for c in part],
                documents=[c.text for c in part],
                metadatas=[chunk_metadata(c) for c in part],
                embeddings=vectors[start : start + BATCH],
            )
    pointer = Pointer(target.name, generation, settings.embedding_key, time.time(), len(chunks))
    store.switch(pointer)
    store.prune(keep=set(pointer.collections))
    return time.perf_counter() - started


def real_index(
    settings: Settings, mirror: Path | None, say: Callable[[str], None]
) -> tuple[list[Chunk], np.ndarray, Path | None]:
    """The real index's chunks and vectors, and the mirror synced (None without ``sources.toml``):
    synced from ``mirror`` (when given) and indexed by the :class:`~bot.index.Indexer` into
    ``settings.data_dir`` (a cache: unchanged files cost nothing)."""
    from bot.index import ChromaStore, Indexer
    from bot.sources.sync import Syncer, load_config

    if mirror is not None and not (settings.knowledge_dir / "sources.toml").is_file():
        say(f"Sin {settings.knowledge_dir / 'sources.toml'}: no se sincroniza nada; solo se indexa knowledge/")
        mirror = None
    if mirror is not None:
        started = time.perf_counter()
        synced = Syncer(settings, mirror=mirror).sync(load_config(settings.knowledge_dir))
        say(f"Sincronización desde {mirror}: {len(synced.results)} fuentes en {time.perf_counter() - started:.1f} s")
    report = Indexer(settings).update()
    if report.unchanged:
        say(f"Índice real: al día en la caché {settings.data_dir}")
    else:
        say(f"Índice real: {report.chunks} fragmentos ({report.embedded} calculados) en {report.seconds:.1f} s")
    store = ChromaStore(settings)
    pointer = store.pointer()
    if pointer is None:
        raise CapacityError("el índice real está vacío: no hay nada que medir")
    rows = list(store.read(pointer, embeddings=True))
    vectors = np.asarray([vector for _, vector, _ in rows], dtype=np.float32)
    return [chunk for chunk, _, _ in rows], vectors, mirror


# --------------------------------------------------------------------------- processes


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def chroma_server(path: Path, timeout: float = 60.0) -> Iterator[tuple[int, int]]:
    """A ``chroma run`` server on 127.0.0.1 storing in ``path``: yields (port, pid)."""
    import httpx

    executable = shutil.which("chroma", path=str(Path(sys.executable).parent)) or shutil.which("chroma")
    if executable is None:
        raise CapacityError("falta la orden «chroma» (viene con chromadb: pip install chromadb)")
    port = _free_port()
    with (path.parent / "chroma.log").open("w", encoding="utf-8") as output:
        # The chroma command of this environment with fixed arguments: no untrusted input.
        process = subprocess.Popen(  # noqa: S603
            [executable, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                tail = (path.parent / "chroma.log").read_text(encoding="utf-8", errors="replace")[-2000:]
                raise CapacityError(f"«chroma run» no arrancó en {timeout:.0f} s:\n{tail}")
            time.sleep(0.2)
        yield port, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def status_mb(field: str, pid: int | str = "self") -> float | None:
    """``VmRSS`` (now) or ``VmHWM`` (peak) of a process in MB, from Linux's /proc; None elsewhere."""
    try:
        text = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    except OSError:
        return None
    found = re.search(rf"^{field}:\s+(\d+) kB", text, re.MULTILINE)
    return int(found.group(1)) / 1024 if found else None


def cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system, all threads) a process has used, from /proc; None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8").rpartition(")")[2].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Worker:
    """A ``python -m bot.capacity --worker`` process: loads the index, then answers on command."""

    def __init__(self, job: dict[str, Any], log_path: Path) -> None:
        self.log_path = log_path
        env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
        with log_path.open("w", encoding="utf-8") as stderr:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot.capacity", "--worker"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=stderr,
                env=env,
                text=True,
                encoding="utf-8",
            )
        self.lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()
        self.send(job)

    def _pump(self) -> None:
        assert self.process.stdout is not None  # noqa: S101 - opened with PIPE above
        for line in self.process.stdout:
            if line.startswith(MARK):
                self.lines.put(line[len(MARK) :])
        self.lines.put(None)

    def send(self, message: dict[str, Any]) -> None:
        assert self.process.stdin is not None  # noqa: S101 - opened with PIPE above
        self.process.stdin.write(json.dumps(message, ensure_ascii=False) + "\n")
        self.process.stdin.flush()

    def receive(self) -> dict[str, Any]:
        timeout = WAIT_SECONDS
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            raise CapacityError(f"un proceso de medida no respondió en {timeout:.0f} s") from None
        if line is None:
            tail = self.log_path.read_text(encoding="utf-8", errors="replace")[-2000:]
            raise CapacityError(f"un proceso de medida terminó antes de tiempo:\n{tail}")
        message: dict[str, Any] = json.loads(line)
        return message

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _worker_main() -> int:
    """The worker: one JSON job on stdin, then one JSON order per line (``{"offset": n}``)."""
    from bot import logs
    from bot.embeddings import embeddings_for, runtime_of
    from bot.service import Service

    channel: IO[str] = sys.stdout
    sys.stdout = sys.stderr  # library chatter never reaches the protocol

    def send(message: dict[str, Any]) -> None:
        channel.write(MARK + json.dumps(message) + "\n")
        channel.flush()

    logs.setup_logging(level=logging.WARNING, fmt="%(levelname)s %(name)s: %(message)s")
    logs.quiet_model_libraries()
    job = json.loads(sys.stdin.readline())
    settings = Settings.model_validate(job["settings"])
    questions: list[tuple[str, str | None]] = [(q, d) for q, d in job["questions"]]
    started = time.perf_counter()
    service = Service(settings, auto_index=False)
    service.warm_up()
    service.ask(*questions[0])  # what the first answer loads (language, templates) counts as loading
    send(
        {
            "load_seconds": time.perf_counter() - started,
            "rss_mb": status_mb("VmRSS"),
            "chunks": sum(source.chunks for source in service.sources()),
            "runtime": runtime_of(embeddings_for(settings)),
        }
    )
    for line in sys.stdin:
        offset = int(json.loads(line)["offset"]) % len(questions)
        latencies = []
        cpu, began = time.process_time(), time.monotonic()
        for question, draft in questions[offset:] + questions[:offset]:
            asked = time.perf_counter()
            service.ask(question, draft)
            latencies.append((time.perf_counter() - asked) * 1000)
        send(
            {
                "started": began,
                "ended": time.monotonic(),
                "cpu_seconds": time.process_time() - cpu,
                "latencies_ms": latencies,
                "peak_mb": status_mb("VmHWM"),
            }
        )
    return 0


# --------------------------------------------------------------------------- measuring


def _latency(values: Sequence[float]) -> dict[str, float]:
    return {
        "p50": round(percentile(values, 50), 2),
        "p95": round(percentile(values, 95), 2),
        "mean": round(statistics.mean(values), 2),
        "max": round(max(values), 2),
    }


def employees(qps: float) -> int:
    """Staff served at the stated peak (:data:`ASSUMPTION`) by ``qps`` questions per second."""
    return math.floor(qps * 60 / PEAK_SHARE_PER_MINUTE)


@dataclass(frozen=True)
class Plan:
    """What a capacity run measures."""

    sizes: list[tuple[str, int]]
    workers: list[int]
    questions: list[tuple[str, str | None]]
    mirror: Path | None
    cache_dir: Path


def _measure_size(
    job: dict[str, Any], plan: Plan, server_pid: int, logs_dir: Path, say: Callable[[str], None]
) -> dict[str, Any]:
    """Load the serving generation in fresh workers and run the questions with 1, 2… at once."""
    cores = os.cpu_count() or 1
    count = len(plan.questions)
    pool: list[Worker] = []
    result: dict[str, Any] = {"throughput": []}
    try:
        for workers in plan.workers:
            fresh = [Worker(job, logs_dir / f"worker-{len(pool) + i}.log") for i in range(workers - len(pool))]
            for worker in fresh:
                ready = worker.receive()
                if not pool and worker is fresh[0]:
                    result.update(
                        load_seconds=round(ready["load_seconds"], 2),
                        loaded_chunks=ready["chunks"],
                        rss_after_load_mb=ready["rss_mb"],
                        runtime=ready["runtime"],
                    )
            pool += fresh
            server_cpu = cpu_seconds(server_pid)
            for number, worker in enumerate(pool[:workers]):
                worker.send({"offset": number * count // workers})
            runs = [worker.receive() for worker in pool[:workers]]
            server_used = (cpu_seconds(server_pid) or 0.0) - (server_cpu or 0.0)
            seconds = max(r["ended"] for r in runs) - min(r["started"] for r in runs)
            answered = sum(len(r["latencies_ms"]) for r in runs)
            qps = round(answered / seconds, 2)  # rounded first: the printed q/s gives the printed staff
            cpu = sum(r["cpu_seconds"] for r in runs) + server_used
            latencies = [ms for r in runs for ms in r["latencies_ms"]]
            if workers == 1:
                result["latency_ms"] = _latency(latencies)
            result["throughput"].append(
                {
                    "workers": workers,
                    "questions": answered,
                    "seconds": round(seconds, 3),
                    "qps": qps,
                    "qps_per_core": round(qps / cores, 2),
                    "cpu_ms_per_question": round(cpu / answered * 1000, 2),
                    "qps_per_cpu_second": round(answered / cpu, 2) if cpu > 0 else None,
                    "latency_ms": _latency(latencies),
                    "employees": employees(qps),
                }
            )
            say(f"  {workers} proceso(s): {qps:.1f} preguntas/s, p95 {percentile(latencies, 95):.0f} ms")
            peaks = [r["peak_mb"] for r in runs if r["peak_mb"]]
            result["rss_peak_mb"] = max([*peaks, result.get("rss_peak_mb") or 0.0]) or None
    finally:
        for worker in pool:
            worker.close()
    result["chroma_rss_mb"] = status_mb("VmRSS", server_pid)
    return result


def measure(settings: Settings, plan: Plan, say: Callable[[str], None]) -> dict[str, Any]:
    """Run the capacity benchmark; returns the report (what ``--json`` prints)."""
    from bot.embeddings import embeddings_for

    started = time.perf_counter()
    load_before = os.getloadavg() if hasattr(os, "getloadavg") else None
    key = hashlib.sha256(
        f"{settings.knowledge_dir.resolve()}|{plan.mirror}|{settings.embedding_key}".encode()
    ).hexdigest()[:12]
    data_dir = (plan.cache_dir / key).resolve()
    cache = settings.model_copy(
        update={
            "data_dir": data_dir,
            "knowledge_dir": settings.knowledge_dir.resolve(),
            "model_cache_dir": settings.model_cache_dir.resolve() if settings.model_cache_dir else None,
            "chroma_mode": "embedded",
        }
    )
    real, vectors, mirror = real_index(cache, plan.mirror, say)
    totals = resolve_sizes(plan.sizes, len(real))
    synthetic, synthetic_vectors = synthetic_chunks(real, vectors, totals[-1] - len(real))
    embeddings_for(cache)  # an ONNX export is made here, once, not by two workers at once
    report: dict[str, Any] = {
        "machine": {
            "cores": os.cpu_count(),
            "platform": sys.platform,
            "python": sys.version.split()[0],
            "loadavg_start": [round(x, 2) for x in load_before] if load_before else None,
        },
        "chroma": "server 127.0.0.1",
        "embedding_runtime": None,
        "questions": len(plan.questions),
        "real": {
            "chunks": len(real),
            "mirror": str(mirror) if mirror else None,
            "knowledge_dir": str(cache.knowledge_dir),
        },
        "synthetic": {"seed": SEED, "vectors": "synthetic", "note": SYNTHETIC_NOTE},
        "assumption": {"peak_share_per_minute": PEAK_SHARE_PER_MINUTE, "text": ASSUMPTION},
        "sizes": [],
    }
    with tempfile.TemporaryDirectory(prefix="puedo-capacity-") as tmp:
        root = Path(tmp)
        with chroma_server(root / "server") as (port, pid):
            server = cache.model_copy(update={"chroma_mode": "server", "chroma_host": "127.0.0.1", "chroma_port": port})
            job = {
                "settings": server.model_dump(mode="json", exclude={*SECRET_FIELDS, "database_url"}),
                "questions": plan.questions,
            }
            for generation, total in enumerate(totals, 1):
                extra = total - len(real)
                say(f"{total} fragmentos ({extra} sintéticos): escribiendo la generación en Chroma…")
                chunks = [*real, *synthetic[:extra]]
                matrix = np.concatenate([vectors, synthetic_vectors[:extra]]) if extra else vectors
                written = write_generation(server, generation, chunks, matrix)
                say(f"  escrita en {written:.1f} s; midiendo…")
                row = {"chunks": total, "real": len(real), "synthetic": extra, "write_seconds": round(written, 2)}
                row.update(_measure_size(job, plan, pid, root, say))
                report["embedding_runtime"] = row.pop("runtime")
                report["sizes"].append(row)
    first = report["sizes"][0]
    best = max(first["throughput"], key=lambda t: t["qps"])
    report["employees_served"] = {
        "chunks": first["chunks"],
        "workers": best["workers"],
        "qps": best["qps"],
        "employees": best["employees"],
    }
    load_after = os.getloadavg() if hasattr(os, "getloadavg") else None
    report["machine"]["loadavg_end"] = [round(x, 2) for x in load_after] if load_after else None
    report["seconds"] = round(time.perf_counter() - started, 1)
    return report


# --------------------------------------------------------------------------- output


def _n(value: float | None, decimals: int = 0) -> str:
    """A number as the README writes them: 1.234,5."""
    if value is None:
        return "—"
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def render(report: dict[str, Any]) -> str:
    """The human table (Markdown, as in the README) and the notes that go with it."""
    workers = [t["workers"] for t in report["sizes"][0]["throughput"]]
    real = report["real"]
    where = f"espejo {real['mirror']} y {real['knowledge_dir']}" if real["mirror"] else real["knowledge_dir"]
    lines = [
        f"Capacidad: índice real de {_n(real['chunks'])} fragmentos ({where}); {report['questions']} preguntas; "
        f"Chroma en servidor (127.0.0.1); modelo {report['embedding_runtime']}; {report['machine']['cores']} núcleos",
        f"AVISO: {report['synthetic']['note']}.",
        "",
        "| Fragmentos (sintéticos) | Escribir | Cargar | `ask` p50 / p95 | RSS tras cargar / pico | RSS de Chroma | "
        + " | ".join(f"q/s, {w} proc. (por núcleo)" for w in workers)
        + " | CPU por pregunta |",
        "|---" + "|---:" * (6 + len(workers)) + "|",
    ]
    for row in report["sizes"]:
        latency = row["latency_ms"]
        rates = " | ".join(f"{_n(t['qps'], 1)} ({_n(t['qps_per_core'], 1)})" for t in row["throughput"])
        lines.append(
            f"| {_n(row['chunks'])} ({_n(row['synthetic'])}) | {_n(row['write_seconds'], 1)} s | "
            f"{_n(row['load_seconds'], 1)} s | {_n(latency['p50'], 1)} / {_n(latency['p95'], 1)} ms | "
            f"{_n(row['rss_after_load_mb'])} / {_n(row['rss_peak_mb'])} MB | {_n(row['chroma_rss_mb'])} MB | "
            f"{rates} | {_n(row['throughput'][0]['cpu_ms_per_question'], 1)} ms |"
        )
    served = report["employees_served"]
    machine = report["machine"]
    lines += [
        "",
        "Escribir: la generación en Chroma (vectores ya hechos). Cargar: un proceso nuevo, del arranque a la "
        f"primera respuesta. RSS: el proceso que responde (Chroma aparte). q/s por núcleo: q/s ÷ "
        f"{report['machine']['cores']} núcleos de la máquina. CPU por pregunta: la de los procesos y la de "
        "Chroma, con un proceso (no depende de lo que ocupen otros programas).",
        f"Plantilla atendida con el índice real y {served['workers']} proceso(s), lo más rápido medido "
        f"({_n(served['qps'], 1)} q/s): "
        f"{_n(served['employees'])} personas. Supuesto: {report['assumption']['text']}.",
        f"Carga de la máquina (media de 1 min) al empezar / al terminar: {_fmt_load(machine.get('loadavg_start'))} / "
        f"{_fmt_load(machine.get('loadavg_end'))}; {_n(report['seconds'])} s en total.",
    ]
    return "\n".join(lines)


def _fmt_load(load: list[float] | None) -> str:
    return _n(load[0], 2) if load else "—"


def run(args: argparse.Namespace, settings: Settings) -> int:
    """``python -m bot bench --capacity``: parse the options, measure, print."""
    try:
        sizes = parse_sizes(args.sizes or DEFAULT_SIZES)
        workers = parse_workers(args.workers or DEFAULT_WORKERS)
    except ValueError as exc:
        print(f"Error: {exc}", file=sys.stderr)  # noqa: T201 - the command's own message
        return 2
    if args.questions < 1:
        print("Error: --questions debe ser al menos 1", file=sys.stderr)  # noqa: T201 - the command's own message
        return 2
    mirror: Path | None = args.mirror or (DEFAULT_MIRROR if DEFAULT_MIRROR.is_dir() else None)
    cache_dir = args.cache_dir or Path(tempfile.gettempdir()) / "puedo-capacity-cache"
    plan = Plan(sizes, workers, bench_questions(args.questions), mirror, cache_dir)

    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)  # noqa: T201 - progress of a command-line tool

    try:
        report = measure(settings, plan, say)
    except CapacityError as exc:
        say(f"Error: {exc}")
        return 1
    text = json.dumps(report, ensure_ascii=False, indent=2) if args.json else render(report)
    print(text)  # noqa: T201 - the command's output
    return 0


if __name__ == "__main__" and sys.argv[1:] == ["--worker"]:
    sys.exit(_worker_main())
