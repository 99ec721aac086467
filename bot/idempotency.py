"""Exactly-once answers across processes: who is answering which delivery.

Chat platforms deliver the same thing more than once: Slack retries an event it thinks
failed and re-sends a Socket Mode envelope after a reconnect; a signed slash command can be
replayed; Telegram can hand the same ``update_id`` to a new poller or webhook process, and with
replicas any copy may reach any process. Every adapter process shares one table of *claims*
— the SQLite file of the data dir, or the database of ``BOT_DATABASE_URL`` that replicas on
several machines share (:mod:`bot.database`) — keyed by the platform's delivery id (never by
anything the user wrote):

* :meth:`IdempotencyStore.claim` — the first caller gets the key and answers;
* :meth:`IdempotencyStore.complete` — the answer reached the user: later copies are dropped;
* :meth:`IdempotencyStore.release` — answering failed before anything reached the user: the
  next copy (a Slack retry) may answer it.

A claim whose process died without completing or releasing it expires after ``lease``
seconds, so a later redelivery is answered rather than lost. On PostgreSQL it is taken over at
once when its process is known to be gone: each claim names its *holder* (host, pid, a random
token), and every process holds an advisory lock on a connection of its own, which the server
drops the moment the process dies, on whatever machine. That answers a Slack event whose
replica claimed it and died before acknowledging it: Slack sends it again, to another replica,
within seconds. (On SQLite, one machine's processes, claims carry no holder: the lease only, as
always.) Rows older than :data:`KEEP_SECONDS` are pruned: no platform redelivers after that long.

Claiming is atomic across processes and machines: ``INSERT … ON CONFLICT DO NOTHING`` takes a
new key, and only an ``UPDATE`` whose ``WHERE`` still finds the lease expired takes an
abandoned one, so of two processes racing for a key exactly one wins (PostgreSQL re-checks the
``WHERE`` after waiting for the other's row lock; SQLite runs the whole claim under its write
lock).

The store holds no personal data: keys are hashed, and there are no user ids or texts.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable
from enum import Enum
from pathlib import Path

from sqlalchemy import create_engine, delete, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from bot.database import CONNECT_TIMEOUT, Database, claims, database_url, open_database
from bot.settings import Settings

log = logging.getLogger("bot.idempotency")

__all__ = ["DEFAULT_LEASE", "KEEP_SECONDS", "Claim", "IdempotencyStore", "idempotency_store"]

#: Seconds after which an unfinished claim is considered abandoned (its process died).
DEFAULT_LEASE = 120.0
#: Rows older than this are deleted (Slack's last retry comes ~5 min after the first try).
KEEP_SECONDS = 24 * 3600.0
#: The database file in the data dir.
DB_FILE = "idempotency.sqlite3"
#: The first key of every holder's advisory lock in PostgreSQL ("pued" in ASCII).
PRESENCE_NAMESPACE = 0x70756564
#: Seconds between checks that this process's presence connection is still there.
PRESENCE_CHECK_SECONDS = 15.0


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
    """Claims on delivery ids, shared by every thread and process using ``target``: a SQLite
    file (a path) or a database URL (``postgresql+psycopg://…``)."""

    #: How often a claim is tried again when its row vanishes between two statements.
    ATTEMPTS = 5

    def __init__(
        self, target: Path | str, *, lease: float = DEFAULT_LEASE, clock: Callable[[], float] = time.time
    ) -> None:
        if lease <= 0:
            raise ValueError("lease must be positive")
        # WAL for the data dir's own file: readers never wait for the writer.
        self.database = open_database(target, wal=isinstance(target, Path) or "://" not in target)
        #: The SQLite file, or None in a database server.
        self.path = self.database.path
        self.lease = lease
        self._clock = clock
        # SQLite: one writer at a time anyway; queue this process's threads here, not on the file.
        self._lock = threading.Lock() if self.database.is_sqlite else _NoLock()
        self._presence = presence(self.database)
        self._claims_since_prune = 0
        self.prune()

    def check(self) -> None:
        """Raise unless the database answers (``/readyz``)."""
        self.database.check()

    @staticmethod
    def _key(key: str) -> str:
        return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:40]

    def claim(self, key: str) -> Claim:
        """Try to become the one who answers ``key`` (e.g. ``"slack:event:Ev123"``)."""
        hashed = self._key(key)
        me = self._presence.holder()  # None: not announced, so only the lease frees our claims
        with self._lock, self.database.begin() as con:
            outcome = self._claim(con, hashed, self._clock(), me)
        if outcome.granted:
            self._claims_since_prune += 1
            if self._claims_since_prune >= 1000:
                self.prune()
        return outcome

    def _claim(self, con: Connection, hashed: str, now: float, me: str | None) -> Claim:
        dialect = postgresql if self.database.dialect == "postgresql" else sqlite
        for _ in range(self.ATTEMPTS):
            taken = con.execute(
                dialect.insert(claims)
                .values(key=hashed, state="working", claimed_at=now, holder=me)
                .on_conflict_do_nothing(index_elements=[claims.c.key])
                .returning(claims.c.key)
            ).first()
            if taken is not None:
                return Claim.NEW
            reclaimed = con.execute(
                update(claims)
                .where(claims.c.key == hashed, claims.c.state == "working", claims.c.claimed_at <= now - self.lease)
                .values(claimed_at=now, holder=me)
                .returning(claims.c.key)
            ).first()
            if reclaimed is not None:
                return Claim.RECLAIMED
            row = con.execute(select(claims.c.state, claims.c.holder).where(claims.c.key == hashed)).first()
            if row is None:
                continue  # released by its holder between two statements: try again
            if row.state == "done":
                return Claim.DONE
            if row.holder is None or row.holder == me or self._presence.alive(con, row.holder):
                return Claim.IN_PROGRESS
            # Its holder is gone: take it over, unless another process just did (same row, new holder).
            taken_over = con.execute(
                update(claims)
                .where(claims.c.key == hashed, claims.c.state == "working", claims.c.holder == row.holder)
                .values(claimed_at=now, holder=me)
                .returning(claims.c.key)
            ).first()
            return Claim.RECLAIMED if taken_over is not None else Claim.IN_PROGRESS
        return Claim.IN_PROGRESS  # pragma: no cover - a key given back five times in a row

    def seen(self, key: str) -> Claim | None:
        """What :meth:`claim` would say without claiming: ``DONE``, ``IN_PROGRESS`` or None."""
        with self.database.begin() as con:
            row = con.execute(
                select(claims.c.state, claims.c.claimed_at, claims.c.holder).where(claims.c.key == self._key(key))
            ).first()
            if row is None:
                return None
            if row.state == "done":
                return Claim.DONE
            gone = row.holder is not None and row.holder != self._presence.holder()
            if gone and not self._presence.alive(con, row.holder):
                return None
        return Claim.IN_PROGRESS if self._clock() - float(row.claimed_at) < self.lease else None

    def complete(self, key: str) -> None:
        """``key`` was answered: every later delivery of it is dropped."""
        with self._lock, self.database.begin() as con:
            con.execute(update(claims).where(claims.c.key == self._key(key)).values(state="done"))

    def release(self, key: str) -> None:
        """Give ``key`` up unanswered, so that the next delivery of it is answered."""
        with self._lock, self.database.begin() as con:
            con.execute(delete(claims).where(claims.c.key == self._key(key), claims.c.state == "working"))

    def prune(self) -> int:
        """Delete claims older than :data:`KEEP_SECONDS`; returns how many."""
        with self._lock, self.database.begin() as con:
            deleted = con.execute(delete(claims).where(claims.c.claimed_at < self._clock() - KEEP_SECONDS)).rowcount
            self._claims_since_prune = 0
        return int(deleted)


# --------------------------------------------------------------------------- holders


class Presence:
    """This process as a claim holder. The base: unannounced (SQLite), so that nothing but the
    lease frees its claims."""

    def __init__(self) -> None:
        self._name = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"

    def holder(self) -> str | None:
        """The name this process's claims carry (None: unannounced; only the lease frees them)."""
        return None

    def alive(self, con: Connection, holder: str) -> bool:
        """Whether ``holder`` (another process's name) may still be answering."""
        return True


class PostgresPresence(Presence):
    """On PostgreSQL: a session advisory lock, held on a connection of this process's own, that
    the server releases when that connection ends — when the process dies, on any machine."""

    def __init__(self, database: Database) -> None:
        super().__init__()
        self._engine = create_engine(
            database.url, poolclass=NullPool, connect_args={"connect_timeout": CONNECT_TIMEOUT}
        )
        self._con: Connection | None = None
        self._checked = 0.0
        self._guard = threading.Lock()

    def holder(self) -> str | None:
        with self._guard:
            now = time.monotonic()
            if self._con is not None and now - self._checked < PRESENCE_CHECK_SECONDS:
                return self._name
            try:
                if self._con is None:
                    con = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
                    con.execute(text("SELECT pg_advisory_lock(:ns, :key)"), _lock_key(self._name))
                    self._con = con
                else:
                    self._con.execute(text("SELECT 1"))
            except SQLAlchemyError as exc:  # claim anyway, unannounced: the lease still frees them
                log.warning("Cannot announce this process to the database (%s); claims expire by lease only", exc)
                if self._con is not None:
                    self._con.invalidate()
                self._con = None
                return None
            self._checked = now
            return self._name

    def alive(self, con: Connection, holder: str) -> bool:
        held = con.execute(
            text(
                "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted "
                "AND classid = CAST(:ns AS oid) AND objid = CAST(:key AS oid) AND objsubid = 2)"
            ),
            _lock_key(holder),
        ).scalar()
        return bool(held)


def _lock_key(holder: str) -> dict[str, int]:
    """The two int4 keys of ``holder``'s advisory lock (the second: 31 bits of its hash)."""
    digest = hashlib.sha256(holder.encode()).digest()
    return {"ns": PRESENCE_NAMESPACE, "key": int.from_bytes(digest[:4], "big") & 0x7FFFFFFF}


_presences: dict[str, Presence] = {}
_presences_lock = threading.Lock()


def presence(database: Database) -> Presence:
    """This process's presence on ``database`` (one per process and server: every store of a
    process is one holder)."""
    if database.is_sqlite:
        key = "sqlite"
    else:
        key = database.url.render_as_string(hide_password=False)
    with _presences_lock:
        found = _presences.get(key)
        if found is None:
            found = Presence() if database.is_sqlite else PostgresPresence(database)
            _presences[key] = found
        return found


def _forget_presences_after_fork() -> None:
    """A forked child is another holder: it announces itself anew."""
    _presences.clear()


os.register_at_fork(after_in_child=_forget_presences_after_fork)


class _NoLock:
    """A stand-in for a lock where the database does the locking."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc_info: object) -> None:
        return None


def idempotency_store(settings: Settings) -> IdempotencyStore:
    """The store every adapter process shares: ``BOT_DATABASE_URL``, or the data dir's file."""
    return IdempotencyStore(database_url(settings, DB_FILE), lease=settings.delivery_lease_seconds)
