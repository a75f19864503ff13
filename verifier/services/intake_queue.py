"""The intake queue: submissions from the intake form, each followed up by staff (new,
contacted, closed), with who changed it and when."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from verifier.ports import IntakeFollowUps, IntakeItem
from verifier.services.staff import Staff

STATUSES = ("new", "contacted", "closed")


class UnknownStatus(ValueError):
    """Not one of new, contacted, closed."""


class NotAnIntake(LookupError):
    """No intake submission has this verification id."""


def intake_queue(
    store: IntakeFollowUps, status: str | None, limit: int = 25, offset: int = 0
) -> tuple[list[IntakeItem], int]:
    """Submissions with `status` (all when None), newest first. Raises UnknownStatus."""
    if status is not None and status not in STATUSES:
        raise UnknownStatus(status)
    return store.find(status, limit, offset)


def mark_intake(
    store: IntakeFollowUps,
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
