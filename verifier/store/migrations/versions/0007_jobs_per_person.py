"""Fold queued verifications per person asked about, not per member id and payer.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30

Two people on one family member id (a parent and a child) shared one open job, so one was
answered with the other's record. Jobs gain `person`, the blind index of the subscriber, the
patient and the date of service, and the one-open-job index includes it. Jobs open at upgrade
keep an empty `person`: a new request never folds into them, it gets its own job.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN_JOB = "state IN ('queued', 'running')"


def upgrade() -> None:
    op.add_column("jobs", sa.Column("person", sa.String(128), nullable=False, server_default=""))
    op.drop_index("ux_jobs_open_member_payer", table_name="jobs")
    op.create_index(
        "ux_jobs_open_person",
        "jobs",
        ["member_id", "payer_id", "person"],
        unique=True,
        sqlite_where=sa.text(OPEN_JOB),
        postgresql_where=sa.text(OPEN_JOB),
    )


def downgrade() -> None:
    op.drop_index("ux_jobs_open_person", table_name="jobs")
    op.create_index(
        "ux_jobs_open_member_payer",
        "jobs",
        ["member_id", "payer_id"],
        unique=True,
        sqlite_where=sa.text(OPEN_JOB),
        postgresql_where=sa.text(OPEN_JOB),
    )
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("person")
