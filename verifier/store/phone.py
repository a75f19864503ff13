"""Stored phone-verified facts."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select
from sqlalchemy.orm import Session, sessionmaker

from verifier.store.engine import one_statement
from verifier.store.tables import phone_facts as t

# Built once (see verifier/store/repository.py); "expanding" takes a list of any length.
_FOR_VERIFICATIONS = (
    select(t)
    .where(t.c.verification_id.in_(bindparam("ids", expanding=True)))
    .order_by(t.c.added_at)
)


def fact_row(
    verification_id: str, facts: dict[str, Any], by: str | None, by_name: str | None, now: datetime
) -> dict[str, Any]:
    """A call's stored row: a new id, the facts, and who recorded them when."""
    return {
        "id": uuid.uuid4().hex,
        "verification_id": verification_id,
        "added_at": now,
        "added_by": by,
        "added_by_name": by_name,
        "facts": facts,
    }


class SqlPhoneFacts:
    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._sessions = session_factory

    def add(
        self,
        verification_id: str,
        facts: dict[str, Any],
        by: str | None,
        by_name: str | None,
        now: datetime,
    ) -> dict[str, Any]:
        row = fact_row(verification_id, facts, by, by_name, now)
        with self._sessions() as s, s.begin():
            s.execute(insert(t).values(**row))
        return row

    def for_verifications(self, ids: list[str]) -> dict[str, list[dict[str, Any]]]:
        """Every verification's facts, oldest first, in one query."""
        found: dict[str, list[dict[str, Any]]] = {i: [] for i in ids}
        if not ids:
            return found
        with one_statement(self._sessions) as connection:
            for row in connection.execute(_FOR_VERIFICATIONS, {"ids": ids}).mappings():
                found[row["verification_id"]].append(dict(row))
        return found
