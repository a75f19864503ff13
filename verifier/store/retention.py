"""Retention: delete verifications (and what hangs off them) older than a number of days."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from verifier.store.tables import (
    OPEN_JOB_STATES,
    change_events,
    idempotency_keys,
    jobs,
    rate_windows,
    verifications,
)

# Longer than any rate-limit window: older counters can no longer refuse anything.
RATE_WINDOWS_KEPT = timedelta(days=1)


def purge(sessions: sessionmaker[Session], older_than_days: int, now: datetime) -> int:
    """Delete verifications created before now − `older_than_days`, with their finished jobs,
    change events and idempotency keys; returns how many verifications went. Verifications
    with a job still open are kept. The audit trail is kept: it holds no PHI. Rate-limit
    counters over a day old go too, whatever `older_than_days` says."""
    cutoff = now - timedelta(days=older_than_days)
    open_ids = select(jobs.c.verification_id).where(jobs.c.state.in_(OPEN_JOB_STATES))
    old = select(verifications.c.id).where(
        verifications.c.created_at < cutoff, verifications.c.id.not_in(open_ids)
    )
    with sessions() as s, s.begin():
        ids = [row[0] for row in s.execute(old)]
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            s.execute(delete(change_events).where(change_events.c.verification_id.in_(chunk)))
            s.execute(
                delete(change_events).where(change_events.c.previous_verification_id.in_(chunk))
            )
            s.execute(delete(idempotency_keys).where(idempotency_keys.c.verification_id.in_(chunk)))
            s.execute(delete(jobs).where(jobs.c.verification_id.in_(chunk)))
            s.execute(delete(verifications).where(verifications.c.id.in_(chunk)))
        stale = int((now - RATE_WINDOWS_KEPT).timestamp())
        s.execute(delete(rate_windows).where(rate_windows.c.window_start < stale))
    return len(ids)
