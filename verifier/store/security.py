"""SQL storage for API keys, the append-only audit trail and idempotency keys."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, RowMapping, bindparam, func, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from verifier.ports import AuditQuery
from verifier.security.keys import ApiKey, NewKey, digest
from verifier.store.engine import insert_unless_present, one_statement
from verifier.store.repository import before_day_after, start_of_day
from verifier.store.tables import api_keys, audit_events, idempotency_keys

# Built once (see verifier/store/repository.py): these run on every authenticated request.
_LIVE_KEY = select(api_keys).where(
    api_keys.c.key_hash == bindparam("key_hash"), api_keys.c.revoked_at.is_(None)
)
_APPEND_EVENT = insert(audit_events)


def _key(row: RowMapping) -> ApiKey:
    return ApiKey(
        id=row["id"],
        name=row["name"],
        scopes=tuple(row["scopes"]),
        created_at=row["created_at"],
        allowed_origins=tuple(row["allowed_origins"]),
        revoked_at=row["revoked_at"],
    )


class SqlKeyStore:
    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._sessions = session_factory

    def add(self, new: NewKey) -> None:
        key = new.key
        values = {
            "id": key.id,
            "name": key.name,
            "key_hash": digest(new.token),
            "scopes": list(key.scopes),
            "allowed_origins": list(key.allowed_origins),
            "created_at": key.created_at,
        }
        with self._sessions() as s, s.begin():
            s.execute(insert(api_keys).values(**values))

    def by_token(self, token: str) -> ApiKey | None:
        """The live key for `token`; None when unknown or revoked."""
        with one_statement(self._sessions) as connection:
            found = connection.execute(_LIVE_KEY, {"key_hash": digest(token)})
            row = found.mappings().first()
        return None if row is None else _key(row)

    def all(self) -> list[ApiKey]:
        with self._sessions() as s, s.begin():
            rows = s.execute(select(api_keys).order_by(api_keys.c.created_at)).mappings().all()
        return [_key(row) for row in rows]

    def revoke(self, key_id: str, now: datetime) -> bool:
        condition = (api_keys.c.id == key_id) & api_keys.c.revoked_at.is_(None)
        with self._sessions() as s, s.begin():
            done = s.execute(
                update(api_keys).where(condition).values(revoked_at=now).returning(api_keys.c.id)
            ).first()
        return done is not None

    def count(self) -> int:
        with self._sessions() as s, s.begin():
            return int(s.execute(select(func.count()).select_from(api_keys)).scalar_one())


class SqlAuditLog:
    """Appends and reads; there is deliberately no way to change or delete an entry."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._sessions = session_factory

    def append(self, **event: Any) -> None:
        with one_statement(self._sessions) as connection:
            connection.execute(_APPEND_EVENT, {"id": uuid.uuid4().hex, **event})

    def find(self, query: AuditQuery) -> tuple[list[dict[str, Any]], int]:
        t = audit_events
        conditions: list[ColumnElement[bool]] = []
        for column, value in (
            (t.c.key_id, query.key_id),
            (t.c.subject, query.subject),
            (t.c.resource_id, query.resource_id),
            (t.c.action, query.action),
        ):
            if value is not None:
                conditions.append(column == value)
        if query.created_from:
            conditions.append(t.c.at >= start_of_day(query.created_from))
        if query.created_to:
            conditions += before_day_after(t.c.at, query.created_to)
        with self._sessions() as s, s.begin():
            total = s.execute(select(func.count()).select_from(t).where(*conditions)).scalar_one()
            rows = (
                s.execute(
                    select(t)
                    .where(*conditions)
                    .order_by(t.c.at.desc(), t.c.id)
                    .limit(query.limit)
                    .offset(query.offset)
                )
                .mappings()
                .all()
            )
        return [dict(row) for row in rows], int(total)


class SqlIdempotency:
    """Remembers which verification an Idempotency-Key produced, with a hash of its body."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._sessions = session_factory

    def get(self, key_id: str, idempotency_key: str) -> tuple[str, str] | None:
        t = idempotency_keys
        condition = (t.c.key_id == key_id) & (t.c.idempotency_key == idempotency_key)
        with one_statement(self._sessions) as connection:
            row = connection.execute(
                select(t.c.body_hash, t.c.verification_id).where(condition)
            ).first()
        return None if row is None else (str(row[0]), str(row[1]))

    def remember(
        self, key_id: str, idempotency_key: str, body_hash: str, verification_id: str, now: datetime
    ) -> bool:
        """False, storing nothing, when another request claimed the same key first."""
        values = {
            "key_id": key_id,
            "idempotency_key": idempotency_key,
            "body_hash": body_hash,
            "verification_id": verification_id,
            "created_at": now,
        }
        with one_statement(self._sessions) as connection:
            return insert_unless_present(connection, idempotency_keys, values)
