"""Create the verifications table and its indexes.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Single-column indexes, named as SQLAlchemy names `index=True` in tables.py.
INDEXED = ("state", "status", "payer_id", "member_id", "created_at")


def upgrade() -> None:
    op.create_table(
        "verifications",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("status", sa.String(32), nullable=True),
        sa.Column("payer_id", sa.String(64), nullable=False),
        sa.Column("member_id", sa.String(128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("request", sa.JSON(), nullable=False),
        sa.Column("raw_response", sa.Text(), nullable=True),
        sa.Column("response_format", sa.String(32), nullable=True),
        sa.Column("determination", sa.JSON(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("error", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in INDEXED:
        op.create_index(f"ix_verifications_{column}", "verifications", [column])
    op.create_index(
        "ix_verifications_member_id_created_at", "verifications", ["member_id", "created_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_verifications_member_id_created_at", table_name="verifications")
    for column in reversed(INDEXED):
        op.drop_index(f"ix_verifications_{column}", table_name="verifications")
    op.drop_table("verifications")
