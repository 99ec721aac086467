"""Server mode: the index and the answers through a real ``chroma run`` on 127.0.0.1."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.index import ChromaStore, Indexer
from bot.models import Verdict
from bot.service import Service
from tests.conftest import make_settings

pytestmark = pytest.mark.server


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[int]:
    executable = shutil.which("chroma", path=str(Path(sys.executable).parent))
    if executable is None:
        pytest.skip("the chroma command is not installed")
    port = _free_port()
    process = subprocess.Popen(
        [executable, "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            pytest.fail("chroma run did not start within 30 s")
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_index_and_answer_through_a_chroma_server(tmp_path, knowledge, chroma_server):
    settings = make_settings(
        tmp_path, knowledge, chroma_mode="server", chroma_host="127.0.0.1", chroma_port=chroma_server
    )
    report = Indexer(settings).update()
    assert report.generation == 1
    assert not settings.chroma_dir.exists()  # nothing stored locally: the server holds the index

    # Another process (here: another service with its own client) answers from the server.
    answer = Service(settings, auto_index=False).ask("¿Puedo subir al insta una foto de los vecinos que atendí hoy?")
    assert answer.verdict is Verdict.NO_PERMITIDO
    assert answer.rules == ["Regla 4"]

    guide = knowledge / "guias" / "guia.md"
    guide.write_text(guide.read_text(encoding="utf-8") + "\nUna línea nueva.\n", encoding="utf-8")
    assert Indexer(settings).update().embedded == 1
    assert ChromaStore(settings).pointer().generation == 2


def test_unreachable_server_is_a_clear_error(tmp_path, knowledge):
    from bot.index import IndexStoreError

    settings = make_settings(
        tmp_path, knowledge, chroma_mode="server", chroma_host="127.0.0.1", chroma_port=_free_port()
    )
    with pytest.raises(IndexStoreError, match="BOT_CHROMA_HOST"):
        Indexer(settings).update()
