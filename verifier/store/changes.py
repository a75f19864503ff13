"""Stored change events: what changed for a member between two verifications."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, bindparam, delete, func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from verifier.domain.changes import Change
from verifier.ports import ChangeQuery
from verifier.store.engine import transaction
from verifier.store.repository import before_day_after, protector, start_of_day
from verifier.store.tables import change_events as t

# Built once (see verifier/store/repository.py): every re-verification writes its events.
_DELETE_EVENTS = delete(t).where(t.c.verification_id == bindparam("verification_id"))
_INSERT_EVENTS = insert(t)


class SqlChangeStore:
    """Writes a verification's events idempotently and lists them newest first."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._sessions = session_factory

    def replace(
        self,
        verification_id: str,
        previous_id: str,
        member_id: str,
        payer_id: str,
        changes: Sequence[Change],
        now: datetime,
    ) -> None:
        """Store `changes` as the events of `verification_id`, replacing any written before
        (a job re-run after a crash must not duplicate them)."""
        keys = protector(self._sessions)
        rows = [
            {
                "id": uuid.uuid4().hex,
                "verification_id": verification_id,
                "previous_verification_id": previous_id,
                "member_id": keys.index(member_id),
                "payer_id": payer_id,
                "kind": change.kind,
                "summary": change.summary,
                "before": change.before,
                "after": change.after,
                "created_at": now,
            }
            for change in changes
        ]
        with transaction(self._sessions) as connection:
            connection.execute(_DELETE_EVENTS, {"verification_id": verification_id})
            if rows:
                connection.execute(_INSERT_EVENTS, rows)

    def recent(self, kinds: Sequence[str], since: datetime, limit: int) -> list[dict[str, Any]]:
        """Events of these kinds created since `since`, newest first, at most `limit`."""
        statement = (
            select(t)
            .where(t.c.kind.in_(list(kinds)), t.c.created_at >= since)
            .order_by(t.c.created_at.desc(), t.c.id)
            .limit(limit)
        )
        with self._sessions() as s, s.begin():
            return [dict(row) for row in s.execute(statement).mappings().all()]

    def find(self, query: ChangeQuery) -> tuple[list[dict[str, Any]], int]:
        conditions: list[ColumnElement[bool]] = []
        if query.member_id:
            conditions.append(t.c.member_id == protector(self._sessions).index(query.member_id))
        if query.kind:
            conditions.append(t.c.kind == query.kind)
        if query.created_from:
            conditions.append(t.c.created_at >= start_of_day(query.created_from))
        if query.created_to:
            conditions += before_day_after(t.c.created_at, query.created_to)
        statement = select(t).where(*conditions).order_by(t.c.created_at.desc(), t.c.id)
        with self._sessions() as s, s.begin():
            total = s.execute(select(func.count()).select_from(t).where(*conditions)).scalar_one()
            rows = s.execute(statement.limit(query.limit).offset(query.offset)).mappings().all()
        return [dict(row) for row in rows], int(total)
