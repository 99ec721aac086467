"""The database of the shared state (:mod:`bot.database`): migrations, locks, errors, readiness.

On both databases: the migrations from an empty database give exactly the schema the code
declares, step by step too; processes starting at once migrate once. On SQLite: a data dir
made before migrations existed keeps working. On a real PostgreSQL: the sync state and the
readiness check, with the server stopped under a running ``/readyz``.
"""

from __future__ import annotations

import json
import multiprocessing
import sqlite3
from pathlib import Path
from typing import Any

import httpx
import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from bot.database import METADATA, MIGRATIONS, Database, DatabaseError, open_database
from bot.feedback import FeedbackStore, feedback_store
from bot.idempotency import Claim, IdempotencyStore, idempotency_store
from bot.settings import SettingsError, load_settings
from tests.conftest import make_settings
from tests.helpers.postgres import PostgresServer, find_bindir, free_port

HEAD = "0003"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    """An empty database: a new SQLite file, or a new PostgreSQL database (dropped after)."""
    if request.param == "sqlite":
        yield str(tmp_path / "state.sqlite3")
        return
    server: PostgresServer = request.getfixturevalue("postgres")
    url = server.create_database(request.node.name)
    yield url
    from bot.database import _server_engines

    engine = _server_engines.pop(url, None)
    if engine is not None:
        engine.dispose()
    server.drop_database(url)


def _schema_differences(database: Database) -> list[Any]:
    with database.engine.connect() as con:
        return list(compare_metadata(MigrationContext.configure(con), METADATA))


def test_migrations_from_empty_give_the_declared_schema(empty: str) -> None:
    database = Database(empty)
    assert database.revision() is None
    assert database.upgrade() == HEAD
    assert database.revision() == HEAD
    assert _schema_differences(database) == []  # the migrations and METADATA agree
    assert database.upgrade() == HEAD  # nothing left to do


def test_each_migration_applies_on_top_of_the_previous_one(empty: str) -> None:
    database = Database(empty)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with database.begin() as con:
        config.attributes["connection"] = con
        command.upgrade(config, "0001")  # a deployment still at the first version
    assert database.revision() == "0001"
    assert "sync_state" not in inspect(database.engine).get_table_names()
    assert database.upgrade() == HEAD
    assert {"sync_state", "bot_secrets"} <= set(inspect(database.engine).get_table_names())
    assert _schema_differences(database) == []


def _open_at_once(target: str, barrier: Any, out: Any) -> None:
    barrier.wait(60)
    try:
        out.put(open_database(target).revision())
    except Exception as exc:  # the test reports what a process saw
        out.put(repr(exc))


def test_processes_starting_at_once_migrate_once(empty: str) -> None:
    context = multiprocessing.get_context("spawn")
    barrier, out = context.Barrier(4), context.Queue()
    workers = [context.Process(target=_open_at_once, args=(empty, barrier, out)) for _ in range(4)]
    for worker in workers:
        worker.start()
    seen = [out.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
    assert seen == [HEAD] * 4
    database = Database(empty)
    with database.begin() as con:
        assert con.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == [HEAD]
    assert _schema_differences(database) == []


# ----------------------------------------------------------------- a data dir from before

#: The SQLite schemas the stores created before migrations existed (CREATE TABLE IF NOT EXISTS).
OLD_FEEDBACK = """
CREATE TABLE IF NOT EXISTS answers (
    ref TEXT PRIMARY KEY, created_at TEXT NOT NULL, platform TEXT NOT NULL, question_hash TEXT NOT NULL,
    verdict TEXT NOT NULL, rules TEXT NOT NULL, citations TEXT NOT NULL, total_ms REAL);
CREATE TABLE IF NOT EXISTS votes (
    answer_ref TEXT NOT NULL REFERENCES answers(ref) ON DELETE CASCADE, user_hash TEXT NOT NULL,
    vote TEXT NOT NULL CHECK (vote IN ('up', 'down')), comment TEXT, question TEXT, draft TEXT,
    voted_at TEXT NOT NULL, PRIMARY KEY (answer_ref, user_hash));
INSERT INTO answers VALUES ('r1', '2099-01-01T00:00:00+00:00', 'slack', 'h', 'permitido', '[]', '[]', 12.5);
INSERT INTO votes VALUES ('r1', 'u1', 'down', 'un comentario', NULL, NULL, '2099-01-01T00:00:00+00:00');
"""
OLD_CLAIMS = """
CREATE TABLE IF NOT EXISTS claims (
    key TEXT PRIMARY KEY, state TEXT NOT NULL CHECK (state IN ('working', 'done')), claimed_at REAL NOT NULL);
"""


def test_a_data_dir_from_before_migrations_keeps_working(tmp_path: Path, knowledge: Path) -> None:
    settings = make_settings(tmp_path, knowledge)
    settings.data_dir.mkdir(parents=True)
    with sqlite3.connect(settings.feedback_db) as con:
        con.executescript(OLD_FEEDBACK)
    old_claims = IdempotencyStore._key("telegram:update:7")
    with sqlite3.connect(settings.data_dir / "idempotency.sqlite3") as con:
        con.execute("PRAGMA journal_mode = WAL")
        con.executescript(OLD_CLAIMS)
        con.execute("INSERT INTO claims VALUES (?, 'done', strftime('%s', 'now'))", (old_claims,))

    feedback, idempotency = feedback_store(settings), idempotency_store(settings)
    [row] = feedback.rows()
    assert (row["answer_ref"], row["vote"], row["comment"]) == ("r1", "down", "un comentario")
    feedback.vote("r1", "slack", "U2", "up")  # and it goes on working
    assert len(feedback.rows()) == 2
    assert idempotency.claim("telegram:update:7") is Claim.DONE  # answered before the upgrade
    assert idempotency.claim("telegram:update:8") is Claim.NEW
    for database in (feedback.database, idempotency.database):
        assert database.revision() == HEAD
        # Every table, column and index of a new file (the old column types and constraints
        # are SQLite's equivalents of the new ones: REAL for FLOAT, inline REFERENCES…).
        found = inspect(database.engine)
        assert set(found.get_table_names()) == {*METADATA.tables, "alembic_version"}
        for table in METADATA.tables.values():
            assert [c["name"] for c in found.get_columns(table.name)] == [c.name for c in table.columns]
            assert {i["name"] for i in found.get_indexes(table.name)} == {i.name for i in table.indexes}


def test_db_upgrade_and_current_on_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main

    monkeypatch.setenv("BOT_DATA_DIR", str(tmp_path / "data"))
    assert main(["db", "current"]) == 0
    assert "aún no existe" in capsys.readouterr().out
    assert main(["db", "upgrade"]) == 0
    assert capsys.readouterr().out.count(f"migrada de vacía a {HEAD}") == 2
    assert main(["db", "upgrade"]) == 0
    assert capsys.readouterr().out.count("ya estaba al día") == 2
    assert main(["db", "current"]) == 0
    assert capsys.readouterr().out.count(f"versión {HEAD}, al día") == 2


# ------------------------------------------------------------------------ clear errors


def test_an_unreachable_database_is_one_line_naming_it_without_the_password(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"postgresql://bot:secreto-de-prueba@127.0.0.1:{free_port()}/puedo"
    with pytest.raises(DatabaseError) as err:
        FeedbackStore(url)
    message = str(err.value)
    assert "\n" not in message and "secreto-de-prueba" not in message
    assert f"postgresql+psycopg://bot:***@127.0.0.1:{url.rsplit(':', 1)[1]}" in message
    assert isinstance(err.value, sqlite3.Error)  # what the adapters' handlers catch

    from bot.cli import main

    monkeypatch.setenv("BOT_DATABASE_URL", url)
    assert main(["db", "upgrade"]) == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: La base de datos postgresql+psycopg://bot:***@")
    assert "secreto-de-prueba" not in lines[0]


def test_a_wrong_database_url_names_the_variable_and_hides_the_value() -> None:
    with pytest.raises(SettingsError) as err:
        load_settings(_env_file=None, database_url="mysql://root:secreto-de-prueba@db/x")
    assert "BOT_DATABASE_URL" in str(err.value) and "secreto-de-prueba" not in str(err.value)


def test_the_password_of_the_database_is_a_secret_for_the_logs() -> None:
    from bot.settings import secret_values

    settings = load_settings(_env_file=None, database_url="postgresql+psycopg://bot:secreto-de-prueba@db/puedo")
    assert "secreto-de-prueba" in secret_values(settings)


# ------------------------------------------------------------- sync state in the database


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_the_sync_state_is_shared_through_the_database(
    kind: str, request: pytest.FixtureRequest, tmp_path: Path, knowledge: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from adapters.ops import _sync_times
    from bot.sources.cli import status
    from bot.sources.sync import open_sync_state, sources_state

    if kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'shared.db'}"
    else:
        url = request.getfixturevalue("pg_database")
        from tests.helpers.postgres import truncate

        truncate(url)
    syncer = make_settings(tmp_path / "sync", knowledge, database_url=url)
    syncer.data_dir.mkdir(parents=True)
    before = {"BOE-A-2015-11719": {"checked_at": "2026-11-30T03:17:00+00:00", "version": "2015-10-31"}}
    (syncer.data_dir / "sources-state.json").write_text(json.dumps(before), encoding="utf-8")
    state = open_sync_state(syncer)  # the first time: the data dir's file goes into the database
    assert state.data == before
    state.get("x/terms").update(checked_at="2026-11-30T03:18:00+00:00", error=None)
    state.save()

    replica = make_settings(tmp_path / "replica", knowledge, database_url=url)  # another machine
    assert set(sources_state(replica)) == {"BOE-A-2015-11719", "x/terms"}
    assert not (replica.data_dir / "sources-state.json").exists()
    assert status(replica, as_json=True) == 0
    assert json.loads(capsys.readouterr().out)["x/terms"]["checked_at"] == "2026-11-30T03:18:00+00:00"
    assert _sync_times(replica) == {"BOE-A-2015-11719": 1796008620.0, "x/terms": 1796008680.0}


# ----------------------------------------------------------------- readiness, database down


@pytest.mark.postgres
def test_readyz_fails_while_the_database_is_down(tmp_path: Path) -> None:
    from adapters.ops import Metrics, OpsServer, core_checks

    bindir = find_bindir()
    if bindir is None:
        pytest.skip("no PostgreSQL binaries (the session fixture reports it)")
    server = PostgresServer(bindir).start()  # its own server: this test stops it
    try:
        url = server.create_database("readyz")
        feedback, idempotency = FeedbackStore(url, salt="sal"), IdempotencyStore(url)
        checks = core_checks(object(), feedback=feedback, idempotency=idempotency)
        with OpsServer(Metrics(), checks, host="127.0.0.1", port=0) as ops, httpx.Client(timeout=15) as http:
            ready = http.get(f"http://127.0.0.1:{ops.port}/readyz")
            assert ready.status_code == 200 and ready.json() == {"ready": True, "failing": {}}
            server.stop()
            down = http.get(f"http://127.0.0.1:{ops.port}/readyz")
            assert down.status_code == 503
            assert down.json()["failing"] == {"feedback": "DatabaseError", "idempotency": "DatabaseError"}
            assert http.get(f"http://127.0.0.1:{ops.port}/healthz").text == "ok"  # alive, not ready
        with pytest.raises(DatabaseError):
            idempotency.claim("slack:event:EvX")
    finally:
        server.stop()
        from bot.database import _server_engines

        for key in [k for k in _server_engines if f":{server.port}/" in k]:
            _server_engines.pop(key).dispose()


@pytest.mark.postgres
def test_a_second_sync_on_another_machine_does_nothing_while_one_runs(
    pg_database: str,
    tmp_path: Path,
    knowledge: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from bot.cli import main
    from bot.sources.cli import LOCK_FILE

    (knowledge / "sources.toml").write_text('[[ley]]\nid = "BOE-A-2015-11719"\n', encoding="utf-8")
    monkeypatch.setenv("BOT_DATA_DIR", str(tmp_path / "otra-maquina"))  # not the first one's data dir
    monkeypatch.setenv("BOT_KNOWLEDGE_DIR", str(knowledge))
    monkeypatch.setenv("BOT_DATABASE_URL", pg_database)
    with Database(pg_database).try_lock(LOCK_FILE) as first:  # a sync running on the first machine
        assert first
        assert main(["sources", "sync", "--no-index"]) == 0
        assert (
            capsys.readouterr().out.strip().splitlines()[-1] == "sources sync: omitida, otra sincronización en marcha"
        )
        with Database(pg_database).try_lock(LOCK_FILE) as second:
            assert not second
    with Database(pg_database).try_lock(LOCK_FILE) as again:  # released
        assert again
