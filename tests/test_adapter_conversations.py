"""The adapters' memory of each conversation (:mod:`adapters.conversations`) and how the
answering layer uses it: which messages follow up, for how long, and «nueva pregunta»."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from adapters.answering import Answering, Incoming, Outcome
from adapters.conversations import ConversationMemory
from bot import Context, FeedbackStore, IdempotencyStore, Service
from bot.models import Turn, Verdict

PHOTO = "¿Puedo subir al insta una foto de los vecinos que atendí hoy?"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _context(question: str) -> Context:
    return Context(turns=(Turn(question=question),))


def test_a_conversation_is_kept_for_ttl_and_for_longer_for_a_reply() -> None:
    clock = Clock()
    memory = ConversationMemory(600, keep=7200, clock=clock)
    memory.put("a", _context("uno"))
    clock.now += 599
    assert memory.get("a") == _context("uno")
    clock.now += 2  # 601 s: no longer for a message that merely reads as a follow-up…
    assert memory.get("a") is None
    assert memory.get("a", replying=True) == _context("uno")  # …but still for a reply to the answer
    clock.now += 7200
    assert memory.get("a", replying=True) is None and len(memory) == 0  # then it is gone


def test_the_least_recently_used_conversation_is_forgotten_first() -> None:
    memory = ConversationMemory(600, max_conversations=2)
    memory.put("a", _context("a"))
    memory.put("b", _context("b"))
    assert memory.get("a") is not None  # «a» used: «b» is now the oldest
    memory.put("c", _context("c"))
    assert memory.get("b") is None and memory.get("a") is not None and memory.get("c") is not None
    memory.forget("a")
    assert memory.get("a") is None and len(memory) == 1


def test_bad_bounds_are_refused() -> None:
    with pytest.raises(ValueError, match="ttl"):
        ConversationMemory(-1)
    with pytest.raises(ValueError, match="max_conversations"):
        ConversationMemory(1, max_conversations=0)


@pytest.fixture
def answering(service: Service, tmp_path: Path) -> Answering:
    return Answering(
        "test",
        service,
        FeedbackStore(tmp_path / "feedback.sqlite3"),
        IdempotencyStore(tmp_path / "idempotency.sqlite3"),
        contact_unit="la unidad",
        user_limit_per_minute=100,
        max_pending=10,
        conversations=ConversationMemory(600),
    )


def _ask(answering: Answering, question: str, *, draft: str | None = None, follows: bool = False) -> Outcome | Verdict:
    incoming = Incoming("test", "private", "U1", question, draft, conversation="chat", follows=follows)
    reply = answering.answer(incoming)
    return reply.answer.verdict if reply.answer else reply.outcome


def test_which_messages_follow_up(answering: Answering) -> None:
    assert _ask(answering, PHOTO) is Verdict.NO_PERMITIDO
    assert _ask(answering, "¿Y en Facebook?") is Verdict.NO_PERMITIDO  # reads as a follow-up
    assert _ask(answering, "nueva pregunta") is Outcome.RESET
    assert _ask(answering, "¿Y en Facebook?") is not Verdict.NO_PERMITIDO  # nothing to follow
    assert _ask(answering, PHOTO) is Verdict.NO_PERMITIDO
    # a message with its own draft is a new question, unless it replies to the answer
    assert _ask(answering, "¿Y esto?", draft="¡Qué bonito día en la playa!") is not Verdict.NO_PERMITIDO
    assert _ask(answering, PHOTO) is Verdict.NO_PERMITIDO
    assert _ask(answering, "¿Y esto?", draft="¡Qué bonito día en la playa!", follows=True) is Verdict.NO_PERMITIDO


def test_without_a_conversation_nothing_is_remembered(answering: Answering) -> None:
    reply = answering.answer(Incoming("test", "command", "U1", PHOTO))
    assert reply.answer is not None and len(answering.conversations) == 0


def test_the_adapters_frame_follows_the_answer_s_language(service: Service) -> None:
    from adapters.slack.render import answer_blocks, details_blocks
    from adapters.telegram.render import answer_messages

    answer = service.ask("Can I post on Instagram a photo of the neighbours I served today at the office?")
    assert answer.language == "en"
    blocks = answer_blocks(answer, feedback_ref=None, details_ref="0123456789abcdef")
    texts = json.dumps(blocks, ensure_ascii=False)
    assert answer.verdict.label_in("en") in texts and "📚 See the grounds" in texts
    assert "Ver fundamentos" not in texts
    assert details_blocks(answer)[0][0]["text"]["text"] == "📚 Grounds"
    message = answer_messages(answer)[0]
    assert message.startswith(f"<b>{answer.verdict.emoji} {answer.verdict.label_in('en')}</b>")
    assert "📚 Grounds</b> (tap to expand)" in message


def test_what_a_conversation_said_is_never_written_to_disk(answering: Answering, tmp_path: Path) -> None:
    draft = "Atendimos a Juan Pérez García, DNI 12345678Z, por su multa."
    question = "¿Puedo publicar esto en el Facebook del pueblo?"
    _ask(answering, question, draft=draft)
    _ask(answering, "¿Y si quito el nombre y dejo solo el DNI?")
    assert len(answering.conversations) == 1
    for path in tmp_path.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert b"12345678Z" not in data and "Pérez".encode() not in data and b"quito el nombre" not in data
