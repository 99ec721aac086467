"""The feedback store shared by all adapters: 👍/👎 votes and comments on answers.

Private by default. SQLite under ``BOT_DATA_DIR``, readable only by its owner (0600). For each
answer it keeps a keyed hash of the question (to count repeats, never to read it), the
verdict, the rules applied, the citations and the time taken; chat user ids only as keyed
hashes. The key is a random salt made on first use and kept in the data dir
(:func:`load_salt`), so the hashes cannot be reversed by trying every user id.

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
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Literal, TextIO

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

_SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    ref TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    platform TEXT NOT NULL,
    question_hash TEXT NOT NULL,
    verdict TEXT NOT NULL,
    rules TEXT NOT NULL,
    citations TEXT NOT NULL,
    total_ms REAL
);
CREATE TABLE IF NOT EXISTS votes (
    answer_ref TEXT NOT NULL REFERENCES answers(ref) ON DELETE CASCADE,
    user_hash TEXT NOT NULL,
    vote TEXT NOT NULL CHECK (vote IN ('up', 'down')),
    comment TEXT,
    question TEXT,
    draft TEXT,
    voted_at TEXT NOT NULL,
    PRIMARY KEY (answer_ref, user_hash)
);
"""

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


class FeedbackStore:
    """Votes and comments, safe to use from several threads and processes."""

    def __init__(self, path: Path, *, salt: str | None = None, retention_days: int | None = None) -> None:
        """``salt``: the key of the hashes (by default the data dir's, see :func:`load_salt`);
        ``retention_days``: delete what is older at start (``None``: keep)."""
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._key = (salt or load_salt(path.parent)).encode()
        self.retention_days = retention_days
        self._texts: OrderedDict[str, tuple[float, str | None, str | None]] = OrderedDict()
        self._texts_lock = threading.Lock()
        if not path.exists():
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        path.chmod(0o600)
        with self._connect() as con:
            _migrate(con)
            con.executescript(_SCHEMA)
        if retention_days is not None:
            self.purge(retention_days)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path, timeout=10)) as con, con:
            con.row_factory = sqlite3.Row
            con.execute("PRAGMA foreign_keys = ON")
            con.execute("PRAGMA secure_delete = ON")  # deleted text is overwritten, not left in free pages
            yield con

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
        with self._connect() as con:
            con.execute(
                "INSERT INTO answers VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    ref,
                    _now(),
                    platform,
                    self.hash_question(answer.question, answer.draft),
                    answer.verdict.value,
                    json.dumps(answer.rules, ensure_ascii=False),
                    json.dumps(citations, ensure_ascii=False),
                    answer.timings_ms.get("total"),
                ),
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
        with self._connect() as con:
            updated = con.execute(
                "UPDATE votes SET comment = ?, question = COALESCE(?, question), draft = COALESCE(?, draft) "
                "WHERE answer_ref = ? AND user_hash = ?",
                (text or None, question, draft, answer_ref, self.hash_user(platform, user_id)),
            ).rowcount
        if not updated:
            raise FeedbackError("no hay un voto al que añadir el comentario")

    def _store_vote(self, answer_ref: str, platform: str, user_id: str, vote: Vote, *, comment: str | None) -> None:
        """Insert the vote, or on an existing one change the vote (no comment) or set the comment."""
        if vote not in ("up", "down"):
            raise FeedbackError(f"voto no válido: {vote!r}")
        question, draft = self._take_text(answer_ref) if comment else (None, None)
        update = (
            "comment = excluded.comment, question = COALESCE(excluded.question, question), "
            "draft = COALESCE(excluded.draft, draft)"
            if comment
            else "vote = excluded.vote, voted_at = excluded.voted_at"
        )
        with self._connect() as con:
            if con.execute("SELECT 1 FROM answers WHERE ref = ?", (answer_ref,)).fetchone() is None:
                raise FeedbackError(f"respuesta desconocida: {answer_ref!r}")
            con.execute(
                # ``update`` is one of the two literals above; every value is a bound parameter.
                "INSERT INTO votes (answer_ref, user_hash, vote, voted_at, comment, question, draft) "  # noqa: S608
                f"VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (answer_ref, user_hash) DO UPDATE SET {update}",
                (answer_ref, self.hash_user(platform, user_id), vote, _now(), comment, question, draft),
            )

    def purge(self, days: int) -> int:
        """Delete answers and votes older than ``days`` days; returns how many answers went."""
        if days < 0:
            raise FeedbackError("los días de retención no pueden ser negativos")
        cutoff = (dt.datetime.now(dt.UTC) - dt.timedelta(days=days)).isoformat(timespec="seconds")
        with self._connect() as con:
            con.execute("DELETE FROM votes WHERE voted_at < ?", (cutoff,))
            gone = con.execute("DELETE FROM answers WHERE created_at < ?", (cutoff,)).rowcount
        return gone

    def rows(self) -> list[dict[str, str | None]]:
        """Every vote with its answer, oldest first."""
        with self._connect() as con:
            cursor = con.execute(
                "SELECT v.voted_at, a.platform, v.user_hash, v.vote, v.comment, v.question, v.draft, a.verdict, "
                "a.rules, a.citations, a.question_hash, v.answer_ref "
                "FROM votes v JOIN answers a ON a.ref = v.answer_ref ORDER BY v.voted_at"
            )
            return [dict(row) for row in cursor.fetchall()]

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
    """The store at ``settings.feedback_db``, with its salt and retention."""
    return FeedbackStore(
        settings.feedback_db, salt=settings.user_hash_salt, retention_days=settings.feedback_retention_days
    )


def _migrate(con: sqlite3.Connection) -> None:
    """A store from before privacy by default kept every question and draft: drop that text."""
    columns = {row[1] for row in con.execute("PRAGMA table_info(answers)")}
    if "question" not in columns:
        return
    con.executescript(
        """
        ALTER TABLE answers RENAME TO answers_old;
        ALTER TABLE votes RENAME TO votes_old;
        """
    )
    con.executescript(_SCHEMA)
    con.execute(
        "INSERT INTO answers SELECT ref, created_at, platform, '', verdict, '[]', citations, NULL FROM answers_old"
    )
    con.execute("INSERT INTO votes SELECT answer_ref, user_hash, vote, comment, NULL, NULL, voted_at FROM votes_old")
    con.executescript("DROP TABLE votes_old; DROP TABLE answers_old; VACUUM;")


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
