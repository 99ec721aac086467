"""Where the state shared by every process lives: votes, delivery claims, sync state.

``BOT_DATABASE_URL`` chooses the database:

* unset (the default): one SQLite file per store in ``BOT_DATA_DIR`` — ``feedback.sqlite3`` and
  ``idempotency.sqlite3``, as before migrations existed — and the sync state in
  ``sources-state.json``. Every process on one machine (one data dir) shares them.
* ``postgresql+psycopg://user:password@host/db`` (or ``postgresql://…``): every store in one
  PostgreSQL database, for replicas on several machines. Needs the ``[postgres]`` extra.
* ``sqlite:///path/file.db``: every store in that one SQLite file.

The schema is :data:`METADATA` (SQLAlchemy Core) and its history the Alembic migrations in
``bot/migrations/versions``. :meth:`Database.upgrade` applies what is missing; every store calls
it when it opens (one query when the schema is current) and ``puedo-publicar db upgrade`` does
it on demand. Two processes starting at once never migrate twice: the migration runs inside one
transaction that first takes a PostgreSQL advisory lock, or SQLite's write lock
(``BEGIN IMMEDIATE``), and reads the schema version only once it holds it.

A database that cannot be reached or used raises :class:`DatabaseError`, whose message names
the URL without its password.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    Engine,
    Float,
    ForeignKey,
    Index,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    make_url,
    text,
)
from sqlalchemy.engine import URL, Connection
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from bot.errors import UnavailableError

__all__ = [
    "METADATA",
    "Database",
    "DatabaseError",
    "answers",
    "bot_secrets",
    "claims",
    "database_url",
    "open_database",
    "run_cli",
    "sync_state",
    "votes",
]

log = logging.getLogger("bot.database")

#: Seconds to wait for a PostgreSQL connection, or for SQLite's write lock.
CONNECT_TIMEOUT = 10
#: The key of the PostgreSQL advisory lock held while migrating ("puedo" in ASCII).
MIGRATION_LOCK = 0x7075656446
#: Where the Alembic environment and versions are (shipped inside the package).
MIGRATIONS = Path(__file__).parent / "migrations"

METADATA = MetaData()

#: One row per answer a vote may refer to: a keyed hash of the question, never its text.
answers = Table(
    "answers",
    METADATA,
    Column("ref", Text, primary_key=True),
    Column("created_at", Text, nullable=False),
    Column("platform", Text, nullable=False),
    Column("question_hash", Text, nullable=False),
    Column("verdict", Text, nullable=False),
    Column("rules", Text, nullable=False),
    Column("citations", Text, nullable=False),
    Column("total_ms", Float),
    Index("ix_answers_created_at", "created_at"),
)

#: One vote per answer and (hashed) user; the texts only with a 👎 comment, redacted.
votes = Table(
    "votes",
    METADATA,
    Column("answer_ref", Text, ForeignKey("answers.ref", ondelete="CASCADE"), primary_key=True),
    Column("user_hash", Text, primary_key=True),
    Column("vote", Text, CheckConstraint("vote IN ('up', 'down')"), nullable=False),
    Column("comment", Text),
    Column("question", Text),
    Column("draft", Text),
    Column("voted_at", Text, nullable=False),
    Index("ix_votes_voted_at", "voted_at"),
)

#: Who is answering which delivery (:mod:`bot.idempotency`); keys are hashes.
claims = Table(
    "claims",
    METADATA,
    Column("key", Text, primary_key=True),
    Column("state", Text, CheckConstraint("state IN ('working', 'done')"), nullable=False),
    Column("claimed_at", Float, nullable=False),
    Column("holder", Text),  # the claiming process (host:pid:token); None: freed by the lease only
    Index("ix_claims_claimed_at", "claimed_at"),
)

#: ``sources sync``'s record of each official source (JSON), when it lives in the database.
sync_state = Table(
    "sync_state",
    METADATA,
    Column("source", Text, primary_key=True),
    Column("data", Text, nullable=False),
    Column("updated_at", Text, nullable=False),
)

#: Values every replica must share, made once: the key of the feedback hashes.
bot_secrets = Table(
    "bot_secrets",
    METADATA,
    Column("name", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)


class DatabaseError(UnavailableError, sqlite3.Error):
    """The database cannot be reached or used; the message names it (never its password).

    Also a :class:`sqlite3.Error`, so that callers written when every store was a SQLite file
    (``except sqlite3.Error``) still catch it.
    """


def database_url(settings: Any, default_file: str) -> str:
    """``BOT_DATABASE_URL`` when set, else the SQLite file ``default_file`` in the data dir."""
    configured: str | None = getattr(settings, "database_url", None)
    if configured:
        return configured
    return str(Path(settings.data_dir) / default_file)


def _parse(target: str | Path) -> tuple[URL, Path | None]:
    """A URL (``postgresql://``, ``sqlite:///``) or a file path; and the SQLite file, if any."""
    if isinstance(target, Path) or "://" not in target:
        path = Path(target)
        return URL.create("sqlite", database=str(path)), path
    try:
        url = make_url(target)
    except ArgumentError:
        raise DatabaseError(f"BOT_DATABASE_URL no es una URL de base de datos válida: {_hide(target)}") from None
    if url.drivername in ("postgres", "postgresql"):
        url = url.set(drivername="postgresql+psycopg")  # psycopg 3, the [postgres] extra
    if url.get_backend_name() == "sqlite":
        return url, Path(url.database) if url.database and url.database != ":memory:" else None
    if url.get_backend_name() != "postgresql":
        raise DatabaseError(f"Base de datos no admitida: {url.drivername} (BOT_DATABASE_URL: postgresql o sqlite)")
    return url, None


def _hide(raw: str) -> str:
    """A URL string with its password replaced, even when SQLAlchemy cannot parse it."""
    head, sep, tail = raw.partition("://")
    if sep and "@" in tail:
        credentials, _, rest = tail.rpartition("@")
        user = credentials.split(":", 1)[0]
        return f"{head}://{user}:***@{rest}" if ":" in credentials else raw
    return raw


class Database:
    """One database: its engine, the schema's migrations and a readiness check.

    ``target``: a SQLite file path or a URL. A SQLite file is made private (0600) before first
    use; ``wal`` puts it in write-ahead-log mode (readers never wait for the writer). Every
    SQLite transaction starts with ``BEGIN IMMEDIATE``: what a transaction reads, no other
    process changes before it commits.
    """

    def __init__(self, target: str | Path, *, wal: bool = False) -> None:
        self.url, self.path = _parse(target)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        self.wal = wal
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if not self.path.exists():
                os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600))
            self.path.chmod(0o600)
        self.engine = _sqlite_engine(self.url, wal=wal) if self.is_sqlite else _server_engine(self.url)

    @property
    def display_url(self) -> str:
        """What to show a person: a SQLite file's path, or the URL with its password hidden."""
        return str(self.path) if self.path is not None else self.url.render_as_string(hide_password=True)

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.url.get_backend_name()

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A connection in a transaction, committed at the end (rolled back on an error); a
        failure of the database itself becomes a :class:`DatabaseError` naming it."""
        try:
            with self.engine.begin() as con:
                yield con
        except SQLAlchemyError as exc:
            raise self.error(exc) from exc

    def error(self, exc: BaseException) -> DatabaseError:
        """The one-line error for ``exc`` raised by this database."""
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        first = reason[0] if reason else type(exc).__name__
        return DatabaseError(f"La base de datos {self.display_url} no responde o no se puede usar: {first}")

    def check(self) -> None:
        """Raise unless the database answers (``/readyz``). A SQLite file must exist: this
        never creates one."""
        if self.path is not None:
            file = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=2)
            try:
                file.execute("SELECT 1 FROM sqlite_master LIMIT 1")
            finally:
                file.close()
            return
        try:
            with self.engine.connect() as con:
                con.execute(text("SELECT 1"))
        except SQLAlchemyError as exc:
            raise self.error(exc) from exc

    def revision(self) -> str | None:
        """The schema version this database is at (None: no migration applied yet)."""
        from alembic.runtime.migration import MigrationContext

        with self.begin() as con:
            return MigrationContext.configure(con).get_current_revision()

    def upgrade(self) -> str:
        """Apply every migration not applied yet; returns the version it is at (the head).

        Cheap when the schema is current: one query. Otherwise the whole upgrade runs in one
        transaction holding the migration lock, so a second process that starts at the same
        time waits, then finds nothing left to do.
        """
        from alembic.runtime.migration import MigrationContext

        head = _head()
        with self.begin() as con:
            if MigrationContext.configure(con).get_current_revision() == head:
                return head
        attributes: dict[str, Any] = {}
        with self.begin() as con:
            if self.dialect == "postgresql":
                con.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
            # (SQLite: BEGIN IMMEDIATE already holds the write lock.) Read again under the lock.
            if MigrationContext.configure(con).get_current_revision() != head:
                log.info("Migrating the database %s to schema %s", self.display_url, head)
                _run_alembic(con, attributes)
        if attributes.get("vacuum") and self.is_sqlite:
            # Texts a migration deleted must not stay in free pages (outside any transaction).
            raw = self.engine.raw_connection()  # autocommit: see _sqlite_engine
            try:
                raw.cursor().execute("VACUUM")
            finally:
                raw.close()
        return head

    @contextmanager
    def try_lock(self, name: str) -> Iterator[bool]:
        """Hold the lock ``name`` for every process on this PostgreSQL database while inside
        (``True``), or yield ``False`` at once if another one holds it. On SQLite: ``True``
        (one machine: a file lock in its data dir does that job)."""
        if self.dialect != "postgresql":
            yield True
            return
        key = int.from_bytes(hashlib.sha256(f"puedo-publicar:{name}".encode()).digest()[:8], "big", signed=True)
        try:
            con = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        except SQLAlchemyError as exc:
            raise self.error(exc) from exc
        try:
            got = bool(con.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar())
            try:
                yield got
            finally:
                if got:
                    con.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
        finally:
            con.close()

    def dispose(self) -> None:
        """Close this database's pooled connections (a PostgreSQL engine is shared per URL)."""
        if self.is_sqlite:
            self.engine.dispose()


def open_database(target: str | Path, *, wal: bool = False) -> Database:
    """The database at ``target`` (a path or a URL) with its schema current."""
    database = Database(target, wal=wal)
    database.upgrade()
    return database


# --------------------------------------------------------------------------- engines

_server_engines: dict[str, Engine] = {}
_server_lock = threading.Lock()


def _server_engine(url: URL) -> Engine:
    """One pooled engine per server URL and process: the stores of a process share it."""
    key = url.render_as_string(hide_password=False)
    with _server_lock:
        engine = _server_engines.get(key)
        if engine is None:
            try:
                engine = create_engine(
                    url,
                    pool_pre_ping=True,  # a restarted server costs one failed ping, not a failed request
                    pool_size=5,
                    max_overflow=10,
                    connect_args={"connect_timeout": CONNECT_TIMEOUT},
                )
            except (NoSuchModuleError, ModuleNotFoundError) as exc:
                raise DatabaseError(
                    f"Para usar {url.render_as_string(hide_password=True)} instala el extra "
                    f"[postgres] (pip install 'puedo-publicar[postgres]'): {exc}"
                ) from None
            _server_engines[key] = engine
        return engine


def _forget_engines_after_fork() -> None:
    """A forked child must not reuse its parent's connections."""
    for engine in _server_engines.values():
        engine.dispose(close=False)


os.register_at_fork(after_in_child=_forget_engines_after_fork)


def _sqlite_engine(url: URL, *, wal: bool) -> Engine:
    """A SQLite engine with no pool (a connection per transaction, as every store did) whose
    transactions take the write lock at BEGIN; deleted text is overwritten."""
    engine = create_engine(url, poolclass=NullPool, connect_args={"timeout": CONNECT_TIMEOUT})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy's BEGIN below, not pysqlite's
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA secure_delete = ON")  # deleted text is overwritten, not left in free pages
        if wal:
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")  # a claim lost in a power cut: one answer twice
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(con: Connection) -> None:
        con.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


# --------------------------------------------------------------------------- migrations


@lru_cache(maxsize=1)
def _head() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    if head is None:  # pragma: no cover - the package ships its migrations
        raise DatabaseError(f"no hay migraciones en {MIGRATIONS}")
    return head


def _run_alembic(con: Connection, attributes: dict[str, Any]) -> None:
    """``alembic upgrade head`` on ``con``, inside its transaction (see ``migrations/env.py``)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = con
    config.attributes["results"] = attributes
    command.upgrade(config, "head")


# --------------------------------------------------------------------------- command line


def configured_databases(settings: Any) -> list[tuple[str, str, bool]]:
    """(what it holds, target, WAL) of each database ``settings`` uses."""
    if getattr(settings, "database_url", None):
        return [("votos, entregas y estado de las fuentes", settings.database_url, False)]
    data_dir = Path(settings.data_dir)
    return [
        ("votos", str(data_dir / "feedback.sqlite3"), False),
        ("entregas", str(data_dir / "idempotency.sqlite3"), True),
    ]


def run_cli(command: str, settings: Any) -> int:
    """``puedo-publicar db upgrade|current``: migrate each database, or say its version."""
    head = _head()
    for label, target, wal in configured_databases(settings):
        if command == "current" and "://" not in target and not Path(target).exists():
            sys.stdout.write(f"{label}: {target} — aún no existe (se crea al arrancar, en la versión {head})\n")
            continue
        database = Database(target, wal=wal)
        if command == "upgrade":
            before = database.revision()
            database.upgrade()
            done = "ya estaba al día" if before == head else f"migrada de {before or 'vacía'} a {head}"
            sys.stdout.write(f"{label}: {database.display_url} — {done}\n")
        else:
            current = database.revision()
            state = "al día" if current == head else f"pendiente de migrar a {head} (puedo-publicar db upgrade)"
            sys.stdout.write(f"{label}: {database.display_url} — versión {current or 'ninguna'}, {state}\n")
        database.dispose()
    return 0
