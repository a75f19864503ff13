"""A request holds one pooled connection; each store call on it still commits on its own."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from verifier.store.engine import (
    hold_connections,
    make_engine,
    make_session_factory,
    release_connections,
    transaction,
)
from verifier.store.migrate import upgrade
from verifier.store.tables import audit_events

EVENT = {"action": "create", "resource": "verification", "method": "POST", "route": "/v1/x"}


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    upgrade(database_url)
    engine = make_engine(database_url)
    yield make_session_factory(engine)
    engine.dispose()


def _append(sessions: sessionmaker[Session], event_id: str) -> None:
    with transaction(sessions) as connection:
        row = {"id": event_id, "at": datetime.now(UTC), "status_code": 201, **EVENT}
        connection.execute(audit_events.insert(), row)


def _stored(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return sorted(connection.execute(select(audit_events.c.id)).scalars())


def test_transactions_share_the_connection_and_commit_one_by_one(
    sessions: sessionmaker[Session],
) -> None:
    engine: Engine = sessions.kw["bind"]
    hold_connections()
    try:
        _append(sessions, "first")
        checked_out = engine.pool.checkedout()
        with pytest.raises(RuntimeError), transaction(sessions) as connection:
            connection.execute(
                audit_events.insert(),
                {"id": "undone", "at": datetime.now(UTC), "status_code": 500, **EVENT},
            )
            raise RuntimeError("the request broke")
        _append(sessions, "second")
        assert engine.pool.checkedout() == checked_out == 1
        # Committed already, though the request still holds the connection.
        assert _stored(engine) == ["first", "second"]
    finally:
        release_connections()
    assert engine.pool.checkedout() == 0


def test_a_transaction_inside_another_gets_its_own_connection(
    sessions: sessionmaker[Session],
) -> None:
    engine: Engine = sessions.kw["bind"]
    hold_connections()
    try:
        with transaction(sessions) as outer, transaction(sessions) as inner:
            assert inner is not outer
            assert engine.pool.checkedout() == 2
        _append(sessions, "after")
    finally:
        release_connections()
    assert _stored(engine) == ["after"]
