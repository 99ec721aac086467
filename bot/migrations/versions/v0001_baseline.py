"""Baseline: the feedback and claims tables as the SQLite stores made them before migrations.

A data dir from before (tables made with ``CREATE TABLE IF NOT EXISTS``, no version table) is
adopted as it is: only the missing tables are created. A feedback store from before privacy by
default kept every question and draft in ``answers``: its rows are copied without them, and the
vacuum after the migration leaves no trace of the texts in the file.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context, op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _answers(name: str = "answers") -> None:
    op.create_table(
        name,
        sa.Column("ref", sa.Text, primary_key=True),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("platform", sa.Text, nullable=False),
        sa.Column("question_hash", sa.Text, nullable=False),
        sa.Column("verdict", sa.Text, nullable=False),
        sa.Column("rules", sa.Text, nullable=False),
        sa.Column("citations", sa.Text, nullable=False),
        sa.Column("total_ms", sa.Float),
    )


def _votes() -> None:
    op.create_table(
        "votes",
        sa.Column("answer_ref", sa.Text, sa.ForeignKey("answers.ref", ondelete="CASCADE"), primary_key=True),
        sa.Column("user_hash", sa.Text, primary_key=True),
        sa.Column("vote", sa.Text, sa.CheckConstraint("vote IN ('up', 'down')"), nullable=False),
        sa.Column("comment", sa.Text),
        sa.Column("question", sa.Text),
        sa.Column("draft", sa.Text),
        sa.Column("voted_at", sa.Text, nullable=False),
    )


def _drop_old_texts() -> None:
    """The pre-privacy store: keep verdicts, citations and votes; drop questions and drafts."""
    op.rename_table("answers", "answers_old")
    op.rename_table("votes", "votes_old")
    _answers()
    _votes()
    op.execute(
        "INSERT INTO answers (ref, created_at, platform, question_hash, verdict, rules, citations, total_ms) "
        "SELECT ref, created_at, platform, '', verdict, '[]', citations, NULL FROM answers_old"
    )
    op.execute(
        "INSERT INTO votes (answer_ref, user_hash, vote, comment, question, draft, voted_at) "
        "SELECT answer_ref, user_hash, vote, comment, NULL, NULL, voted_at FROM votes_old"
    )
    op.drop_table("votes_old")
    op.drop_table("answers_old")
    context.config.attributes.setdefault("results", {})["vacuum"] = True


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    tables = set(inspector.get_table_names())
    if "answers" in tables and "question" in {c["name"] for c in inspector.get_columns("answers")}:
        _drop_old_texts()
        tables |= {"votes"}
    if "answers" not in tables:
        _answers()
    if "votes" not in tables:
        _votes()
    if "claims" not in tables:
        op.create_table(
            "claims",
            sa.Column("key", sa.Text, primary_key=True),
            sa.Column("state", sa.Text, sa.CheckConstraint("state IN ('working', 'done')"), nullable=False),
            sa.Column("claimed_at", sa.Float, nullable=False),
        )
