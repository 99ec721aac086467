"""Shared fixtures: settings isolated from the environment, the fixture knowledge folder, and a
real :class:`~bot.service.Service` over an index of it (built once per test session)."""

from __future__ import annotations

import atexit
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.settings import Settings
from tests.helpers.guide import book, rules  # noqa: F401 - fixtures: the real knowledge/ signals and rules
from tests.helpers.postgres import pg_database, postgres  # noqa: F401 - fixtures: a real PostgreSQL

FIXTURES = Path(__file__).parent / "fixtures"
SHARED_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"

# Tests never read the developer's .env or BOT_* variables.
for _name in [n for n in os.environ if n.startswith("BOT_")]:
    del os.environ[_name]
# One ONNX export of the model for the whole session (and the CLI processes it starts).
os.environ["BOT_MODEL_CACHE_DIR"] = tempfile.mkdtemp(prefix="puedo-models-")
atexit.register(shutil.rmtree, os.environ["BOT_MODEL_CACHE_DIR"], True)


#: A Spanish DNI (8 digits and the check letter), as the tests write them into drafts.
_DNI = re.compile(rb"(?<![0-9])[0-9]{8}-?[A-HJ-NP-TV-Z](?![A-Za-z0-9])")


@pytest.fixture(scope="session", autouse=True)
def no_dni_left_in_any_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """After the whole session: no SQLite file any test created (feedback, idempotency…) holds a
    DNI, not even in its free pages. The adapter tests send drafts with DNIs through every
    entry point; the stores must keep none of them. (Chroma's own databases, embedded in
    ``chroma/`` or a server's ``chroma-server*/``, hold the indexed laws and guideline, not what
    users send; their binary embeddings can spell a DNI by chance.)"""
    yield
    leaks = [
        str(path.relative_to(tmp_path_factory.getbasetemp()))
        for path in tmp_path_factory.getbasetemp().rglob("*.sqlite3*")
        if path.is_file()
        and not any(part.startswith("chroma") for part in path.relative_to(tmp_path_factory.getbasetemp()).parts[:-1])
        and _DNI.search(path.read_bytes())
    ]
    assert not leaks, f"SQLite files that keep a DNI: {leaks}"


@pytest.fixture(autouse=True)
def no_second_opinion(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings read from the environment get no second opinion either (``make_settings``)."""
    monkeypatch.setenv("BOT_DOUBT_CASES_DIR", "")


@pytest.fixture(autouse=True)
def no_entry_point_handler_outlives_its_test() -> Iterator[None]:
    """An entry point's ``main()`` installs a logging handler on the stream of that moment (a
    test's captured stderr, closed when the test ends); a later record from a background thread
    would then fail to write («I/O operation on closed file»). Remove what a test installed."""
    root = logging.getLogger()
    before = list(root.handlers)
    yield
    for handler in [h for h in root.handlers if h not in before and getattr(h, "_puedo_publicar", False)]:
        root.removeHandler(handler)


def make_settings(tmp: Path, knowledge: Path, **overrides: object) -> Settings:
    """Settings for a test: data and knowledge under ``tmp``, nothing from the environment."""
    # No second opinion unless a test asks for one: it learns from evals/cases and the first turns
    # of evals/conversations (tests/test_doubt.py).
    values: dict[str, object] = {
        "data_dir": tmp / "data",
        "knowledge_dir": knowledge,
        "reload_check_seconds": 0,
        "doubt_cases_dir": None,
        "doubt_conversations_dir": None,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def copy_knowledge(target: Path) -> Path:
    shutil.copytree(FIXTURES / "knowledge", target)
    return target


@pytest.fixture
def knowledge(tmp_path: Path) -> Path:
    """A private copy of the fixture knowledge folder, free to edit."""
    return copy_knowledge(tmp_path / "knowledge")


@pytest.fixture
def settings(tmp_path: Path, knowledge: Path) -> Settings:
    return make_settings(tmp_path, knowledge)


@pytest.fixture(scope="session")
def indexed_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings whose data dir holds an index of the fixture knowledge (read-only for tests)."""
    from bot.index import Indexer

    root = tmp_path_factory.mktemp("indexed")
    settings = make_settings(root, copy_knowledge(root / "knowledge"))
    Indexer(settings).update()
    return settings


@pytest.fixture(scope="session")
def service(indexed_settings: Settings) -> Iterator[object]:
    """The real service over the fixture index, shared by the tests that only ask questions."""
    from bot.service import Service

    yield Service(indexed_settings, auto_index=False)


@pytest.fixture
def shared_corpus() -> Path:
    if not (SHARED_CORPUS / "boe-api").is_dir():
        pytest.skip("../shared/corpus no está disponible")
    return SHARED_CORPUS
