"""Alerts: the changes that matter for people whose admission is near, newest first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol

from verifier.domain.alerts import ALERT_KINDS, admission_near, matters
from verifier.records import VerificationRecord
from verifier.service import NotFound, VerificationService

# How far back change events are read; an older change has been acted on or gone stale.
LOOK_BACK = timedelta(days=90)
READ_AT_MOST = 500


@dataclass(frozen=True, slots=True)
class Alert:
    kind: str
    label: str
    summary: str
    at: datetime
    admission: date
    record: VerificationRecord  # the verification that found the change
    previous_id: str


class RecentChanges(Protocol):
    def recent(self, kinds: Sequence[str], since: datetime, limit: int) -> list[dict[str, Any]]: ...


def admission_date(record: VerificationRecord) -> date:
    """The date of service asked about; a request without one asked about its own day."""
    asked = record.request.get("service_date")
    if isinstance(asked, str):
        try:
            return date.fromisoformat(asked)
        except ValueError:
            pass
    return record.created_at.date()


def alerts(
    changes: RecentChanges,
    records: VerificationService,
    today: date,
    kind: str | None = None,
    limit: int = 100,
) -> list[Alert]:
    """Changes of the alert kinds (or of `kind` alone) found in the last 90 days for people whose
    admission is near `today`, newest first. An unknown `kind` finds nothing."""
    kinds = [kind] if kind else list(ALERT_KINDS)
    since = datetime.combine(today, time.min, tzinfo=UTC) - LOOK_BACK
    found: list[Alert] = []
    for event in changes.recent(kinds, since, READ_AT_MOST):
        if not matters(event["kind"], event.get("before"), event.get("after")):
            continue
        try:
            record = records.get(event["verification_id"])
        except NotFound:
            continue
        admission = admission_date(record)
        if admission_near(admission, today):
            found.append(_alert(event, record, admission))
        if len(found) >= limit:
            break
    return found


def _alert(event: dict[str, Any], record: VerificationRecord, admission: date) -> Alert:
    return Alert(
        kind=event["kind"],
        label=ALERT_KINDS[event["kind"]],
        summary=str(event.get("summary") or ""),
        at=event["created_at"],
        admission=admission,
        record=record,
        previous_id=str(event["previous_verification_id"]),
    )
