"""Exactly-once answers across processes: who is answering which delivery.

Chat platforms deliver the same thing more than once: Slack retries an event it thinks
failed and re-sends a Socket Mode envelope after a reconnect; a signed slash command can be
replayed; Telegram can hand the same ``update_id`` to a new poller or webhook process. Every
adapter process on the same data dir shares one SQLite table of *claims*, keyed by the
platform's delivery id (never by anything the user wrote):

* :meth:`IdempotencyStore.claim` — the first caller gets the key and answers;
* :meth:`IdempotencyStore.complete` — the answer reached the user: later copies are dropped;
* :meth:`IdempotencyStore.release` — answering failed before anything reached the user: the
  next copy (a Slack retry) may answer it.

A claim whose process died without completing or releasing it expires after ``lease``
seconds, so a later redelivery is answered rather than lost. Rows older than
:data:`KEEP_SECONDS` are pruned: no platform redelivers after that long.

The store holds no personal data: keys are hashed, and there are no user ids or texts.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from enum import Enum
from pathlib import Path

from bot.settings import Settings

__all__ = ["DEFAULT_LEASE", "KEEP_SECONDS", "Claim", "IdempotencyStore", "idempotency_store"]

#: Seconds after which an unfinished claim is considered abandoned (its process died).
DEFAULT_LEASE = 120.0
#: Rows older than this are deleted (Slack's last retry comes ~5 min after the first try).
KEEP_SECONDS = 24 * 3600.0
#: The database file in the data dir.
DB_FILE = "idempotency.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS claims (
    key TEXT PRIMARY KEY,
    state TEXT NOT NULL CHECK (state IN ('working', 'done')),
    claimed_at REAL NOT NULL
);
"""


class Claim(Enum):
    """The outcome of :meth:`IdempotencyStore.claim`."""

    NEW = "new"  # nobody had it: answer it
    RECLAIMED = "reclaimed"  # a claim that expired unfinished: answer it
    IN_PROGRESS = "in_progress"  # another delivery is being answered right now: drop this one
    DONE = "done"  # already answered: drop this one

    @property
    def granted(self) -> bool:
        """Whether this process may handle the delivery now (a new claim or an expired lease)."""
        return self in (Claim.NEW, Claim.RECLAIMED)


class IdempotencyStore:
    """Claims on delivery ids, shared by every thread and process using ``path``."""

    def __init__(self, path: Path, *, lease: float = DEFAULT_LEASE, clock: Callable[[], float] = time.time) -> None:
        if lease <= 0:
            raise ValueError("lease must be positive")
        self.path = path
        self.lease = lease
        self._clock = clock
        self._lock = threading.Lock()
        self._claims_since_prune = 0
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        path.chmod(0o600)
        with closing(sqlite3.connect(self.path, timeout=10)) as con:
            con.execute("PRAGMA journal_mode = WAL")  # readers never wait for the writer
            con.executescript(_SCHEMA)
        self.prune()

    @contextmanager
    def _connect(self, *, write: bool = True) -> Iterator[sqlite3.Connection]:
        # IMMEDIATE: the read and the write of a claim happen under one write lock. A claim
        # lost in a power cut only means one question may be answered twice.
        with closing(sqlite3.connect(self.path, timeout=10, isolation_level=None)) as con:
            con.execute("PRAGMA synchronous = NORMAL")
            con.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")

    @staticmethod
    def _key(key: str) -> str:
        return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:40]

    def claim(self, key: str) -> Claim:
        """Try to become the one who answers ``key`` (e.g. ``"slack:event:Ev123"``)."""
        now = self._clock()
        hashed = self._key(key)
        with self._lock, self._connect() as con:
            row = con.execute("SELECT state, claimed_at FROM claims WHERE key = ?", (hashed,)).fetchone()
            if row is None:
                con.execute("INSERT INTO claims (key, state, claimed_at) VALUES (?, 'working', ?)", (hashed, now))
                outcome = Claim.NEW
            elif row[0] == "done":
                return Claim.DONE
            elif now - float(row[1]) < self.lease:
                return Claim.IN_PROGRESS
            else:
                con.execute("UPDATE claims SET claimed_at = ? WHERE key = ?", (now, hashed))
                outcome = Claim.RECLAIMED
            self._claims_since_prune += 1
        if self._claims_since_prune >= 1000:
            self.prune()
        return outcome

    def seen(self, key: str) -> Claim | None:
        """What :meth:`claim` would say without claiming: ``DONE``, ``IN_PROGRESS`` or None."""
        with self._connect(write=False) as con:
            row = con.execute("SELECT state, claimed_at FROM claims WHERE key = ?", (self._key(key),)).fetchone()
        if row is None:
            return None
        if row[0] == "done":
            return Claim.DONE
        return Claim.IN_PROGRESS if self._clock() - float(row[1]) < self.lease else None

    def complete(self, key: str) -> None:
        """``key`` was answered: every later delivery of it is dropped."""
        with self._lock, self._connect() as con:
            con.execute("UPDATE claims SET state = 'done' WHERE key = ?", (self._key(key),))

    def release(self, key: str) -> None:
        """Give ``key`` up unanswered, so that the next delivery of it is answered."""
        with self._lock, self._connect() as con:
            con.execute("DELETE FROM claims WHERE key = ? AND state = 'working'", (self._key(key),))

    def prune(self) -> int:
        """Delete claims older than :data:`KEEP_SECONDS`; returns how many."""
        with self._lock, self._connect() as con:
            deleted = con.execute("DELETE FROM claims WHERE claimed_at < ?", (self._clock() - KEEP_SECONDS,)).rowcount
            self._claims_since_prune = 0
        return int(deleted)


def idempotency_store(settings: Settings) -> IdempotencyStore:
    """The store every adapter process on ``settings.data_dir`` shares."""
    return IdempotencyStore(settings.data_dir / DB_FILE, lease=settings.delivery_lease_seconds)
