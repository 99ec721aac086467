"""``python -m bot bench``: the core's figures on this machine (a benchmark, not a test).

In a temporary data directory: sync the official texts from a mirror (``--from``, default
``../shared/corpus`` when present), build the full index (time, chunks per second), answer
``--questions`` questions warm (latency p50/p95), edit one knowledge file and reindex (time),
and report the peak RSS of the process.

``--capacity`` measures how latency, memory and throughput grow with the index instead
(:mod:`bot.capacity`).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.settings import Settings

DEFAULT_MIRROR = Path(__file__).resolve().parents[2] / "shared" / "corpus"
SAMPLE_QUESTIONS = [
    "¿Puedo subir a Instagram una foto de los vecinos que atendí hoy en la oficina?",
    "Una empresa que licita en un concurso que gestiono me regala productos si los anuncio. ¿Acepto?",
    "¿Puedo criticar en mi Twitter personal una decisión del gobierno de mi comunidad?",
    "¿Qué licencia le doy a LinkedIn sobre lo que publico?",
]


def bench_questions(count: int) -> list[tuple[str, str | None]]:
    """``count`` (question, draft) pairs: the samples, then the dev cases of evals/cases/, repeated."""
    cases_dir = Path(__file__).resolve().parents[1] / "evals" / "cases"
    found: list[tuple[str, str | None]] = [(q, None) for q in SAMPLE_QUESTIONS]
    for path in sorted(cases_dir.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                case = json.loads(line)
                found.append((case["question"], case.get("draft")))
    return (found * (count // max(len(found), 1) + 1))[:count]


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (``q`` in 0–100) of a non-empty list."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(1, math.ceil(q / 100 * len(ordered))) - 1]


def run(args: argparse.Namespace, settings: Settings) -> int:
    if getattr(args, "capacity", False):
        from bot.capacity import run as run_capacity

        return run_capacity(args, settings)
    if getattr(args, "json", False):
        print("--json solo va con --capacity", file=sys.stderr)
        return 2
    from bot.embeddings import clear_cache, embeddings_for, runtime_of
    from bot.index import Indexer
    from bot.service import Service
    from bot.sources.sync import Syncer, load_config

    mirror: Path | None = getattr(args, "mirror", None) or (DEFAULT_MIRROR if DEFAULT_MIRROR.is_dir() else None)
    with tempfile.TemporaryDirectory(prefix="puedo-bench-") as tmp:
        root = Path(tmp)
        knowledge = root / "knowledge"
        shutil.copytree(settings.knowledge_dir, knowledge)
        bench = settings.model_copy(update={"data_dir": root / "data", "knowledge_dir": knowledge})
        print(f"Máquina: {sys.platform}, Python {sys.version.split()[0]}; datos temporales en {root}")
        if mirror is not None:
            started = time.perf_counter()
            report = Syncer(bench, mirror=mirror).sync(load_config(knowledge))
            print(
                f"Sincronización desde {mirror}: {len(report.results)} fuentes en {time.perf_counter() - started:.1f} s"
            )
        else:
            print("Sin espejo del BOE: solo se indexa knowledge/ (las cifras no son las del corpus real)")

        started = time.perf_counter()
        embeddings = embeddings_for(bench)
        print(
            f"Primera carga del modelo ({runtime_of(embeddings)}, con la exportación a ONNX): "
            f"{time.perf_counter() - started:.1f} s"
        )
        indexer = Indexer(bench)
        full = indexer.update(rebuild=True)
        print(
            f"Índice completo ({runtime_of(embeddings)}): {full.chunks} fragmentos en {full.seconds:.1f} s "
            f"({full.chunks / full.seconds:.1f} fragmentos/s)"
        )
        clear_cache()  # from here on, as every later process: the ONNX export if there is one
        started = time.perf_counter()
        embeddings = embeddings_for(bench)
        print(
            f"Carga del modelo en un proceso posterior ({runtime_of(embeddings)}): {time.perf_counter() - started:.1f} s"
        )

        service = Service(bench, auto_index=False)
        service.warm_up()
        latencies = []
        for question, draft in bench_questions(args.questions):
            started = time.perf_counter()
            service.ask(question, draft)
            latencies.append((time.perf_counter() - started) * 1000)
        print(
            f"ask en caliente ({len(latencies)} preguntas): p50 {percentile(latencies, 50):.1f} ms · "
            f"p95 {percentile(latencies, 95):.1f} ms · media {statistics.mean(latencies):.1f} ms · "
            f"máx {max(latencies):.1f} ms"
        )

        _bench_photos(service, args.photos)

        note = next(iter(sorted((knowledge / "condiciones").glob("*.md"))), None) or next(knowledge.rglob("*.md"))
        note.write_text(note.read_text(encoding="utf-8") + "\n\nNota añadida por el benchmark.\n", encoding="utf-8")
        one = indexer.update()
        print(
            f"Reindexar tras editar un fichero ({note.name}), en el mismo proceso ({runtime_of(embeddings)}): "
            f"{one.seconds:.2f} s "
            f"({one.embedded} calculados, {one.reused} reutilizados)"
        )
        note.write_text(note.read_text(encoding="utf-8") + "Otra línea.\n", encoding="utf-8")
        env = {**_env(), "BOT_DATA_DIR": str(bench.data_dir), "BOT_KNOWLEDGE_DIR": str(knowledge)}
        for label, command in (
            ("Reindexar tras editar un fichero, con «python -m bot index»", ["index"]),
            ("Índice completo con «python -m bot index --rebuild»", ["index", "--rebuild"]),
            ("Una pregunta con «python -m bot ask» (arranque en frío)", ["ask", SAMPLE_QUESTIONS[0]]),
        ):
            seconds, peak = _run_child(command, env)
            print(f"{label}, proceso nuevo: {seconds:.2f} s, pico de RSS {peak:.0f} MB")
        print(f"Memoria: pico de RSS de este proceso (PyTorch y ONNX cargados) {_peak_rss_mb():.0f} MB")
    return 0


def _bench_photos(service: Any, count: int) -> None:
    """``ask`` with one photo: text (a name, a DNI, a stamp), a face, and a photo with neither."""
    try:
        photos = _photos()
    except ImportError:
        print("Fotos: sin el extra [ocr] (pip install 'puedo-publicar[ocr]'); no se miden")
        return
    started = time.perf_counter()
    service.ask("¿Puedo subir esta foto?", images=[photos[0]])  # loads the OCR and face models
    print(f"Primera foto (carga los modelos de OCR y caras): {time.perf_counter() - started:.1f} s")
    latencies = []
    for number in range(count):
        started = time.perf_counter()
        service.ask("¿Puedo subir esta foto?", images=[photos[number % len(photos)]])
        latencies.append((time.perf_counter() - started) * 1000)
    print(
        f"ask con una foto ({len(latencies)} fotos: texto, una cara, un paisaje; 900×320 a 512×512): "
        f"p50 {percentile(latencies, 50):.0f} ms · p95 {percentile(latencies, 95):.0f} ms · "
        f"máx {max(latencies):.0f} ms"
    )


def _photos() -> list[bytes]:
    import io

    from PIL import Image, ImageDraw, ImageFont

    def encoded(image: Any, kind: str) -> bytes:
        out = io.BytesIO()
        image.save(out, kind)
        return out.getvalue()

    text = Image.new("RGB", (900, 320), "white")
    draw = ImageDraw.Draw(text)
    font = ImageFont.load_default(size=36)
    for number, line in enumerate(["Juan Perez Garcia", "DNI 12345678Z", "USO INTERNO - NO DIFUNDIR"]):
        draw.text((20, 20 + 80 * number), line, fill="black", font=font)
    photos = [encoded(text, "PNG"), encoded(Image.new("RGB", (800, 600), (120, 170, 220)), "JPEG")]
    try:
        from skimage import data

        photos.insert(1, encoded(Image.fromarray(data.astronaut()), "JPEG"))
    except ImportError:
        pass
    return photos


# Runs ``python -m bot`` and prints its peak RSS in kB on stderr at exit. Linux's VmHWM, since
# ru_maxrss survives exec and would count the pages of the forking parent.
_CHILD = (
    "import atexit, re, resource, runpy, sys\n"
    "def peak():\n"
    "    try:\n"
    "        return int(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1))\n"
    "    except (OSError, AttributeError):\n"
    "        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
    "atexit.register(lambda: print('peak-rss-kb', peak(), file=sys.stderr))\n"
    "sys.argv = ['bot', *sys.argv[1:]]\n"
    "runpy.run_module('bot', run_name='__main__')\n"
)


def _run_child(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Seconds and peak RSS (MB) of ``python -m bot COMMAND`` in a new process."""
    started = time.perf_counter()
    # This interpreter running this package's own CLI with fixed arguments: no untrusted input.
    done = subprocess.run([sys.executable, "-c", _CHILD, *command], check=True, capture_output=True, env=env, text=True)  # noqa: S603
    seconds = time.perf_counter() - started
    peak = next(line for line in reversed(done.stderr.splitlines()) if line.startswith("peak-rss-kb"))
    return seconds, int(peak.split()[1]) / 1024


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
