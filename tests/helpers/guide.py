"""The real ``knowledge/`` folder's signals and guideline rules, for tests of the pure decision
pipeline (no index, no model)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.chunking import chunk_document
from bot.decision import RuleSpec, rule_specs
from bot.documents import load_file
from bot.settings import Settings
from bot.signals import SignalBook, load_signals

KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge"
GUIDE = KNOWLEDGE / "guias" / "guia-redes-sociales.md"


def real_book() -> SignalBook:
    """``knowledge/senales.yaml``; it must load without problems."""
    book, problems = load_signals(KNOWLEDGE)
    assert problems == []
    return book


def real_rules(book: SignalBook, data_dir: Path) -> list[RuleSpec]:
    """The guideline's rules with their conditions resolved against ``book``."""
    settings = Settings(_env_file=None, data_dir=data_dir, knowledge_dir=KNOWLEDGE)  # type: ignore[call-arg]
    doc, problems = load_file(
        GUIDE, display="knowledge/guias/guia-redes-sociales.md", root=KNOWLEDGE, settings=settings
    )
    assert doc is not None, problems
    chunks, chunk_problems = chunk_document(doc, book)
    assert not [p for p in chunk_problems if p.level == "error"]
    specs, spec_problems = rule_specs(chunks, book)
    assert spec_problems == []
    return specs


@pytest.fixture(scope="module")
def book() -> SignalBook:
    """Fixture: :func:`real_book`."""
    return real_book()


@pytest.fixture(scope="module")
def rules(book: SignalBook, tmp_path_factory: pytest.TempPathFactory) -> list[RuleSpec]:
    """Fixture: :func:`real_rules` over the real book."""
    return real_rules(book, tmp_path_factory.mktemp("data"))
