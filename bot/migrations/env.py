"""The Alembic environment: migrate the connection :mod:`bot.database` passes in.

No ``alembic.ini`` and no logging configuration: :meth:`bot.database.Database.upgrade` builds
the configuration, opens the transaction and takes the lock; this only runs the migrations
inside that transaction.
"""

from __future__ import annotations

from alembic import context

from bot.database import METADATA

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run the migrations with `puedo-publicar db upgrade` (bot.database), not the alembic command")

context.configure(connection=connection, target_metadata=METADATA, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
