"""Read a verification as staff see it, and estimate a course from it: the payer's answer with
what was confirmed by phone laid over it. The API, the console and the VOB all read through here,
so they show, and estimate from, the same figures."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from verifier.domain.estimate import Estimate, Schedule, estimate_course
from verifier.domain.phone import with_phone_facts
from verifier.ports import PhoneFacts
from verifier.records import COMPLETE, VerificationRecord
from verifier.service import VerificationService

ESTIMABLE = ("active", "inactive")


class NotEstimable(ValueError):
    """The verification has no payer answer a course can be estimated from; says why."""


@dataclass(frozen=True, slots=True)
class Read:
    """A verification, the calls recorded against it, and its determination with them laid
    over (None until the payer has answered)."""

    record: VerificationRecord
    calls: list[dict[str, Any]]
    determination: dict[str, Any] | None


def read_all(calls: PhoneFacts, records: Sequence[VerificationRecord]) -> list[Read]:
    """Each record with its calls, in one lookup."""
    found = calls.for_verifications([record.id for record in records])
    return [as_seen(record, found[record.id]) for record in records]


def read(records: VerificationService, calls: PhoneFacts, verification_id: str) -> Read:
    """One verification as staff see it. Raises NotFound."""
    return read_all(calls, [records.get(verification_id)])[0]


def as_seen(record: VerificationRecord, facts: list[dict[str, Any]]) -> Read:
    """The record with `facts` (its calls, already looked up) laid over its answer."""
    determination = record.determination
    if determination is not None:
        # Even with no call: each value then says it came from the payer's answer.
        determination = with_phone_facts(determination, facts)
    return Read(record, list(facts), determination)


def why_not_estimable(record: VerificationRecord) -> str | None:
    """None when a course can be estimated from the record, else why not, for a person."""
    if record.state != COMPLETE or record.determination is None:
        return (
            f"This verification is {record.state} and has no payer answer to estimate from; "
            "verify the member again first."
        )
    status = record.determination.get("status")
    if status not in ESTIMABLE:
        return (
            f"The payer's answer was '{status}', which gives no benefits to estimate from; fix "
            "the member data or verify again later."
        )
    return None


def estimate_from(seen: Read, level: str, schedule: Schedule) -> Estimate:
    """The course's estimate from a verification as staff see it. Raises NotEstimable."""
    reason = why_not_estimable(seen.record)
    if reason is not None or seen.determination is None:
        raise NotEstimable(reason)
    return estimate_course(seen.determination, level, schedule=schedule)
