"""The answering layer both adapters share, and the idempotency store under it.

Real parts only: the fixture index with the real core, real SQLite files, and real processes
for the cross-process claim.
"""

from __future__ import annotations

import multiprocessing
import stat
from pathlib import Path
from typing import Any

import pytest

from adapters.answering import Answering, Incoming, Outcome
from adapters.attachments import Attachment, Kind
from bot.feedback import FeedbackStore
from bot.idempotency import KEEP_SECONDS, Claim, IdempotencyStore

RETWEET = "¿Puedo retuitear una campaña oficial de mi ayuntamiento?"


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_a_key_is_granted_once_until_released(tmp_path: Path) -> None:
    store = IdempotencyStore(tmp_path / "idem.sqlite3")
    assert store.claim("slack:event:Ev1") is Claim.NEW
    assert store.claim("slack:event:Ev1") is Claim.IN_PROGRESS
    assert store.seen("slack:event:Ev1") is Claim.IN_PROGRESS
    store.release("slack:event:Ev1")  # nothing reached the user: the next copy answers
    assert store.seen("slack:event:Ev1") is None
    assert store.claim("slack:event:Ev1") is Claim.NEW
    store.complete("slack:event:Ev1")
    assert store.claim("slack:event:Ev1") is Claim.DONE
    store.release("slack:event:Ev1")  # a completed key stays completed
    assert store.claim("slack:event:Ev1") is Claim.DONE
    assert store.claim("telegram:update:1") is Claim.NEW  # keys are independent


def test_an_abandoned_claim_expires_and_old_rows_are_pruned(tmp_path: Path) -> None:
    clock = Clock()
    store = IdempotencyStore(tmp_path / "idem.sqlite3", lease=60, clock=clock)
    assert store.claim("k").granted
    clock.now += 59
    assert store.claim("k") is Claim.IN_PROGRESS
    clock.now += 2  # the process that claimed it died
    assert store.claim("k") is Claim.RECLAIMED
    store.complete("k")
    clock.now += KEEP_SECONDS + 1
    assert store.prune() == 1
    assert store.claim("k") is Claim.NEW


def test_the_store_is_private_and_holds_no_ids_in_clear(tmp_path: Path) -> None:
    path = tmp_path / "idem.sqlite3"
    IdempotencyStore(path).claim("slack:event:EvSECRETO123")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert b"EvSECRETO123" not in path.read_bytes()


def _claim_all(path: str, keys: list[str], out: Any) -> None:
    store = IdempotencyStore(Path(path))
    out.put([key for key in keys if store.claim(key).granted])


def test_processes_sharing_the_store_never_both_get_a_key(tmp_path: Path) -> None:
    path = str(tmp_path / "idem.sqlite3")
    IdempotencyStore(Path(path))
    keys = [f"slack:event:Ev{i}" for i in range(200)]
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    workers = [context.Process(target=_claim_all, args=(path, keys, out)) for _ in range(3)]
    for worker in workers:
        worker.start()
    won = [out.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
    granted = [key for keys_won in won for key in keys_won]
    assert sorted(granted) == sorted(keys)  # each key exactly once, across processes


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
