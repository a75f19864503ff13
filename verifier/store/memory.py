"""In-memory stores that behave like the SQL ones where the service can tell: what is saved is
a copy, so a record changed after `add` and never saved again stays as it was stored.

The composition root builds these for `bootstrap(settings, stores=memory_stores())`; the
service's unit tests use them, so a test of a use case fails when the use case stops writing.
"""

from __future__ import annotations

import copy
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from verifier.domain.changes import Change
from verifier.intake import local_today, service_date
from verifier.ports import AuditQuery, ChangeLog, ChangeQuery, Idempotency, Job, JobQueue, Stores
from verifier.records import (
    COMPLETE,
    RecordPage,
    RecordQuery,
    VerificationRecord,
    VerificationRepository,
)
from verifier.security.keys import ApiKey, NewKey, digest
from verifier.store.memory_intake import MemoryIntakeFollowUps
from verifier.store.phone import fact_row
from verifier.store.queue import DEAD, DONE, QUEUED, RUNNING, backoff
from verifier.store.reverifications import outcome


class RecordMissing(LookupError):
    """`save` of a record never added."""


class MemoryRepository:
    def __init__(self) -> None:
        self._records: dict[str, VerificationRecord] = {}
        self._lock = threading.Lock()

    def add(self, record: VerificationRecord) -> None:
        with self._lock:
            self._records[record.id] = copy.deepcopy(record)

    def save(self, record: VerificationRecord) -> None:
        with self._lock:
            if record.id not in self._records:
                raise RecordMissing(record.id)
            self._records[record.id] = copy.deepcopy(record)

    def get(self, record_id: str) -> VerificationRecord | None:
        found = self._records.get(record_id)
        return None if found is None else copy.deepcopy(found)

    def find(self, query: RecordQuery) -> RecordPage:
        matching = [
            r
            for r in self._records.values()
            if query.member_id in (None, r.member_id)
            and query.payer_id in (None, r.payer_id)
            and query.status in (None, r.status)
            and query.state in (None, r.state)
            and (query.created_from is None or r.created_at.date() >= query.created_from)
            and (query.created_to is None or r.created_at.date() <= query.created_to)
        ]
        matching.sort(key=lambda r: (r.created_at, r.id), reverse=True)
        page = matching[query.offset : query.offset + query.limit]
        return RecordPage([copy.deepcopy(r) for r in page], len(matching))

    def previous_complete(self, record: VerificationRecord) -> tuple[str, dict[str, Any]] | None:
        earlier = [
            r
            for r in self._records.values()
            if r.member_id == record.member_id
            and r.payer_id == record.payer_id
            and r.state == COMPLETE
            and r.id != record.id
            and r.created_at <= record.created_at
        ]
        if not earlier:
            return None
        latest = max(earlier, key=lambda r: (r.created_at, r.id))
        return latest.id, copy.deepcopy(latest.determination or {})

    def ping(self) -> None:
        pass

    def forget(self, ids: list[str]) -> int:
        with self._lock:
            return sum(self._records.pop(i, None) is not None for i in ids)


class MemoryJobQueue:
    """One open job per person asked about, member and payer, as the SQL queue keeps."""

    def __init__(
        self,
        *,
        lease_seconds: float = 300.0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._jobs: dict[str, tuple[Job, str]] = {}
        self._lease = lease_seconds
        self._leases: dict[str, datetime] = {}
        self.clock = clock
        self._lock = threading.Lock()

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
        with self._lock:
            if self.open_job(record.member_id, record.payer_id, person) is not None:
                return None
            job = Job(
                job_id,
                record.id,
                record.member_id,
                record.payer_id,
                source,
                QUEUED,
                0,
                max_attempts,
                record.created_at,
                callback_url,
            )
            self._jobs[job_id] = (job, person)
            return replace(job)

    def open_job(self, member_id: str, payer_id: str, person: str) -> Job | None:
        for job, asked in self._jobs.values():
            key = (job.member_id, job.payer_id, asked)
            if key == (member_id, payer_id, person) and job.state in (QUEUED, RUNNING):
                return replace(job)
        return None

    def claim(self, worker_id: str, limit: int = 1) -> list[Job]:
        now = self.clock()
        with self._lock:
            ready = [j for j, _ in self._jobs.values() if j.state == QUEUED and j.run_after <= now]
            claimed = []
            for job in sorted(ready, key=lambda j: j.run_after)[:limit]:
                job.state, job.attempts, job.locked_by = RUNNING, job.attempts + 1, worker_id
                claimed.append(replace(job))
            return claimed

    def finish(
        self, job: Job, worker_id: str, error: str | None = None, retryable: bool = False
    ) -> str:
        with self._lock:
            held, _ = self._jobs[job.id]
            if held.state != RUNNING or held.locked_by != worker_id:
                return "lost"
            held.last_error, held.locked_by = error, None
            if error is None or not retryable:
                held.state = DONE
            elif held.attempts < held.max_attempts:
                held.state, held.run_after = QUEUED, self.clock() + backoff(held.attempts)
            else:
                held.state = DEAD
            return held.state

    def release(self, job: Job, worker_id: str) -> None:
        with self._lock:
            held, _ = self._jobs[job.id]
            if held.state == RUNNING and held.locked_by == worker_id:
                held.state, held.attempts, held.locked_by = QUEUED, held.attempts - 1, None

    def get(self, job_id: str) -> Job | None:
        found = self._jobs.get(job_id)
        return None if found is None else replace(found[0])

    def for_verification(self, verification_id: str) -> Job | None:
        for job, _ in self._jobs.values():
            if job.verification_id == verification_id:
                return replace(job)
        return None

    def counts(self, job_ids: list[str] | None = None) -> dict[str, int]:
        counted: dict[str, int] = {}
        for job, _ in self._jobs.values():
            if job_ids is None or job.id in job_ids:
                counted[job.state] = counted.get(job.state, 0) + 1
        return counted


class MemoryChangeLog:
    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def replace(
        self,
        verification_id: str,
        previous_id: str,
        member_id: str,
        payer_id: str,
        changes: Sequence[Change],
        now: datetime,
    ) -> None:
        self.events = [e for e in self.events if e["verification_id"] != verification_id]
        for change in changes:
            self.events.append(
                {
                    "id": uuid.uuid4().hex,
                    "verification_id": verification_id,
                    "previous_verification_id": previous_id,
                    "member_id": member_id,
                    "payer_id": payer_id,
                    "kind": change.kind,
                    "summary": change.summary,
                    "before": copy.deepcopy(change.before),
                    "after": copy.deepcopy(change.after),
                    "created_at": now,
                }
            )

    def find(self, query: ChangeQuery) -> tuple[list[dict[str, Any]], int]:
        found = [
            e
            for e in reversed(self.events)
            if query.member_id in (None, e["member_id"]) and query.kind in (None, e["kind"])
        ]
        return copy.deepcopy(found[query.offset : query.offset + query.limit]), len(found)

    def recent(self, kinds: Sequence[str], since: datetime, limit: int) -> list[dict[str, Any]]:
        found = [
            e for e in reversed(self.events) if e["kind"] in kinds and e["created_at"] >= since
        ]
        return copy.deepcopy(found[:limit])


class MemoryKeyStore:
    def __init__(self) -> None:
        self._keys: dict[str, tuple[ApiKey, str]] = {}

    def add(self, new: NewKey) -> None:
        self._keys[new.key.id] = (new.key, digest(new.token))

    def by_token(self, token: str) -> ApiKey | None:
        wanted = digest(token)
        for key, hashed in self._keys.values():
            if hashed == wanted and key.revoked_at is None:
                return key
        return None

    def all(self) -> list[ApiKey]:
        return [key for key, _ in self._keys.values()]

    def revoke(self, key_id: str, now: datetime) -> bool:
        found = self._keys.get(key_id)
        if found is None or found[0].revoked_at is not None:
            return False
        self._keys[key_id] = (replace(found[0], revoked_at=now), found[1])
        return True

    def count(self) -> int:
        return len(self._keys)


class MemoryAuditLog:
    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def append(self, **event: Any) -> None:
        self.events.append({"id": uuid.uuid4().hex, **copy.deepcopy(event)})

    def find(self, query: AuditQuery) -> tuple[list[dict[str, Any]], int]:
        found = [
            e
            for e in reversed(self.events)
            if query.key_id in (None, e.get("key_id"))
            and query.resource_id in (None, e.get("resource_id"))
            and query.action in (None, e.get("action"))
        ]
        return copy.deepcopy(found[query.offset : query.offset + query.limit]), len(found)


class MemoryIdempotency:
    def __init__(self) -> None:
        self._seen: dict[tuple[str, str], tuple[str, str]] = {}

    def get(self, key_id: str, idempotency_key: str) -> tuple[str, str] | None:
        return self._seen.get((key_id, idempotency_key))

    def remember(
        self, key_id: str, idempotency_key: str, body_hash: str, verification_id: str, now: datetime
    ) -> bool:
        return self._seen.setdefault((key_id, idempotency_key), (body_hash, verification_id)) == (
            body_hash,
            verification_id,
        )


class MemoryPhoneFacts:
    def __init__(self) -> None:
        self._facts: list[dict[str, Any]] = []

    def add(
        self,
        verification_id: str,
        facts: dict[str, Any],
        by: str | None,
        by_name: str | None,
        now: datetime,
    ) -> dict[str, Any]:
        row = fact_row(verification_id, copy.deepcopy(facts), by, by_name, now)
        self._facts.append(row)
        return copy.deepcopy(row)

    def for_verifications(self, ids: list[str]) -> dict[str, list[dict[str, Any]]]:
        found: dict[str, list[dict[str, Any]]] = {i: [] for i in ids}
        for row in self._facts:
            if row["verification_id"] in found:
                found[row["verification_id"]].append(copy.deepcopy(row))
        return found


class MemoryRateLimits:
    """Never refuses: one process's tests have no limits to share."""

    def allow(self, bucket: str, limit: int) -> float | None:
        return None


class MemoryReverifications:
    """Due members and outcomes over the in-memory repository and change log."""

    def __init__(self, repository: MemoryRepository, changes: MemoryChangeLog) -> None:
        self._repository, self._changes = repository, changes

    def due(
        self,
        *,
        now: datetime,
        older_than: timedelta | None,
        admission_within: timedelta | None,
        payer_id: str | None = None,
        limit: int | None = None,
    ) -> list[VerificationRecord]:
        latest: dict[tuple[str, str], VerificationRecord] = {}
        for record in self._repository.find(RecordQuery(limit=10**9)).items:
            if payer_id in (None, record.payer_id):
                latest.setdefault((record.member_id, record.payer_id), record)
        today, due = local_today(now), []
        for record in sorted(latest.values(), key=lambda r: (r.created_at, r.id)):
            when = service_date(record.request)
            near = admission_within is not None and when is not None
            near = near and today <= when <= today + admission_within  # type: ignore[operator]
            if near or (older_than is not None and record.created_at < now - older_than):
                due.append(record)
        return due[:limit] if limit else due

    def outcomes(self, ids: Sequence[str]) -> tuple[Counter[str], Counter[str]]:
        ended: Counter[str] = Counter()
        for record_id in ids:
            record = self._repository.get(record_id)
            if record is not None:
                ended[outcome(record.state, record.status, record.error)] += 1
        kinds = Counter(e["kind"] for e in self._changes.events if e["verification_id"] in ids)
        return ended, kinds


class MemoryMaintenance:
    """Purge over the in-memory repository; nothing here is encrypted, so nothing to rotate."""

    def __init__(self, repository: MemoryRepository) -> None:
        self._repository = repository

    def purge(self, older_than_days: int, now: datetime) -> int:
        cutoff = now - timedelta(days=older_than_days)
        old = [r.id for r in self._repository.find(RecordQuery(limit=10**9)).items]
        old = [i for i in old if (r := self._repository.get(i)) and r.created_at < cutoff]
        return self._repository.forget(old)

    def rotate_data(self) -> int:
        return 0


class MemoryUnitOfWork:
    """Rolls back like a transaction: what its stores held when it opened comes back unless it
    commits. Units run one at a time (as SQLite's write lock makes them); a store written
    outside any unit while one is open loses that write if the unit rolls back."""

    # The attribute of each store that holds what it stores.
    _HELD = (
        ("verifications", "_records"),
        ("jobs", "_jobs"),
        ("changes", "events"),
        ("idempotency", "_seen"),
    )

    def __init__(
        self,
        lock: threading.RLock,
        *,
        verifications: MemoryRepository,
        jobs: MemoryJobQueue,
        changes: MemoryChangeLog,
        idempotency: MemoryIdempotency,
    ) -> None:
        self._lock = lock
        self.verifications: VerificationRepository = verifications
        self.jobs: JobQueue = jobs
        self.changes: ChangeLog = changes
        self.idempotency: Idempotency = idempotency
        self._before: list[tuple[object, str, Any]] | None = None

    def __enter__(self) -> MemoryUnitOfWork:
        self._lock.acquire()
        stores = [(getattr(self, store), held) for store, held in self._HELD]
        self._before = [(s, held, copy.deepcopy(getattr(s, held))) for s, held in stores]
        return self

    def commit(self) -> None:
        if self._before is None:
            raise RuntimeError("the unit of work is not open")
        self._before = None
        self._lock.release()

    def __exit__(self, kind: Any, error: Any, trace: Any) -> None:
        if self._before is None:
            return  # committed
        for store, held, value in self._before:
            setattr(store, held, value)
        self._before = None
        self._lock.release()


def memory_stores(clock: Callable[[], datetime] | None = None) -> Stores:
    """Fresh in-memory stores, with units of work over the ones a use case writes together."""
    repository = MemoryRepository()
    queue = MemoryJobQueue(clock=clock) if clock else MemoryJobQueue()
    changes = MemoryChangeLog()
    idempotency = MemoryIdempotency()
    lock = threading.RLock()

    def unit() -> MemoryUnitOfWork:
        return MemoryUnitOfWork(
            lock, verifications=repository, jobs=queue, changes=changes, idempotency=idempotency
        )

    return Stores(
        repository=repository,
        queue=queue,
        changes=changes,
        reverifications=MemoryReverifications(repository, changes),
        maintenance=MemoryMaintenance(repository),
        keys=MemoryKeyStore(),
        audit=MemoryAuditLog(),
        idempotency=idempotency,
        phone=MemoryPhoneFacts(),
        limits=MemoryRateLimits(),
        intake=MemoryIntakeFollowUps(repository, queue),
        unit=unit,
    )
