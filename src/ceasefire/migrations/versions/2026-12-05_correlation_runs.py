"""correlation runs as jobs

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 07:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import ceasefire.db.types

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "correlation_run",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("requested_by", sa.String(length=120), nullable=False),
        sa.Column("via", sa.String(length=10), nullable=False),
        sa.Column("started_at", ceasefire.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", ceasefire.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "summary",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("error", sa.String(length=2000), nullable=True),
        sa.Column("created_at", ceasefire.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_correlation_run")),
    )
    with op.batch_alter_table("correlation_run", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_correlation_run_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("correlation_run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_correlation_run_status"))
    op.drop_table("correlation_run")
