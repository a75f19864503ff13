"""The audit trail names the person: the identity provider's subject and the email of staff
who signed in to the console as themselves.

Revision ID: 0008_audit_person
Revises: 0007
Create Date: 2026-12-01

Rows written before keep both empty: they were made with an API key, which `key_id` names.
An email here is staff identity, not patient data, so it is stored as it is.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_audit_person"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("audit_events", sa.Column("subject", sa.String(255), nullable=True))
    op.add_column("audit_events", sa.Column("email", sa.String(320), nullable=True))
    op.create_index("ix_audit_events_subject", "audit_events", ["subject"])


def downgrade() -> None:
    op.drop_index("ix_audit_events_subject", table_name="audit_events")
    with op.batch_alter_table("audit_events") as batch:
        batch.drop_column("email")
        batch.drop_column("subject")
