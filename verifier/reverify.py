"""Re-verification's use cases: choose the members whose latest verification is stale or whose
admission is near, and queue one verification each. The command line (`verifier reverify`)
prints what these return; the store reads the candidates (verifier/store/reverifications.py)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from marshmallow import ValidationError

from schemas.request import VerificationRequestSchema
from verifier.bootstrap import Services
from verifier.domain.request import VerificationRequest, person_asked_about
from verifier.intake import local_today, service_date, to_request
from verifier.records import VerificationRecord
from verifier.service import UnknownPayer
from verifier.settings import Settings

# How the stored request was first sent, not who is verified: a batch job has no caller.
DROPPED_KEYS = ("mode", "callback_url")


def renewed_body(stored: Mapping[str, Any], today: date) -> dict[str, Any]:
    """The stored body asked again today, or on its admission date when that is still ahead."""
    body = {key: value for key, value in stored.items() if key not in DROPPED_KEYS}
    when = service_date(stored)
    body["service_date"] = (when if when is not None and when > today else today).isoformat()
    return body


@dataclass
class Candidate:
    record: VerificationRecord
    body: dict[str, Any]
    request: VerificationRequest


@dataclass
class Plan:
    ready: list[Candidate] = field(default_factory=list)
    already_queued: int = 0
    skipped: int = 0

    def tail(self) -> str:
        return f"already queued {self.already_queued}, skipped {self.skipped}"


def plan(
    records: Sequence[VerificationRecord], services: Services, settings: Settings, day: date
) -> Plan:
    """Sort due members into ready to queue, already queued, and no longer valid."""
    found = Plan()
    for record in records:
        try:
            body = renewed_body(record.request, day)
            request = to_request(VerificationRequestSchema().load(body), settings)
            payer = services.service.payer(request.payer_id)
        except (ValidationError, UnknownPayer):
            found.skipped += 1
            continue
        # What enqueue itself checks: the member id as sent, the directory's payer id, and
        # the person asked about.
        person = person_asked_about(request)
        if services.queue.open_job(request.subscriber.member_id, payer.id, person) is not None:
            found.already_queued += 1
        else:
            found.ready.append(Candidate(record, body, request))
    return found


def choose(
    services: Services,
    settings: Settings,
    *,
    now: datetime,
    older_than: timedelta | None,
    admission_within: timedelta | None,
    payer_id: str | None = None,
    limit: int | None = None,
) -> Plan:
    """Who is due, sorted into ready to queue, already queued and no longer valid."""
    # Stored rows hold the directory's id, so an alias must be resolved to filter on it.
    payer = services.directory.get(payer_id) if payer_id else None
    records = services.reverifications.due(
        now=now,
        older_than=older_than,
        admission_within=admission_within,
        payer_id=payer.id if payer else payer_id,
        limit=limit,
    )
    return plan(records, services, settings, local_today(now))


def enqueue(ready: Sequence[Candidate], services: Services, found: Plan) -> list[str]:
    """Queue each candidate; returns the new verification ids and updates `found`'s counts."""
    new_ids: list[str] = []
    for candidate in ready:
        # plan() found the payer in the directory, so enqueue cannot raise UnknownPayer.
        saved = services.service.enqueue(candidate.request, candidate.body, source="reverify")
        # enqueue hands back the record it built only when it stored it; otherwise the open
        # one another caller queued after our check.
        if saved.request is candidate.body:
            new_ids.append(saved.id)
        else:
            found.already_queued += 1
    return new_ids


def job_ids(services: Services, verification_ids: Sequence[str]) -> list[str]:
    """The jobs of the verifications queued."""
    return [job.id for job in map(services.queue.for_verification, verification_ids) if job]


def unfinished(services: Services, ids: Sequence[str]) -> int:
    """How many of the jobs `ids` are still queued or running."""
    counts = services.queue.counts(list(ids))
    return counts.get("queued", 0) + counts.get("running", 0)


def outcomes(services: Services, ids: Sequence[str]) -> tuple[Counter[str], Counter[str]]:
    """How the verifications `ids` ended, and the changes they found, by kind."""
    return services.reverifications.outcomes(ids)


def age(delta: timedelta) -> str:
    if delta >= timedelta(days=1):
        return f"{delta.days}d"
    minutes = int(delta.total_seconds()) // 60
    return f"{minutes // 60}h" if minutes >= 60 else f"{minutes}m"


def by_payer(ready: Sequence[Candidate], now: datetime) -> list[tuple[str, int, str]]:
    """Per payer: how many members and the oldest latest verification's age; no member data."""
    oldest: dict[str, datetime] = {}
    members: Counter[str] = Counter()
    for c in ready:
        members[c.record.payer_id] += 1
        oldest[c.record.payer_id] = min(oldest.get(c.record.payer_id, now), c.record.created_at)
    return [(payer, n, age(now - oldest[payer])) for payer, n in sorted(members.items())]
