"""Claim holders: each claim names the process that holds it.

A claim whose holder is known to be gone (its PostgreSQL session ended; on SQLite, its pid no
longer runs on this host) is taken over by the next delivery at once instead of after the lease
(see :mod:`bot.idempotency`). Claims from before have no holder: the lease frees them, as before.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("claims", sa.Column("holder", sa.Text))
