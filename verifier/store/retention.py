"""Retention: delete verifications (and what hangs off them) older than a number of days."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Column, delete, or_, select
from sqlalchemy.orm import Session, sessionmaker

from verifier.store.engine import chunks
from verifier.store.tables import OPEN_JOB_STATES, jobs, metadata, rate_windows, verifications

# Longer than any rate-limit window: older counters can no longer refuse anything.
RATE_WINDOWS_KEPT = timedelta(days=1)


def hanging_off_verifications() -> list[Column[str]]:
    """Every column outside `verifications` that names one (`...verification_id`): the rows
    purge deletes with their verification. Found from the schema, so a table added later that
    names verifications this way is purged with them without anyone remembering to."""
    return [
        column
        for table in metadata.sorted_tables
        if table is not verifications
        for column in table.c
        if column.name.endswith("verification_id")
    ]


def purge(sessions: sessionmaker[Session], older_than_days: int, now: datetime) -> int:
    """Delete verifications created before now − `older_than_days`, with every row that hangs
    off them (jobs, change events either side, idempotency keys, phone facts, ...); returns how
    many verifications went. Verifications with a job still open are kept. The audit trail is
    kept: it holds no PHI. Rate-limit counters over a day old go too, whatever
    `older_than_days` says."""
    cutoff = now - timedelta(days=older_than_days)
    open_ids = select(jobs.c.verification_id).where(jobs.c.state.in_(OPEN_JOB_STATES))
    old = select(verifications.c.id).where(
        verifications.c.created_at < cutoff, verifications.c.id.not_in(open_ids)
    )
    with sessions() as s, s.begin():
        ids = [row[0] for row in s.execute(old)]
        dependents = _by_table(hanging_off_verifications())
        for chunk in chunks(ids):
            for table, columns in dependents.items():
                s.execute(delete(table).where(or_(*(c.in_(chunk) for c in columns))))
            s.execute(delete(verifications).where(verifications.c.id.in_(chunk)))
        stale = int((now - RATE_WINDOWS_KEPT).timestamp())
        s.execute(delete(rate_windows).where(rate_windows.c.window_start < stale))
    return len(ids)


def _by_table(columns: list[Column[str]]) -> dict[Any, list[Column[str]]]:
    tables: dict[Any, list[Column[str]]] = {}
    for column in columns:
        tables.setdefault(column.table, []).append(column)
    return tables
