"""correlation cell lookup: the primary key of correlation_cell becomes (key, home, entry_id)

A lookup of the index asks for keys and a range of home levels: with home in the primary key it is
one range of the key's index per key, and the entries' ids come from the index alone (no visit of
the table's rows, which was most of the time of a lookup on both databases).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 06:55:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("correlation_cell", schema=None) as batch_op:
        batch_op.drop_constraint("pk_correlation_cell", type_="primary")
        batch_op.create_primary_key("pk_correlation_cell", ["key", "home", "entry_id"])


def downgrade() -> None:
    with op.batch_alter_table("correlation_cell", schema=None) as batch_op:
        batch_op.drop_constraint("pk_correlation_cell", type_="primary")
        batch_op.create_primary_key("pk_correlation_cell", ["key", "entry_id"])
