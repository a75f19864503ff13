"""The job queue in the database: leases claimed with SELECT … FOR UPDATE SKIP LOCKED.

On PostgreSQL any number of workers on any number of machines share the queue: SKIP LOCKED lets
each claim different rows without waiting. On SQLite the single claiming UPDATE runs under the
database's write lock, which gives the same one-claimer-per-job guarantee on one machine.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, RowMapping, and_, func, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from verifier.ports import Job
from verifier.records import VerificationRecord
from verifier.store.engine import chunks, insert_unless_present, one_statement, transaction
from verifier.store.repository import protector
from verifier.store.tables import OPEN_JOB, jobs

QUEUED, RUNNING, DONE, DEAD = "queued", "running", "done", "dead"


def _job(row: RowMapping | dict[str, Any]) -> Job:
    return Job(**{name: row[name] for name in Job.__dataclass_fields__})


def backoff(attempts: int) -> timedelta:
    """Wait before the next attempt: 30 s, 1 min, 2 min … capped at one hour."""
    return timedelta(seconds=min(3600, 30 * 2 ** max(0, attempts - 1)))


class SqlJobQueue:
    """Enqueue, claim, finish and release jobs; every call is one short transaction."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        *,
        lease_seconds: float = 300.0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._sessions = session_factory
        self.lease = timedelta(seconds=lease_seconds)
        self.clock = clock

    def add(
        self,
        record: VerificationRecord,
        *,
        job_id: str,
        source: str,
        person: str,
        callback_url: str | None = None,
        max_attempts: int = 5,
    ) -> Job | None:
        """Queue a job for `record`, stored pending in the same unit of work. None, inserting
        nothing, when the same `person` (see `person_asked_about`) already has an open job with
        this member id and payer: the open-job index refuses a second, even one a concurrent
        request is inserting, so the check and the insert cannot race."""
        keys = protector(self._sessions)
        values: dict[str, Any] = {
            "id": job_id,
            "verification_id": record.id,
            "member_id": keys.index(record.member_id),
            "payer_id": record.payer_id,
            "person": keys.index(person),
            "source": source,
            "state": QUEUED,
            "attempts": 0,
            "max_attempts": max_attempts,
            "run_after": record.created_at,
            "callback_url": callback_url,
            "created_at": record.created_at,
        }
        with one_statement(self._sessions) as connection:
            if not insert_unless_present(connection, jobs, values):
                return None
        return _job(values | {"last_error": None, "locked_by": None})

    def open_job(self, member_id: str, payer_id: str, person: str) -> Job | None:
        """The person's queued or running job with this member id and payer (found by blind
        indexes: neither the member id nor the person is stored in clear)."""
        keys = protector(self._sessions)
        condition = and_(
            jobs.c.member_id == keys.index(member_id),
            jobs.c.payer_id == payer_id,
            jobs.c.person == keys.index(person),
            text(OPEN_JOB),  # so the partial unique index answers it (see tables.py)
        )
        with transaction(self._sessions) as s:
            row = s.execute(select(jobs).where(condition)).mappings().first()
        return None if row is None else _job(row)

    def claim(self, worker_id: str, limit: int = 1) -> list[Job]:
        """Lease up to `limit` ready jobs: running ones whose lease expired first (they have
        waited longest), then queued ones that are due, each in order of `run_after`."""
        now = self.clock()
        expired = and_(jobs.c.state == RUNNING, jobs.c.lease_expires_at < now)
        due = and_(jobs.c.state == QUEUED, jobs.c.run_after <= now)
        with transaction(self._sessions) as s:
            s.execute(
                update(jobs)
                .where(expired, jobs.c.attempts >= jobs.c.max_attempts)
                .values(state=DEAD, finished_at=now, last_error="lease_expired", locked_by=None)
            )
            # Two claims, not one with OR: each then walks the (state, run_after) index and
            # stops after `limit` rows, where the OR made SQLite read and sort every due job.
            claimed = self._lease(s, expired, limit, worker_id, now)
            if len(claimed) < limit:
                claimed += self._lease(s, due, limit - len(claimed), worker_id, now)
            return claimed

    def _lease(
        self, s: Connection, ready: ColumnElement[bool], limit: int, worker_id: str, now: datetime
    ) -> list[Job]:
        # One UPDATE with the choice as its subquery: atomic under SQLite's write lock, and
        # on PostgreSQL SKIP LOCKED passes over rows another worker is claiming.
        chosen = (
            select(jobs.c.id)
            .where(ready)
            .order_by(jobs.c.run_after)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        claimed = s.execute(
            update(jobs)
            .where(jobs.c.id.in_(chosen.scalar_subquery()))
            .values(
                state=RUNNING,
                attempts=jobs.c.attempts + 1,
                lease_expires_at=now + self.lease,
                locked_by=worker_id,
            )
            .returning(*jobs.c)
        )
        return [_job(row) for row in claimed.mappings()]

    def finish(
        self, job: Job, worker_id: str, error: str | None = None, retryable: bool = False
    ) -> str:
        """Record a job's outcome if its lease is still ours; returns the new state, or
        "lost" when another worker took the job over after our lease expired."""
        now = self.clock()
        values: dict[str, Any] = {"last_error": error, "locked_by": None, "lease_expires_at": None}
        if error is None or not retryable:
            values |= {"state": DONE, "finished_at": now}
        elif job.attempts < job.max_attempts:
            values |= {"state": QUEUED, "run_after": now + backoff(job.attempts)}
        else:
            values |= {"state": DEAD, "finished_at": now}
        mine = and_(jobs.c.id == job.id, jobs.c.state == RUNNING, jobs.c.locked_by == worker_id)
        with transaction(self._sessions) as s:
            row = s.execute(
                update(jobs).where(mine).values(**values).returning(jobs.c.state)
            ).first()
        return "lost" if row is None else str(row[0])

    def release(self, job: Job, worker_id: str) -> None:
        """Give a claimed job back untouched (shutting down before starting it)."""
        mine = and_(jobs.c.id == job.id, jobs.c.state == RUNNING, jobs.c.locked_by == worker_id)
        values = {
            "state": QUEUED,
            "attempts": jobs.c.attempts - 1,
            "locked_by": None,
            "lease_expires_at": None,
        }
        with transaction(self._sessions) as s:
            s.execute(update(jobs).where(mine).values(**values))

    def get(self, job_id: str) -> Job | None:
        with transaction(self._sessions) as s:
            row = s.execute(select(jobs).where(jobs.c.id == job_id)).mappings().first()
        return None if row is None else _job(row)

    def for_verification(self, verification_id: str) -> Job | None:
        with transaction(self._sessions) as s:
            row = s.execute(select(jobs).where(jobs.c.verification_id == verification_id))
            found = row.mappings().first()
        return None if found is None else _job(found)

    def counts(self, job_ids: list[str] | None = None) -> dict[str, int]:
        """How many jobs are in each state (of `job_ids`, however many, or of all)."""
        statement = select(jobs.c.state, func.count()).group_by(jobs.c.state)
        found: Counter[str] = Counter()
        with transaction(self._sessions) as s:
            if job_ids is None:
                found.update({str(state): int(n) for state, n in s.execute(statement)})
            for chunk in chunks(job_ids or []):
                rows = s.execute(statement.where(jobs.c.id.in_(chunk)))
                found.update({str(state): int(n) for state, n in rows})
        return dict(found)
