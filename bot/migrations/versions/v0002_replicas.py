"""Replicas: the sync state and the hash key in the database; indexes for the periodic purges.

``sync_state`` holds ``sources sync``'s record of each source when ``BOT_DATABASE_URL`` is set
(the default layout keeps ``sources-state.json``); ``bot_secrets`` the key of the feedback
hashes, so that every replica hashes a user id alike. The indexes serve the deletes of old
rows (retention, and the claims of past deliveries), which with PostgreSQL may hold millions.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sync_state",
        sa.Column("source", sa.Text, primary_key=True),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("updated_at", sa.Text, nullable=False),
    )
    op.create_table(
        "bot_secrets",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_index("ix_answers_created_at", "answers", ["created_at"])
    op.create_index("ix_votes_voted_at", "votes", ["voted_at"])
    op.create_index("ix_claims_claimed_at", "claims", ["claimed_at"])
