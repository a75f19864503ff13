"""Follow up intake submissions: new, contacted or closed, by whom and when.

Revision ID: 0009
Revises: 0008_audit_person
Create Date: 2026-11-30

Intake submissions are the verifications whose job came from the intake endpoint (`jobs.source`
is `intake`); one with no follow-up row is new, so submissions made before this revision need
no data copied: they are new until someone marks them.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from verifier.store.tables import UTCDateTime

revision: str = "0009"
down_revision: str | None = "0008_audit_person"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "intake_follow_ups",
        sa.Column("verification_id", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
        sa.Column("changed_by", sa.String(32), nullable=True),
        sa.Column("changed_by_name", sa.String(100), nullable=True),
        sa.PrimaryKeyConstraint("verification_id"),
    )
    op.create_index("ix_intake_follow_ups_status", "intake_follow_ups", ["status"])
    # The queue lists intake submissions by their job's source.
    op.create_index("ix_jobs_source", "jobs", ["source"])


def downgrade() -> None:
    op.drop_index("ix_jobs_source", table_name="jobs")
    op.drop_index("ix_intake_follow_ups_status", table_name="intake_follow_ups")
    op.drop_table("intake_follow_ups")
