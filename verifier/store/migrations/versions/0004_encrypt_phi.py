"""Encrypt PHI at rest, replace member ids by their blind index, tag substance-use records.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from verifier.store.tables import protector_of

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ENCRYPTED = ("request", "raw_response", "determination", "summary")


def upgrade() -> None:
    bind = op.get_bind()
    with op.batch_alter_table("verifications") as batch:
        batch.add_column(
            sa.Column("concerns_substance_use", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        for column in ("request", "determination"):
            batch.alter_column(
                column,
                type_=sa.Text(),
                existing_nullable=column == "determination",
                postgresql_using=f"{column}::text",
            )
    _encrypt_existing(bind)


def _encrypt_existing(bind: sa.Connection) -> None:
    """Rows written before this revision hold PHI in clear: encrypt them in place."""
    rows = bind.execute(sa.text(f"SELECT id, member_id, {', '.join(ENCRYPTED)} FROM verifications"))
    existing = rows.mappings().all()
    jobs = bind.execute(sa.text("SELECT id, member_id FROM jobs")).mappings().all()
    changes = bind.execute(sa.text("SELECT id, member_id FROM change_events")).mappings().all()
    if not (existing or jobs or changes):
        return
    keys = protector_of(bind.dialect)
    for row in existing:
        values = {
            name: keys.encrypt(row[name] if isinstance(row[name], str) else json.dumps(row[name]))
            for name in ENCRYPTED
            if row[name] is not None
        }
        values["member_id"] = keys.index(row["member_id"])
        assignments = ", ".join(f"{name} = :{name}" for name in values)
        bind.execute(sa.text(f"UPDATE verifications SET {assignments} WHERE id = :id"),
                     {**values, "id": row["id"]})
    for table, table_rows in (("jobs", jobs), ("change_events", changes)):
        for row in table_rows:
            bind.execute(sa.text(f"UPDATE {table} SET member_id = :m WHERE id = :id"),
                         {"m": keys.index(row["member_id"]), "id": row["id"]})


def downgrade() -> None:
    raise NotImplementedError("encrypted PHI is not decrypted back into clear text")
