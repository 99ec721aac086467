"""The answering layer both adapters share, and the idempotency store's file under it (the
store's behaviour on SQLite and PostgreSQL, across threads and processes: tests/test_idempotency.py).

Real parts only: the fixture index with the real core and real SQLite files.
"""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest

from adapters.answering import Answering, Incoming, Outcome
from adapters.attachments import Attachment, Kind
from bot.feedback import FeedbackStore
from bot.idempotency import IdempotencyStore

RETWEET = "¿Puedo retuitear una campaña oficial de mi ayuntamiento?"


def test_the_store_is_private_and_holds_no_ids_in_clear(tmp_path: Path) -> None:
    path = tmp_path / "idem.sqlite3"
    IdempotencyStore(path).claim("slack:event:EvSECRETO123")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert b"EvSECRETO123" not in path.read_bytes()


@pytest.fixture
def answering(service: Any, tmp_path: Path) -> Answering:
    return Answering(
        "slack",
        service,
        FeedbackStore(tmp_path / "feedback.sqlite3", salt="sal"),
        IdempotencyStore(tmp_path / "idem.sqlite3"),
        contact_unit="comunicacion@ejemplo.es",
        user_limit_per_minute=3,
        max_pending=2,
    )


def _incoming(delivery: str | None, *, user: str = "U1", question: str = RETWEET, **fields: Any) -> Incoming:
    return Incoming(platform="slack", kind="dm", user_id=user, question=question, delivery_id=delivery, **fields)


def test_admit_answer_finish(answering: Answering) -> None:
    incoming = _incoming("event:Ev1")
    assert answering.admit(incoming) is None
    assert answering.pending == 1
    reply = answering.answer(incoming)
    assert reply.outcome is Outcome.ANSWERED and reply.answer is not None and reply.feedback_ref
    answering.finish(incoming, delivered=True)
    assert answering.pending == 0
    duplicate = answering.admit(incoming)
    assert duplicate is not None and duplicate.outcome is Outcome.DUPLICATE and not duplicate.notify


def test_a_copy_of_a_question_still_being_answered_is_told_apart(answering: Answering) -> None:
    incoming = _incoming("event:EvInFlight")
    assert answering.admit(incoming) is None
    copy = answering.admit(incoming)  # the first is still being answered: it may yet fail
    assert copy is not None and copy.outcome is Outcome.IN_PROGRESS and not copy.notify
    answering.finish(incoming, delivered=True)
    done = answering.admit(incoming)
    assert done is not None and done.outcome is Outcome.DUPLICATE


def test_a_failed_delivery_can_be_answered_by_the_next_copy(answering: Answering) -> None:
    incoming = _incoming("event:Ev2")
    assert answering.admit(incoming) is None
    answering.finish(incoming, delivered=False)
    assert answering.admit(incoming) is None


def test_too_many_waiting_questions_get_a_busy_notice(answering: Answering) -> None:
    first, second, third = (_incoming(f"event:B{i}", user=f"U{i}") for i in range(3))
    assert answering.admit(first) is None and answering.admit(second) is None
    busy = answering.admit(third)
    assert busy is not None and busy.outcome is Outcome.BUSY
    assert busy.notice is not None and "mucha demanda" in busy.notice
    answering.finish(first, delivered=True)
    assert answering.admit(_incoming("event:B3", user="U3")) is None  # room again


def test_per_user_limit_notifies_once(answering: Answering) -> None:
    outcomes = []
    for i in range(5):
        incoming = _incoming(f"event:L{i}", user="UFLOOD")
        reply = answering.admit(incoming)
        outcomes.append(reply.outcome if reply else None)
        if reply is None:
            answering.finish(incoming, delivered=True)
    assert outcomes == [None, None, None, Outcome.RATE_LIMITED, Outcome.RATE_LIMITED]
    notices = [answering.admit(_incoming(f"event:L{i}", user="UFLOOD")) for i in range(5, 7)]
    assert all(n is not None and n.notice is None for n in notices)  # silence after the first notice


def test_a_file_without_text_and_core_errors(answering: Answering) -> None:
    video = _incoming("event:P1", question="", files=(Attachment(Kind.OTHER, "F1"),))
    reply = answering.admit(video)
    assert reply is not None and reply.outcome is Outcome.NEEDS_TEXT and "No puedo revisar" in (reply.notice or "")
    empty = _incoming("event:E1", question="   ")
    assert answering.admit(empty) is None
    error = answering.answer(empty)
    assert error.outcome is Outcome.USER_ERROR and error.notice and error.answer is None
