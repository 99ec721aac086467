"""``python -m bot bench --capacity`` at tiny sizes, against a real ``chroma run`` on 127.0.0.1:
the shape of its JSON report (not its figures: tests assert behaviour, not speed)."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

from bot import capacity
from bot.cli import main
from bot.models import Chunk, SourceType


def _real_chunks() -> tuple[list[Chunk], np.ndarray]:
    text = (
        "El personal guardará sigilo sobre los asuntos que conozca por razón de su puesto. "
        "No divulgará el contenido de expedientes en tramitación ni borradores de resoluciones."
    )
    chunks = [
        Chunk(
            id=f"c{n}",
            text=text,
            source_id="BOE-A-2099-90001",
            tipo=SourceType.LEY,
            title="Ley 1/2099",
            locator=f"Artículo {n}",
            heading=f"Artículo {n}. Deber de sigilo.",
        )
        for n in range(1, 4)
    ]
    vectors = np.eye(3, 8, dtype=np.float32)
    return chunks, vectors


def test_synthetic_chunks_are_law_like_and_reproducible():
    real, vectors = _real_chunks()
    chunks, matrix = capacity.synthetic_chunks(real, vectors, 250)
    again, same = capacity.synthetic_chunks(real, vectors, 100)

    assert len(chunks) == 250 and matrix.shape == (250, 8)
    assert [c.id for c in again] == [c.id for c in chunks[:100]]  # the same seed, the same chunks
    assert np.allclose(same, matrix[:100])
    assert len({c.id for c in chunks}) == 250
    assert all(c.tipo is SourceType.LEY and c.source_id.startswith("SINT-") for c in chunks)
    assert all(c.locator.startswith("Artículo ") and c.content_hash for c in chunks)
    assert len({c.source_id for c in chunks}) >= 1 and len({c.locator for c in chunks}) > 50
    assert np.allclose(np.linalg.norm(matrix, axis=1), 1.0, atol=1e-5)


def test_sizes_and_workers_options():
    assert capacity.resolve_sizes(capacity.parse_sizes("real,+300,15k,10"), 120) == [120, 420, 15000]
    assert capacity.parse_workers("2") == [1, 2]  # one worker always runs: it gives the latency
    with pytest.raises(ValueError, match="tamaño"):
        capacity.parse_sizes("mucho")
    with pytest.raises(ValueError, match="workers"):
        capacity.parse_workers("0")


@pytest.mark.server
def test_capacity_report_at_tiny_sizes(tmp_path: Path, knowledge: Path, monkeypatch, capsys):
    if shutil.which("chroma", path=str(Path(sys.executable).parent)) is None:
        pytest.skip("the chroma command is not installed")
    monkeypatch.setenv("BOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BOT_KNOWLEDGE_DIR", str(knowledge))  # the fixture knowledge: no mirror to sync
    monkeypatch.setattr(capacity, "WAIT_SECONDS", 240.0)  # a stuck worker fails the test instead of hanging it
    argv = ["bench", "--capacity", "--json", "--sizes", "real,+300", "--workers", "1,2", "--questions", "5"]

    assert main([*argv, "--cache-dir", str(tmp_path / "cache")]) == 0

    report = json.loads(capsys.readouterr().out)
    real = report["real"]["chunks"]
    assert real > 0 and report["real"]["mirror"] is None
    assert report["synthetic"]["vectors"] == "synthetic" and "sintétic" in report["synthetic"]["note"]
    assert [s["chunks"] for s in report["sizes"]] == [real, real + 300]
    for size in report["sizes"]:
        assert size["loaded_chunks"] == size["chunks"]  # the workers answered from that generation
        assert size["synthetic"] == size["chunks"] - real
        assert size["write_seconds"] > 0 and size["load_seconds"] > 0
        assert 0 < size["latency_ms"]["p50"] <= size["latency_ms"]["p95"]
        assert 0 < size["rss_after_load_mb"] <= size["rss_peak_mb"]
        assert size["chroma_rss_mb"] > 0
        assert [t["workers"] for t in size["throughput"]] == [1, 2]
        for run in size["throughput"]:
            assert run["questions"] == 5 * run["workers"]
            assert run["qps"] > 0 and run["qps_per_core"] > 0 and run["cpu_ms_per_question"] > 0
            assert run["qps_per_cpu_second"] > 0
            assert run["employees"] == capacity.employees(run["qps"]) > 0
    assert report["employees_served"]["workers"] in (1, 2)
    assert report["assumption"]["text"] and 0 < report["assumption"]["peak_share_per_minute"] < 1

    table = capacity.render(report)
    assert "sintétic" in table and "(300) |" in table
    assert "Supuesto:" in table
