"""The schema's history: Alembic migrations of :data:`bot.database.METADATA`.

``env.py`` runs them on the connection :meth:`bot.database.Database.upgrade` hands it, inside
that connection's transaction (which holds the migration lock); ``versions/`` holds one file
per revision. A new revision: copy the newest file, set ``revision`` and ``down_revision``,
and write ``upgrade()`` for both SQLite and PostgreSQL (``tests/test_database.py`` runs every
migration on both).
"""
