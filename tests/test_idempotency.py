"""Delivery claims (:mod:`bot.idempotency`) on both databases: a SQLite file, and a real
PostgreSQL server as replicas on several machines share it. The same behaviour on each, and
under races between threads and processes exactly one claimant wins a key.

(``tests/test_answering.py`` has the SQLite-only originals of the first tests, beside the
answering layer that uses the store.)
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from bot.idempotency import KEEP_SECONDS, Claim, IdempotencyStore
from tests.helpers.postgres import truncate


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where the claims live: a SQLite file, or an emptied PostgreSQL database (as a string:
    what a spawned process can be handed)."""
    if request.param == "sqlite":
        return str(tmp_path / "idem.sqlite3")
    url: str = request.getfixturevalue("pg_database")
    truncate(url)
    return url


def test_a_key_is_granted_once_until_released(target: str) -> None:
    store = IdempotencyStore(target)
    assert store.claim("slack:event:Ev1") is Claim.NEW
    assert store.claim("slack:event:Ev1") is Claim.IN_PROGRESS
    assert store.seen("slack:event:Ev1") is Claim.IN_PROGRESS
    store.release("slack:event:Ev1")  # nothing reached the user: the next copy answers
    assert store.seen("slack:event:Ev1") is None
    assert store.claim("slack:event:Ev1") is Claim.NEW
    store.complete("slack:event:Ev1")
    assert store.claim("slack:event:Ev1") is Claim.DONE
    assert IdempotencyStore(target).claim("slack:event:Ev1") is Claim.DONE  # another process, the same answer
    store.release("slack:event:Ev1")  # a completed key stays completed
    assert store.claim("slack:event:Ev1") is Claim.DONE
    assert store.claim("telegram:update:1") is Claim.NEW  # keys are independent


def test_an_abandoned_claim_expires_and_old_rows_are_pruned(target: str) -> None:
    clock = Clock()
    store = IdempotencyStore(target, lease=60, clock=clock)
    assert store.claim("k").granted
    clock.now += 59
    assert store.claim("k") is Claim.IN_PROGRESS
    assert store.seen("k") is Claim.IN_PROGRESS
    clock.now += 2  # the process that claimed it died
    assert store.seen("k") is None
    assert store.claim("k") is Claim.RECLAIMED
    assert store.claim("k") is Claim.IN_PROGRESS  # the new lease runs from the reclaim
    store.complete("k")
    clock.now += KEEP_SECONDS + 1
    assert store.prune() == 1
    assert store.claim("k") is Claim.NEW


def test_the_store_holds_no_delivery_id_in_clear(target: str) -> None:
    store = IdempotencyStore(target)
    store.claim("slack:event:EvSECRETO123")
    with store.database.begin() as con:
        from bot.database import claims

        keys = con.execute(claims.select().with_only_columns(claims.c.key)).scalars().all()
    assert len(keys) == 1 and "EvSECRETO123" not in keys[0] and len(keys[0]) == 40


def test_threads_racing_for_one_key_exactly_one_wins(target: str) -> None:
    stores = [IdempotencyStore(target) for _ in range(2)]  # two replicas
    for round_ in range(10):
        key = f"telegram:update:{round_}"
        barrier = threading.Barrier(8)
        outcomes: list[Claim] = []

        def claim(
            store: IdempotencyStore, key: str = key, barrier: threading.Barrier = barrier, out: list[Claim] = outcomes
        ) -> None:
            barrier.wait(timeout=10)
            out.append(store.claim(key))

        threads = [threading.Thread(target=claim, args=(stores[i % 2],)) for i in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert sorted(o.value for o in outcomes) == ["in_progress"] * 7 + ["new"], round_


def test_an_expired_claim_is_taken_over_by_exactly_one(target: str) -> None:
    clock = Clock()
    stores = [IdempotencyStore(target, lease=60, clock=clock) for _ in range(4)]
    assert stores[0].claim("slack:event:EvMUERTO") is Claim.NEW  # its process then dies
    clock.now += 61
    barrier = threading.Barrier(len(stores))
    outcomes: list[Claim] = []

    def claim(store: IdempotencyStore) -> None:
        barrier.wait(timeout=10)
        outcomes.append(store.claim("slack:event:EvMUERTO"))

    threads = [threading.Thread(target=claim, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(o.value for o in outcomes) == ["in_progress"] * 3 + ["reclaimed"]


def _claim_all(target: str, keys: list[str], start: Any, out: Any, done: Any) -> None:
    store = IdempotencyStore(target if "://" in target else Path(target))
    start.wait(30)
    out.put([key for key in keys if store.claim(key).granted])
    done.wait(60)  # alive until every process has claimed: a dead holder's claims are free


def test_processes_sharing_the_store_never_both_get_a_key(target: str) -> None:
    IdempotencyStore(target)  # the schema, before the race
    keys = [f"slack:event:Ev{i}" for i in range(200)]
    context = multiprocessing.get_context("spawn")
    out, start, done = context.Queue(), context.Barrier(3), context.Event()
    workers = [context.Process(target=_claim_all, args=(target, keys, start, out, done)) for _ in range(3)]
    for worker in workers:
        worker.start()
    try:
        won = [out.get(timeout=120) for _ in workers]
    finally:
        done.set()
    for worker in workers:
        worker.join(timeout=30)
    granted = [key for keys_won in won for key in keys_won]
    assert sorted(granted) == sorted(keys)  # each key exactly once, across processes


def _claim_then_die(target: str, key: str, claimed: Any, die: Any) -> None:
    store = IdempotencyStore(target if "://" in target else Path(target))
    claimed.put(store.claim(key).value)
    die.wait(60)
    os._exit(0)  # dies holding the claim: neither complete() nor release()


def test_a_claim_whose_process_is_gone_is_taken_over(target: str) -> None:
    """A replica claims a Slack event and dies before acknowledging it; Slack sends the event
    again within seconds. On PostgreSQL the replica that gets it answers it at once; on SQLite
    (one machine) after the lease, as always."""
    key = "slack:event:EvHUERFANO"
    lease = 120.0 if "://" in target else 5.0
    context = multiprocessing.get_context("spawn")
    claimed, die = context.Queue(), context.Event()
    holder = context.Process(target=_claim_then_die, args=(target, key, claimed, die))
    holder.start()
    try:
        assert claimed.get(timeout=120) == "new"
        claimed_by = time.monotonic()  # the claim was made before this
        store = IdempotencyStore(target, lease=lease)
        assert store.claim(key) is Claim.IN_PROGRESS  # its holder runs: it may still answer
        assert store.seen(key) is Claim.IN_PROGRESS
    finally:
        die.set()
        holder.join(30)
    if "://" not in target and time.monotonic() - claimed_by < lease - 1:
        assert store.claim(key) is Claim.IN_PROGRESS  # SQLite: its process is gone, the lease is not
    deadline = time.monotonic() + lease + 10  # PostgreSQL ends a dead session's lock within milliseconds
    while (outcome := store.claim(key)) is Claim.IN_PROGRESS and time.monotonic() < deadline:
        time.sleep(0.05)
    assert outcome is Claim.RECLAIMED
    if "://" in target:
        assert time.monotonic() - claimed_by < 60  # at once, not after the 120 s lease
    assert store.claim(key) is Claim.IN_PROGRESS  # now this process holds it
    store.complete(key)
    assert store.claim(key) is Claim.DONE
