"""Re-verification's reads: the latest verification of each member that is due, and how a
batch of verifications ended."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from verifier.intake import local_today, service_date
from verifier.records import COMPLETE, FAILED, VerificationRecord
from verifier.store.engine import chunks
from verifier.store.repository import from_row
from verifier.store.tables import change_events, verifications


class SqlReverifications:
    """What `verifier reverify` reads from the database."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._sessions = session_factory

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
        if older_than is None and admission_within is None:
            raise ValueError("give older_than, admission_within or both")
        t = verifications
        # id breaks ties so two verifications created in the same instant still give one latest.
        rank = func.row_number().over(
            partition_by=(t.c.member_id, t.c.payer_id),
            order_by=(t.c.created_at.desc(), t.c.id.desc()),
        )
        ranked = select(t, rank.label("rank"))
        if payer_id is not None:
            ranked = ranked.where(t.c.payer_id == payer_id)
        latest = ranked.subquery("latest")
        statement = select(*(latest.c[column.name] for column in t.c)).where(latest.c.rank == 1)
        statement = statement.order_by(latest.c.created_at, latest.c.id)
        cutoff = now - older_than if older_than is not None else None
        if admission_within is None:
            with self._sessions() as s, s.begin():
                rows = s.execute(statement.where(latest.c.created_at < cutoff).limit(limit))
                return [from_row(row) for row in rows.mappings()]
        # The request is encrypted at rest, so its service date is read here, not in SQL.
        today = local_today(now)
        due: list[VerificationRecord] = []
        with self._sessions() as s, s.begin():
            for row in s.execute(statement).mappings():
                record = from_row(row)
                when = service_date(record.request)
                near = when is not None and today <= when <= today + admission_within
                if near or (cutoff is not None and record.created_at < cutoff):
                    due.append(record)
                    if len(due) == limit:
                        break
        return due

    def outcomes(self, ids: Sequence[str]) -> tuple[Counter[str], Counter[str]]:
        """How the verifications `ids` ended, and the change events they found by kind."""
        v, e = verifications, change_events
        ended: Counter[str] = Counter()
        kinds: Counter[str] = Counter()
        with self._sessions() as s, s.begin():
            for chunk in chunks(ids):
                rows = s.execute(select(v.c.state, v.c.status, v.c.error).where(v.c.id.in_(chunk)))
                ended.update(outcome(state, status, error) for state, status, error in rows)
                events = select(e.c.kind, func.count()).where(e.c.verification_id.in_(chunk))
                for kind, n in s.execute(events.group_by(e.c.kind)):
                    kinds[str(kind)] += int(n)
        return ended, kinds


def outcome(state: str, status: str | None, error: Any) -> str:
    if state == COMPLETE:
        return f"complete-{status}" if status in ("active", "inactive") else str(status)
    if state == FAILED:
        code = error.get("code") if isinstance(error, dict) else None
        return f"failed-{code or 'unknown'}"
    return state
