"""The stored verification record and the port the service stores it through."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from verifier.domain.identity import PAYER_CORRECTION, Identity, identity_notice, identity_of

PENDING, COMPLETE, FAILED = "pending", "complete", "failed"
_LEGACY_CORRECTION = "The insurer corrected the member's details"


@dataclass(slots=True)
class VerificationRecord:
    """One verification: what the caller sent, what the payer answered, what it means."""

    id: str
    payer_id: str
    member_id: str
    request: dict[str, Any]
    created_at: datetime
    state: str = PENDING
    completed_at: datetime | None = None
    raw_response: str | None = None
    response_format: str | None = None
    determination: dict[str, Any] | None = None
    summary: str | None = None
    error: dict[str, Any] | None = None
    status: str | None = None
    concerns_substance_use: bool = False

    @property
    def identity(self) -> Identity:
        """The person asked about against the member the payer answered for. Worked out on
        read from the stored request and determination, so records of every release have it."""
        # Determinations stored before `member.corrected` existed said so in their summary.
        legacy = _LEGACY_CORRECTION in (self.summary or "")
        return identity_of(self.request, self.determination, corrected=legacy)

    @property
    def staff_summary(self) -> str | None:
        """The summary as staff read it: a different person is flagged in its first line. (A
        correction alone needs no line: the summary already says the payer corrected them.)"""
        identity = self.identity
        notice = identity_notice(identity)
        if notice is None or set(identity.differences) == {PAYER_CORRECTION}:
            return self.summary
        return notice if self.summary is None else f"{notice}\n{self.summary}"


@dataclass(frozen=True, slots=True)
class RecordQuery:
    """Filters for listing verifications; None means any."""

    member_id: str | None = None
    payer_id: str | None = None
    status: str | None = None
    state: str | None = None
    created_from: date | None = None
    created_to: date | None = None
    limit: int = 50
    offset: int = 0


@dataclass(slots=True)
class RecordPage:
    items: list[VerificationRecord] = field(default_factory=list)
    total: int = 0


class VerificationRepository(Protocol):
    """Where records live. `add` must be durable before any payer is called."""

    def add(self, record: VerificationRecord) -> None: ...

    def save(self, record: VerificationRecord) -> None: ...

    def get(self, record_id: str) -> VerificationRecord | None: ...

    def find(self, query: RecordQuery) -> RecordPage: ...

    def previous_complete(
        self, record: VerificationRecord
    ) -> tuple[str, dict[str, Any]] | None: ...

    def ping(self) -> None: ...
