"""Alembic migrations, run through `ceasefire db` (see ceasefire.db.migrate)."""
