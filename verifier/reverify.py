"""Batch re-verification: queue members whose latest verification is stale or admission near."""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import click
from marshmallow import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from schemas.request import VerificationRequestSchema
from verifier.bootstrap import Services
from verifier.domain.request import VerificationRequest, person_asked_about
from verifier.intake import to_request
from verifier.records import COMPLETE, FAILED, VerificationRecord
from verifier.security.protector import load_protector
from verifier.service import UnknownPayer
from verifier.settings import Settings
from verifier.store.engine import make_engine, make_session_factory
from verifier.store.repository import from_row
from verifier.store.tables import change_events, verifications

# Keeps IN lists well under SQLite's and psycopg's bound-parameter limits.
CHUNK = 500
# How often --wait looks at the queue; tests shorten it.
WAIT_POLL_SECONDS = 0.5
# How the stored request was first sent, not who is verified: a batch job has no caller.
DROPPED_KEYS = ("mode", "callback_url")


def local_today(now: datetime) -> date:
    """The date in the server's zone, as the request schema and intake use `date.today()`."""
    return now.astimezone().date()


def due_members(
    session_factory: sessionmaker[Session],
    *,
    now: datetime,
    older_than: timedelta | None,
    admission_within: timedelta | None,
    payer_id: str | None = None,
    limit: int | None = None,
) -> list[VerificationRecord]:
    """The latest verification of each (member, payer) that is due, oldest first."""
    if older_than is None and admission_within is None:
        raise ValueError("give older_than, admission_within or both")
    t = verifications
    # id breaks ties so two verifications created in the same instant still give one latest.
    rank = func.row_number().over(
        partition_by=(t.c.member_id, t.c.payer_id), order_by=(t.c.created_at.desc(), t.c.id.desc())
    )
    ranked = select(t, rank.label("rank"))
    if payer_id is not None:
        ranked = ranked.where(t.c.payer_id == payer_id)
    latest = ranked.subquery("latest")
    statement = select(*(latest.c[column.name] for column in t.c)).where(latest.c.rank == 1)
    statement = statement.order_by(latest.c.created_at, latest.c.id)
    cutoff = now - older_than if older_than is not None else None
    if admission_within is None:
        with session_factory() as s, s.begin():
            rows = s.execute(statement.where(latest.c.created_at < cutoff).limit(limit)).mappings()
            return [from_row(row) for row in rows]
    # The request is encrypted at rest, so its service date is read here, not in SQL.
    today = local_today(now)
    due: list[VerificationRecord] = []
    with session_factory() as s, s.begin():
        for row in s.execute(statement).mappings():
            record = from_row(row)
            when = service_date(record.request)
            near = when is not None and today <= when <= today + admission_within
            if near or (cutoff is not None and record.created_at < cutoff):
                due.append(record)
                if len(due) == limit:
                    break
    return due


def service_date(request: Mapping[str, Any]) -> date | None:
    """The stored request's service date; None when it has none or it cannot be read."""
    when = request.get("service_date")
    try:
        return date.fromisoformat(when) if isinstance(when, str) else None
    except ValueError:
        return None


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


def chunks(ids: Sequence[str]) -> Iterator[list[str]]:
    return (list(ids[start : start + CHUNK]) for start in range(0, len(ids), CHUNK))


def outcome(state: str, status: str | None, error: Any) -> str:
    if state == COMPLETE:
        return f"complete-{status}" if status in ("active", "inactive") else str(status)
    if state == FAILED:
        code = error.get("code") if isinstance(error, dict) else None
        return f"failed-{code or 'unknown'}"
    return state


def results(
    sessions: sessionmaker[Session], ids: Sequence[str]
) -> tuple[Counter[str], Counter[str]]:
    """How the verifications `ids` ended, and the change events they found by kind."""
    v, e = verifications, change_events
    ended: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    with sessions() as s, s.begin():
        for chunk in chunks(ids):
            rows = s.execute(select(v.c.state, v.c.status, v.c.error).where(v.c.id.in_(chunk)))
            ended.update(outcome(state, status, error) for state, status, error in rows)
            events = select(e.c.kind, func.count()).where(e.c.verification_id.in_(chunk))
            for kind, n in s.execute(events.group_by(e.c.kind)):
                kinds[str(kind)] += int(n)
    return ended, kinds


def age(delta: timedelta) -> str:
    if delta >= timedelta(days=1):
        return f"{delta.days}d"
    minutes = int(delta.total_seconds()) // 60
    return f"{minutes // 60}h" if minutes >= 60 else f"{minutes}m"


def table(header: tuple[str, ...], rows: Sequence[tuple[object, ...]]) -> str:
    """Left-aligned columns, each as wide as its widest cell."""
    cells = [tuple(map(str, row)) for row in (header, *rows)]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = ("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells)
    return "\n".join(line.rstrip() for line in lines)


def by_payer(ready: Sequence[Candidate], now: datetime) -> list[tuple[str, int, str]]:
    """Per payer: how many members and the oldest latest verification's age; no member data."""
    oldest: dict[str, datetime] = {}
    members: Counter[str] = Counter()
    for c in ready:
        members[c.record.payer_id] += 1
        oldest[c.record.payer_id] = min(oldest.get(c.record.payer_id, now), c.record.created_at)
    return [(payer, n, age(now - oldest[payer])) for payer, n in sorted(members.items())]


def wait_for(services: Services, job_ids: Sequence[str], poll_seconds: float) -> None:
    """Show a progress bar until none of `job_ids` is queued or running."""
    done = 0
    with click.progressbar(length=len(job_ids), label="verifying", file=sys.stderr) as bar:
        while True:
            counts: Counter[str] = Counter()
            for chunk in chunks(job_ids):
                counts.update(services.queue.counts(chunk))
            finished = len(job_ids) - counts["queued"] - counts["running"]
            bar.update(finished - done)
            done = finished
            if finished >= len(job_ids):
                return
            time.sleep(poll_seconds)


def run(
    services: Services,
    settings: Settings,
    *,
    older_than: timedelta | None,
    admission_within: timedelta | None,
    payer_id: str | None = None,
    limit: int | None = None,
    dry_run: bool = False,
    wait: bool = False,
) -> None:
    """Select, queue (or only count, for a dry run), optionally wait; prints counts only."""
    now = datetime.now(UTC)
    # Its own engine, with the app's keys: the services keep their session factory private.
    engine = make_engine(settings.database_url, load_protector(settings))
    sessions = make_session_factory(engine)
    try:
        # Stored rows hold the directory's id, so an alias must be resolved to filter on it.
        payer = services.directory.get(payer_id) if payer_id else None
        records = due_members(
            sessions,
            now=now,
            older_than=older_than,
            admission_within=admission_within,
            payer_id=payer.id if payer else payer_id,
            limit=limit,
        )
        found = plan(records, services, settings, local_today(now))
        if dry_run:
            click.echo(f"would enqueue {len(found.ready)}, {found.tail()}")
            if found.ready:
                click.echo(table(("payer", "members", "oldest"), by_payer(found.ready, now)))
            return
        new_ids = enqueue(found.ready, services, found)
        click.echo(f"enqueued {len(new_ids)}, {found.tail()}")
        if not wait or not new_ids:
            return
        job_ids = [job.id for job in map(services.queue.for_verification, new_ids) if job]
        wait_for(services, job_ids, WAIT_POLL_SECONDS)
        ended, kinds = results(sessions, new_ids)
        click.echo(table(("outcome", "verifications"), sorted(ended.items())))
        click.echo(table(("change", "events"), sorted(kinds.items()) or [("none", 0)]))
    finally:
        engine.dispose()
