"""The ports the service and its entry points use: what each store must do, not how.

The SQL stores in `verifier/store/` and the in-memory ones in `verifier/store/memory.py` both
satisfy them; `verifier/bootstrap.py` chooses which. Queries live here too, so the API and the
pages ask the audit trail and the change log without importing the store.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from types import TracebackType
from typing import Any, Protocol

from verifier.domain.changes import Change
from verifier.records import VerificationRecord, VerificationRepository
from verifier.security.keys import ApiKey, NewKey


@dataclass(frozen=True, slots=True)
class AuditQuery:
    key_id: str | None = None
    subject: str | None = None
    resource_id: str | None = None
    action: str | None = None
    created_from: date | None = None
    created_to: date | None = None
    limit: int = 100
    offset: int = 0


@dataclass(frozen=True, slots=True)
class ChangeQuery:
    member_id: str | None = None
    kind: str | None = None
    created_from: date | None = None
    created_to: date | None = None
    limit: int = 50
    offset: int = 0


class KeyStore(Protocol):
    def add(self, new: NewKey) -> None: ...

    def by_token(self, token: str) -> ApiKey | None: ...

    def all(self) -> list[ApiKey]: ...

    def revoke(self, key_id: str, now: datetime) -> bool: ...

    def count(self) -> int: ...


class AuditLog(Protocol):
    """Append-only: there is deliberately no way to change or delete an entry."""

    def append(self, **event: Any) -> None: ...

    def find(self, query: AuditQuery) -> tuple[list[dict[str, Any]], int]: ...


class Idempotency(Protocol):
    def get(self, key_id: str, idempotency_key: str) -> tuple[str, str] | None: ...

    def remember(
        self, key_id: str, idempotency_key: str, body_hash: str, verification_id: str, now: datetime
    ) -> bool: ...


class PhoneFacts(Protocol):
    def add(
        self,
        verification_id: str,
        facts: dict[str, Any],
        by: str | None,
        by_name: str | None,
        now: datetime,
    ) -> dict[str, Any]: ...

    def for_verifications(self, ids: list[str]) -> dict[str, list[dict[str, Any]]]: ...


class ChangeLog(Protocol):
    def replace(
        self,
        verification_id: str,
        previous_id: str,
        member_id: str,
        payer_id: str,
        changes: Sequence[Change],
        now: datetime,
    ) -> None: ...

    def find(self, query: ChangeQuery) -> tuple[list[dict[str, Any]], int]: ...

    def recent(self, kinds: Sequence[str], since: datetime, limit: int) -> list[dict[str, Any]]:
        """Events of these kinds created since `since`, newest first, at most `limit`."""
        ...


@dataclass(frozen=True, slots=True)
class IntakeItem:
    """One intake submission: its verification (request with contact and consent, and the
    outcome) and where staff are with it. `changed_at` and `changed_by` are None while new."""

    record: VerificationRecord
    status: str
    changed_at: datetime | None = None
    changed_by: str | None = None


class IntakeFollowUps(Protocol):
    """Intake submissions (verifications whose job came from the intake endpoint) and staff's
    follow-up of each: new (no follow-up yet), contacted or closed."""

    def find(self, status: str | None, limit: int, offset: int) -> tuple[list[IntakeItem], int]: ...

    def mark(
        self, verification_id: str, status: str, by: str | None, by_name: str | None, at: datetime
    ) -> bool:
        """False when no intake submission has this id."""
        ...


class RateLimits(Protocol):
    def allow(self, bucket: str, limit: int) -> float | None:
        """None when allowed (and counted), else the seconds to wait."""
        ...


@dataclass(slots=True)
class Job:
    """A queued verification: which record it completes, and how its tries are going."""

    id: str
    verification_id: str
    member_id: str
    payer_id: str
    source: str
    state: str
    attempts: int
    max_attempts: int
    run_after: datetime
    callback_url: str | None = None
    last_error: str | None = None
    locked_by: str | None = None


class JobQueue(Protocol):
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
        """Queue a job for `record`, a pending verification stored in the same unit of work.
        None, storing nothing, when the same `person` (see `person_asked_about`) already has an
        open job with this member id and payer."""
        ...

    def open_job(self, member_id: str, payer_id: str, person: str) -> Job | None: ...

    def claim(self, worker_id: str, limit: int = 1) -> list[Job]: ...

    def finish(
        self, job: Job, worker_id: str, error: str | None = None, retryable: bool = False
    ) -> str: ...

    def release(self, job: Job, worker_id: str) -> None: ...

    def get(self, job_id: str) -> Job | None: ...

    def for_verification(self, verification_id: str) -> Job | None: ...

    def counts(self, job_ids: list[str] | None = None) -> dict[str, int]: ...


class Reverifications(Protocol):
    def due(
        self,
        *,
        now: datetime,
        older_than: timedelta | None,
        admission_within: timedelta | None,
        payer_id: str | None = None,
        limit: int | None = None,
    ) -> list[VerificationRecord]:
        """The latest verification of each (member, payer) that is due, oldest first."""
        ...

    def outcomes(self, ids: Sequence[str]) -> tuple[Counter[str], Counter[str]]:
        """How the verifications `ids` ended, and the change events they found by kind."""
        ...


class Maintenance(Protocol):
    def purge(self, older_than_days: int, now: datetime) -> int:
        """Delete verifications older than the days given, with all that hangs off them."""
        ...

    def rotate_data(self) -> int:
        """Re-encrypt every stored PHI value under the first data key; rows rewritten."""
        ...


class UnitOfWork(Protocol):
    """One transaction across the stores a use case writes. `with unit:` opens it; what is
    written through its stores is kept only when `commit()` is called: leaving the block
    without it, or on an exception, rolls everything back. On SQLite a unit holds the write
    lock from the moment it opens, so work that needs no lock belongs before it."""

    verifications: VerificationRepository
    jobs: JobQueue
    changes: ChangeLog
    idempotency: Idempotency

    def __enter__(self) -> UnitOfWork: ...

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...


def _nothing() -> None:
    """Nothing to release."""


@dataclass
class Stores:
    """Every store the services use: SQL ones (`verifier/store/wiring.py`) or in-memory ones
    (`verifier/store/memory.py`), chosen by the composition root."""

    repository: VerificationRepository
    queue: JobQueue
    changes: ChangeLog
    keys: KeyStore
    audit: AuditLog
    idempotency: Idempotency
    phone: PhoneFacts
    limits: RateLimits
    reverifications: Reverifications
    maintenance: Maintenance
    intake: IntakeFollowUps
    unit: Callable[[], UnitOfWork]  # a new unit of work over the stores above
    close: Callable[[], None] = field(default=_nothing)
