"""The intake queue: submissions from the intake form, each followed up by staff (new,
contacted, closed), with who changed it and when."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from verifier.records import VerificationRecord
from verifier.services.staff import Staff

STATUSES = ("new", "contacted", "closed")


@dataclass(frozen=True, slots=True)
class IntakeItem:
    """One submission: its verification (request with contact and consent, and the outcome)
    and where staff are with it. `changed_at` and `changed_by` are None while it is new."""

    record: VerificationRecord
    status: str
    changed_at: datetime | None = None
    changed_by: str | None = None


class UnknownStatus(ValueError):
    """Not one of new, contacted, closed."""


class NotAnIntake(LookupError):
    """No intake submission has this verification id."""


class IntakeStore(Protocol):
    def find(self, status: str | None, limit: int, offset: int) -> tuple[list[IntakeItem], int]: ...

    def mark(
        self, verification_id: str, status: str, by: str | None, by_name: str | None, at: datetime
    ) -> bool: ...


def intake_queue(
    store: IntakeStore, status: str | None, limit: int = 25, offset: int = 0
) -> tuple[list[IntakeItem], int]:
    """Submissions with `status` (all when None), newest first. Raises UnknownStatus."""
    if status is not None and status not in STATUSES:
        raise UnknownStatus(status)
    return store.find(status, limit, offset)


def mark_intake(
    store: IntakeStore,
    clock: Callable[[], datetime],
    verification_id: str,
    status: str,
    by: Staff,
) -> None:
    """Record that `by` moved a submission to `status` now. Raises UnknownStatus, NotAnIntake."""
    if status not in STATUSES:
        raise UnknownStatus(status)
    if not store.mark(verification_id, status, by.id, by.name, clock()):
        raise NotAnIntake(verification_id)
