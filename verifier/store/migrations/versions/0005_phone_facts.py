"""Add phone-verified facts.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from verifier.store.tables import UTCDateTime

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "phone_facts",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("verification_id", sa.String(32), nullable=False),
        sa.Column("added_at", UTCDateTime(), nullable=False),
        sa.Column("added_by", sa.String(32), nullable=True),
        sa.Column("added_by_name", sa.String(100), nullable=True),
        sa.Column("facts", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_phone_facts_verification_id", "phone_facts", ["verification_id"])


def downgrade() -> None:
    op.drop_index("ix_phone_facts_verification_id", table_name="phone_facts")
    op.drop_table("phone_facts")
