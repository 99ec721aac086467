"""The feedback store shared by all adapters: 👍/👎 votes and comments on answers.

Private by default. By default a SQLite file under ``BOT_DATA_DIR``, readable only by its owner
(0600); with ``BOT_DATABASE_URL``, the shared database of every replica (:mod:`bot.database`).
For each answer it keeps a keyed hash of the question (to count repeats, never to read it),
the verdict, the rules applied, the citations and the time taken; chat user ids only as keyed
hashes. The key is a random salt made on first use and kept in the data dir
(:func:`load_salt`) or, in a shared database, in the database itself (:func:`shared_salt`, so
that every replica hashes alike), so the hashes cannot be reversed by trying every user id.

The question and the draft are kept only when a person explains a 👎 with a comment, and only
if the comment arrives while this process still holds them in memory
(:data:`TEXT_MEMORY_SECONDS`), with the personal data the draft screening finds replaced by
its kind («[DNI]»). Everything older than ``retention_days`` is deleted at start and by
``python -m bot feedback purge``.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
import threading
import time
from collections import OrderedDict
from pathlib import Path
from typing import Literal, TextIO

from sqlalchemy import Table, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from bot.database import Database, answers, bot_secrets, database_url, open_database, votes
from bot.draft import detect
from bot.errors import InputError
from bot.models import Answer
from bot.settings import Settings

Vote = Literal["up", "down"]

#: How long an answer's text stays in memory, waiting for a 👎 comment that would keep it.
TEXT_MEMORY_SECONDS = 3600
#: At most this many answers' texts in memory (the oldest go first).
TEXT_MEMORY_MAX = 2000
#: The salt file in the data dir.
SALT_FILE = "user-hash.salt"

#: The database file in the data dir (when ``BOT_DATABASE_URL`` is unset).
DB_FILE = "feedback.sqlite3"
#: The name of the salt in a shared database (:data:`bot.database.bot_secrets`).
SALT_NAME = "user-hash-salt"

EXPORT_FIELDS = [
    "voted_at",
    "platform",
    "user_hash",
    "vote",
    "comment",
    "question",
    "draft",
    "verdict",
    "rules",
    "citations",
    "question_hash",
    "answer_ref",
]


class FeedbackError(InputError, ValueError):
    """A vote refers to an unknown answer, or a value is invalid."""


def load_salt(data_dir: Path) -> str:
    """The data dir's random salt, made (0600) on first use; shared by every process on it."""
    path = data_dir / SALT_FILE
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        salt = path.read_text(encoding="ascii").strip()
        if len(salt) < 32:
            raise FeedbackError(f"{path}: la sal está vacía o es demasiado corta; bórrala para crear otra") from None
        return salt
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(secrets.token_hex(32))
    return path.read_text(encoding="ascii").strip()


def redact(text: str | None) -> str | None:
    """``text`` with every personal datum the draft screening finds replaced by its kind."""
    if not text:
        return text
    out, last = [], 0
    for finding in detect(text):
        if finding.start < last:
            continue
        out.append(text[last : finding.start])
        out.append(f"[{finding.label.upper()}]")
        last = finding.end
    out.append(text[last:])
    return "".join(out)


def shared_salt(database: Database, data_dir: Path | None = None) -> str:
    """The salt every replica on ``database`` shares, made on first use (the first replica's
    wins). A data dir's salt file, when there is one, becomes that salt: the hashes of a
    deployment that moves from its SQLite files to a shared database stay the same."""
    with database.begin() as con:
        row = con.execute(select(bot_secrets.c.value).where(bot_secrets.c.name == SALT_NAME)).first()
        if row is not None:
            return str(row[0])
    salt = secrets.token_hex(32)
    if data_dir is not None and (data_dir / SALT_FILE).is_file():
        salt = load_salt(data_dir)
    with database.begin() as con:
        con.execute(_upsert(database, bot_secrets).values(name=SALT_NAME, value=salt).on_conflict_do_nothing())
        return str(con.execute(select(bot_secrets.c.value).where(bot_secrets.c.name == SALT_NAME)).scalar_one())


def _upsert(database: Database, table: Table) -> sqlite.Insert | postgresql.Insert:
    """An ``INSERT … ON CONFLICT`` for the database's dialect."""
    dialect = postgresql if database.dialect == "postgresql" else sqlite
    return dialect.insert(table)


class FeedbackStore:
    """Votes and comments, safe to use from several threads, processes and machines.

    ``target``: a SQLite file (a path) or a database URL (``postgresql+psycopg://…``).
    """

    def __init__(self, target: Path | str, *, salt: str | None = None, retention_days: int | None = None) -> None:
        """``salt``: the key of the hashes (by default the data dir's, see :func:`load_salt`, or
        the shared database's, :func:`shared_salt`); ``retention_days``: delete what is older at
        start (``None``: keep)."""
        self.database = open_database(target)
        #: The SQLite file, or None in a database server.
        self.path = self.database.path
        if salt is None:
            salt = load_salt(self.path.parent) if self.path is not None else shared_salt(self.database)
        self._key = salt.encode()
        self.retention_days = retention_days
        self._texts: OrderedDict[str, tuple[float, str | None, str | None]] = OrderedDict()
        self._texts_lock = threading.Lock()
        if retention_days is not None:
            self.purge(retention_days)

    def check(self) -> None:
        """Raise unless the database answers (``/readyz``)."""
        self.database.check()

    def _hash(self, *parts: str) -> str:
        return hmac.new(self._key, "|".join(parts).encode(), hashlib.sha256).hexdigest()[:32]

    def hash_user(self, platform: str, user_id: str) -> str:
        """The only form in which a user id is stored."""
        return self._hash("user", platform, user_id)

    def hash_question(self, question: str, draft: str | None = None) -> str:
        """The only form in which a question is stored (unless a 👎 comment keeps it)."""
        return self._hash("question", " ".join(question.split()).casefold(), " ".join((draft or "").split()))

    def remember(self, platform: str, answer: Answer) -> str:
        """Store what a vote on this answer will refer to; returns a short reference for buttons."""
        ref = secrets.token_hex(8)
        citations = [c.brief() for c in answer.citations]
        with self.database.begin() as con:
            con.execute(
                insert(answers).values(
                    ref=ref,
                    created_at=_now(),
                    platform=platform,
                    question_hash=self.hash_question(answer.question, answer.draft),
                    verdict=answer.verdict.value,
                    rules=json.dumps(answer.rules, ensure_ascii=False),
                    citations=json.dumps(citations, ensure_ascii=False),
                    total_ms=answer.timings_ms.get("total"),
                )
            )
        with self._texts_lock:
            self._texts[ref] = (time.monotonic() + TEXT_MEMORY_SECONDS, answer.question, answer.draft)
            self._forget_expired()
        return ref

    def _forget_expired(self) -> None:
        now = time.monotonic()
        while self._texts and (len(self._texts) > TEXT_MEMORY_MAX or next(iter(self._texts.values()))[0] < now):
            self._texts.popitem(last=False)

    def _take_text(self, ref: str) -> tuple[str | None, str | None]:
        with self._texts_lock:
            self._forget_expired()
            entry = self._texts.pop(ref, None)
        if entry is None or entry[0] < time.monotonic():
            return None, None
        return redact(entry[1]), redact(entry[2])

    def vote(self, answer_ref: str, platform: str, user_id: str, vote: Vote) -> None:
        """Record (or change) a user's vote on an answer."""
        self._store_vote(answer_ref, platform, user_id, vote, comment=None)

    def comment(self, answer_ref: str, platform: str, user_id: str, text: str, *, vote: Vote | None = None) -> None:
        """Attach a short comment to the user's vote (a 👎 with an explanation).

        The person chose to tell us something about this answer: the question and the draft
        are kept with the comment (redacted), if this process still has them. With ``vote``,
        a comment that arrives before its vote records that vote too; without it, there must
        be a vote already.
        """
        text = text.strip()[:2000]
        if vote is not None:
            self._store_vote(answer_ref, platform, user_id, vote, comment=text or None)
            return
        question, draft = self._take_text(answer_ref) if text else (None, None)
        with self.database.begin() as con:
            updated = con.execute(
                update(votes)
                .where(votes.c.answer_ref == answer_ref, votes.c.user_hash == self.hash_user(platform, user_id))
                .values(
                    comment=text or None,
                    question=func.coalesce(question, votes.c.question),
                    draft=func.coalesce(draft, votes.c.draft),
                )
            ).rowcount
        if not updated:
            raise FeedbackError("no hay un voto al que añadir el comentario")

    def _store_vote(self, answer_ref: str, platform: str, user_id: str, vote: Vote, *, comment: str | None) -> None:
        """Insert the vote, or on an existing one change the vote (no comment) or set the comment."""
        if vote not in ("up", "down"):
            raise FeedbackError(f"voto no válido: {vote!r}")
        question, draft = self._take_text(answer_ref) if comment else (None, None)
        stmt = _upsert(self.database, votes).values(
            answer_ref=answer_ref,
            user_hash=self.hash_user(platform, user_id),
            vote=vote,
            voted_at=_now(),
            comment=comment,
            question=question,
            draft=draft,
        )
        new = stmt.excluded
        changes = (
            {
                "comment": new.comment,
                "question": func.coalesce(new.question, votes.c.question),
                "draft": func.coalesce(new.draft, votes.c.draft),
            }
            if comment
            else {"vote": new.vote, "voted_at": new.voted_at}
        )
        with self.database.begin() as con:
            if con.execute(select(answers.c.ref).where(answers.c.ref == answer_ref)).first() is None:
                raise FeedbackError(f"respuesta desconocida: {answer_ref!r}")
            con.execute(
                stmt.on_conflict_do_update(index_elements=[votes.c.answer_ref, votes.c.user_hash], set_=changes)
            )

    def purge(self, days: int) -> int:
        """Delete answers and votes older than ``days`` days; returns how many answers went."""
        if days < 0:
            raise FeedbackError("los días de retención no pueden ser negativos")
        cutoff = (dt.datetime.now(dt.UTC) - dt.timedelta(days=days)).isoformat(timespec="seconds")
        with self.database.begin() as con:
            con.execute(delete(votes).where(votes.c.voted_at < cutoff))
            gone = con.execute(delete(answers).where(answers.c.created_at < cutoff)).rowcount
        return int(gone)

    def rows(self) -> list[dict[str, str | None]]:
        """Every vote with its answer, oldest first."""
        query = (
            select(
                votes.c.voted_at,
                answers.c.platform,
                votes.c.user_hash,
                votes.c.vote,
                votes.c.comment,
                votes.c.question,
                votes.c.draft,
                answers.c.verdict,
                answers.c.rules,
                answers.c.citations,
                answers.c.question_hash,
                votes.c.answer_ref,
            )
            .join_from(votes, answers, answers.c.ref == votes.c.answer_ref)
            .order_by(votes.c.voted_at)
        )
        with self.database.begin() as con:
            return [dict(row._mapping) for row in con.execute(query)]

    def export(self, out: TextIO, fmt: Literal["csv", "jsonl"] | str) -> int:
        """Write every vote as CSV or JSON Lines; returns how many."""
        rows = self.rows()
        if fmt == "csv":
            writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS)
            writer.writeheader()
            writer.writerows(rows)
        elif fmt == "jsonl":
            for row in rows:
                record = {
                    **row,
                    "citations": json.loads(row["citations"] or "[]"),
                    "rules": json.loads(row["rules"] or "[]"),
                }
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            raise FeedbackError(f"formato no admitido: {fmt!r} (csv o jsonl)")
        return len(rows)


def feedback_store(settings: Settings) -> FeedbackStore:
    """The store of ``settings``: ``BOT_DATABASE_URL`` or ``feedback.sqlite3`` in the data dir,
    with its salt (``BOT_USER_HASH_SALT``, the database's or the data dir's) and retention."""
    target = database_url(settings, DB_FILE)
    salt = settings.user_hash_salt
    if salt is None and settings.database_url:
        salt = shared_salt(open_database(target), settings.data_dir)
    return FeedbackStore(target, salt=salt, retention_days=settings.feedback_retention_days)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
