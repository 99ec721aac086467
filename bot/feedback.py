"""The feedback store shared by all adapters: 👍/👎 votes and comments on answers.

SQLite under ``BOT_DATA_DIR``. Chat user ids are stored only as salted SHA-256 hashes. An
adapter first :meth:`FeedbackStore.remember` s each answer it sends (question, verdict,
citations) and puts the returned reference in its buttons; a vote then points to it.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Literal, TextIO

from bot.models import Answer

Vote = Literal["up", "down"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    ref TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    platform TEXT NOT NULL,
    question TEXT NOT NULL,
    draft TEXT,
    verdict TEXT NOT NULL,
    citations TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS votes (
    answer_ref TEXT NOT NULL REFERENCES answers(ref),
    user_hash TEXT NOT NULL,
    vote TEXT NOT NULL CHECK (vote IN ('up', 'down')),
    comment TEXT,
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
    "verdict",
    "citations",
    "answer_ref",
]


class FeedbackError(ValueError):
    """A vote refers to an unknown answer, or a value is invalid."""


class FeedbackStore:
    """Votes and comments, safe to use from several threads and processes."""

    def __init__(self, path: Path, *, salt: str = "puedo-publicar") -> None:
        self.path = path
        self.salt = salt
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as con:
            con.executescript(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path, timeout=10)) as con, con:
            con.row_factory = sqlite3.Row
            yield con

    def hash_user(self, platform: str, user_id: str) -> str:
        """The only form in which a user id is stored."""
        return hashlib.sha256(f"{self.salt}|{platform}|{user_id}".encode()).hexdigest()[:32]

    def remember(self, platform: str, answer: Answer) -> str:
        """Store what a vote on this answer will refer to; returns a short reference for buttons."""
        ref = secrets.token_hex(8)
        citations = [c.brief() for c in answer.citations]
        with self._connect() as con:
            con.execute(
                "INSERT INTO answers VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    ref,
                    _now(),
                    platform,
                    answer.question,
                    answer.draft,
                    answer.verdict.value,
                    json.dumps(citations, ensure_ascii=False),
                ),
            )
        return ref

    def vote(self, answer_ref: str, platform: str, user_id: str, vote: Vote) -> None:
        """Record (or change) a user's vote on an answer."""
        self._store_vote(answer_ref, platform, user_id, vote, comment=None)

    def comment(self, answer_ref: str, platform: str, user_id: str, text: str, *, vote: Vote | None = None) -> None:
        """Attach a short comment to the user's vote (a 👎 with an explanation).

        With ``vote``, a comment that arrives before its vote is stored records that vote too;
        without it, there must be a vote already.
        """
        text = text.strip()[:2000]
        if vote is not None:
            self._store_vote(answer_ref, platform, user_id, vote, comment=text or None)
            return
        with self._connect() as con:
            updated = con.execute(
                "UPDATE votes SET comment = ? WHERE answer_ref = ? AND user_hash = ?",
                (text or None, answer_ref, self.hash_user(platform, user_id)),
            ).rowcount
        if not updated:
            raise FeedbackError("no hay un voto al que añadir el comentario")

    def _store_vote(self, answer_ref: str, platform: str, user_id: str, vote: Vote, *, comment: str | None) -> None:
        """Insert the vote, or on an existing one change the vote (no comment) or set the comment."""
        if vote not in ("up", "down"):
            raise FeedbackError(f"voto no válido: {vote!r}")
        update = "comment = excluded.comment" if comment else "vote = excluded.vote, voted_at = excluded.voted_at"
        with self._connect() as con:
            if con.execute("SELECT 1 FROM answers WHERE ref = ?", (answer_ref,)).fetchone() is None:
                raise FeedbackError(f"respuesta desconocida: {answer_ref!r}")
            con.execute(
                "INSERT INTO votes (answer_ref, user_hash, vote, voted_at, comment) VALUES (?, ?, ?, ?, ?) "
                f"ON CONFLICT (answer_ref, user_hash) DO UPDATE SET {update}",
                (answer_ref, self.hash_user(platform, user_id), vote, _now(), comment),
            )

    def rows(self) -> list[dict[str, str | None]]:
        """Every vote with its answer, oldest first."""
        with self._connect() as con:
            cursor = con.execute(
                "SELECT v.voted_at, a.platform, v.user_hash, v.vote, v.comment, a.question, a.verdict, "
                "a.citations, v.answer_ref FROM votes v JOIN answers a ON a.ref = v.answer_ref ORDER BY v.voted_at"
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
                record = {**row, "citations": json.loads(row["citations"] or "[]")}
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            raise FeedbackError(f"formato no admitido: {fmt!r} (csv o jsonl)")
        return len(rows)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
