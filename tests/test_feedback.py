"""The feedback store keeps no question, draft or user id unless a person leaves a comment.

The behaviour tests run on both databases (the ``target`` fixture): a SQLite file, as in a
data dir, and a real PostgreSQL server (:mod:`tests.helpers.postgres`), as replicas share it.
"""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest
from sqlalchemy import text, update

from bot import feedback as fb
from bot.database import answers
from bot.database import votes as votes_table
from bot.feedback import FeedbackError, FeedbackStore, load_salt, redact
from bot.models import Answer, Verdict
from tests.helpers.postgres import truncate

QUESTION = "¿Puedo subir esto? MARCADOR-PREGUNTA-7781"
DRAFT = "Gracias a Ana López Ruiz, DNI 12345678Z, por todo. MARCADOR-BORRADOR-5521"


def answer(question: str = QUESTION, draft: str | None = DRAFT) -> Answer:
    return Answer(
        question=question,
        draft=draft,
        verdict=Verdict.NO_PERMITIDO,
        answer="No.",
        rules=["Regla 42"],
        timings_ms={"total": 12.5},
    )


def raw(path) -> str:
    return path.read_bytes().decode("utf-8", errors="ignore")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    """Where a store lives: a SQLite file, or an emptied PostgreSQL database."""
    if request.param == "sqlite":
        return tmp_path / "fb.sqlite3"
    url = request.getfixturevalue("pg_database")
    truncate(url)
    return url


def stored(store: FeedbackStore) -> str:
    """Everything the database holds for the store: the SQLite file's bytes (free pages
    included), or every row of every table in PostgreSQL."""
    if store.path is not None:
        return raw(store.path)
    with store.database.begin() as con:
        tables = con.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars().all()
        return "\n".join(
            str(row)
            for table in tables
            for row in con.execute(text(f'SELECT * FROM "{table}"'))  # noqa: S608
        )


def test_an_answer_is_stored_without_its_text_or_the_user_id(target):
    store = FeedbackStore(target)
    ref = store.remember("slack", answer())
    store.vote(ref, "slack", "U0SECRETUSER", "up")
    content = stored(store)
    assert ref in content
    for secret in ("MARCADOR-PREGUNTA", "MARCADOR-BORRADOR", "12345678Z", "U0SECRETUSER"):
        assert secret not in content
    [row] = store.rows()
    assert row["question"] is None and row["draft"] is None
    assert row["verdict"] == "no_permitido" and row["rules"] == '["Regla 42"]'
    assert row["question_hash"] == store.hash_question(QUESTION, DRAFT)  # repeats can be counted


def test_a_down_vote_comment_keeps_the_text_redacted(target):
    store = FeedbackStore(target)
    ref = store.remember("telegram", answer())
    store.vote(ref, "telegram", "42", "down")
    store.comment(ref, "telegram", "42", "El DNI era inventado")
    [row] = store.rows()
    assert row["comment"] == "El DNI era inventado"
    assert "MARCADOR-PREGUNTA-7781" in row["question"]
    assert "12345678Z" not in row["draft"] and "[DNI]" in row["draft"]


def test_text_is_not_kept_once_forgotten_or_by_another_process(target, monkeypatch):
    store = FeedbackStore(target)
    ref = store.remember("slack", answer())
    other = FeedbackStore(target)  # another replica: never saw the text
    other.comment(ref, "slack", "U1", "No me convence", vote="down")
    assert other.rows()[0]["question"] is None
    monkeypatch.setattr(fb, "TEXT_MEMORY_SECONDS", -1)
    ref2 = store.remember("slack", answer())
    store.comment(ref2, "slack", "U2", "Tampoco", vote="down")
    assert [r["question"] for r in store.rows() if r["answer_ref"] == ref2] == [None]


def test_files_are_private_and_the_salt_is_random_and_kept(tmp_path):
    store = FeedbackStore(tmp_path / "fb.sqlite3")
    store.remember("slack", answer())
    salt_file = tmp_path / fb.SALT_FILE
    for path in (tmp_path / "fb.sqlite3", salt_file):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    salt = load_salt(tmp_path)
    assert len(salt) == 64 and salt == load_salt(tmp_path)
    assert load_salt(tmp_path / "otro") != salt
    again = FeedbackStore(tmp_path / "fb.sqlite3")
    assert again.hash_user("telegram", "12345") == store.hash_user("telegram", "12345")
    # A small number (a Telegram id) cannot be found by hashing candidates with a known salt.
    assert FeedbackStore(tmp_path / "x.sqlite3", salt="puedo-publicar").hash_user("telegram", "12345") != (
        store.hash_user("telegram", "12345")
    )


def test_retention_deletes_old_answers_and_votes(target):
    store = FeedbackStore(target)
    old = store.remember("slack", answer())
    store.vote(old, "slack", "U1", "down")
    new = store.remember("slack", answer())
    long_ago = "2020-01-01T00:00:00+00:00"
    with store.database.begin() as con:
        con.execute(update(answers).where(answers.c.ref == old).values(created_at=long_ago))
        con.execute(update(votes_table).where(votes_table.c.answer_ref == old).values(voted_at=long_ago))
    FeedbackStore(target, retention_days=90)  # enforced at start
    with store.database.begin() as con:
        refs = con.execute(answers.select().with_only_columns(answers.c.ref)).scalars().all()
        votes = con.execute(text("SELECT COUNT(*) FROM votes")).scalar_one()
    assert refs == [new] and votes == 0
    with pytest.raises(FeedbackError):
        store.purge(-1)


def test_a_store_from_before_is_migrated_and_its_texts_dropped(tmp_path):
    path = tmp_path / "fb.sqlite3"
    with sqlite3.connect(path) as con:
        con.executescript(
            """
            CREATE TABLE answers (ref TEXT PRIMARY KEY, created_at TEXT NOT NULL, platform TEXT NOT NULL,
                question TEXT NOT NULL, draft TEXT, verdict TEXT NOT NULL, citations TEXT NOT NULL);
            CREATE TABLE votes (answer_ref TEXT NOT NULL, user_hash TEXT NOT NULL, vote TEXT NOT NULL,
                comment TEXT, voted_at TEXT NOT NULL, PRIMARY KEY (answer_ref, user_hash));
            INSERT INTO answers VALUES ('r1', '2026-11-01T00:00:00+00:00', 'slack', 'VIEJA-PREGUNTA-DNI 12345678Z',
                NULL, 'permitido', '[]');
            INSERT INTO votes VALUES ('r1', 'abc', 'up', NULL, '2026-11-01T00:00:00+00:00');
            """
        )
    store = FeedbackStore(path)
    assert "VIEJA-PREGUNTA" not in raw(path)
    [row] = store.rows()
    assert (row["answer_ref"], row["vote"], row["question"]) == ("r1", "up", None)


def test_redact_replaces_each_finding_by_its_kind():
    assert redact("Llama a 612 345 678 o escribe a ana@ejemplo.es") == (
        "Llama a [TELÉFONO] o escribe a [CORREO ELECTRÓNICO]"
    )
    assert redact(None) is None


def test_files_the_cli_creates_in_the_data_dir_are_private(tmp_path, monkeypatch, capsys):
    from bot.cli import main
    from tests.conftest import FIXTURES

    monkeypatch.setenv("BOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BOT_KNOWLEDGE_DIR", str(FIXTURES / "knowledge"))
    assert main(["feedback", "export", "--format", "jsonl"]) == 0
    created = list((tmp_path / "data").rglob("*"))
    assert created
    for path in created:
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path


def test_a_vote_is_stored_once_whichever_replica_records_it(target):
    from concurrent.futures import ThreadPoolExecutor

    first, second = FeedbackStore(target, salt="compartida"), FeedbackStore(target, salt="compartida")
    ref = first.remember("telegram", answer())
    jobs = [(store, vote) for store in (first, second) for vote in ("up", "down", "up")]
    with ThreadPoolExecutor(6) as pool:
        list(pool.map(lambda job: job[0].vote(ref, "telegram", "42", job[1]), jobs))
    [row] = second.rows()
    assert row["answer_ref"] == ref and row["vote"] in ("up", "down")
    with pytest.raises(FeedbackError):
        second.vote("desconocida", "telegram", "42", "up")


@pytest.mark.postgres
def test_replicas_share_one_salt_kept_in_the_database(postgres, tmp_path):
    from bot.feedback import feedback_store
    from tests.conftest import make_settings

    url = postgres.create_database("salt")
    try:
        salt_file = load_salt(tmp_path / "a" / "data")  # a data dir from before: its salt becomes the shared one
        settings_a = make_settings(tmp_path / "a", tmp_path, database_url=url)
        settings_b = make_settings(tmp_path / "b", tmp_path, database_url=url)  # another machine
        on_a, on_b = feedback_store(settings_a), feedback_store(settings_b)
        assert on_a.hash_user("telegram", "12345") == on_b.hash_user("telegram", "12345")
        assert on_a.hash_user("telegram", "12345") == FeedbackStore(tmp_path / "x.sqlite3", salt=salt_file).hash_user(
            "telegram", "12345"
        )
        assert not (tmp_path / "b" / "data" / fb.SALT_FILE).exists()  # nothing written on the other machine
        assert FeedbackStore(url).hash_user("slack", "U1") == on_b.hash_user("slack", "U1")
    finally:
        postgres.drop_database(url)
