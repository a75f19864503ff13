"""A request holds one pooled connection for its single statements, each committed at once;
work of several statements still runs in a transaction of its own."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Connection, Engine, select
from sqlalchemy.orm import Session, sessionmaker

from verifier.security.protector import load_protector
from verifier.store.engine import (
    hold_connections,
    make_engine,
    make_session_factory,
    one_statement,
    release_connections,
    transaction,
)
from verifier.store.migrate import upgrade
from verifier.store.tables import audit_events

EVENT = {"action": "create", "resource": "verification", "method": "POST", "route": "/v1/x"}


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    upgrade(database_url)
    engine = make_engine(database_url, load_protector())
    yield make_session_factory(engine)
    engine.dispose()


def _append(connection: Connection, event_id: str) -> None:
    row = {"id": event_id, "at": datetime.now(UTC), "status_code": 201, **EVENT}
    connection.execute(audit_events.insert(), row)


def _stored(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return sorted(connection.execute(select(audit_events.c.id)).scalars())


def test_single_statements_share_the_connection_and_are_committed_at_once(
    sessions: sessionmaker[Session],
) -> None:
    engine: Engine = sessions.kw["bind"]
    hold_connections()
    try:
        with one_statement(sessions) as first:
            _append(first, "first")
        with one_statement(sessions) as second:
            _append(second, "second")
        assert second is first
        assert engine.pool.checkedout() == 1
        # Visible to others while the request still holds the connection.
        assert _stored(engine) == ["first", "second"]
    finally:
        release_connections()
    assert engine.pool.checkedout() == 0


def test_a_transaction_keeps_its_statements_together_while_connections_are_held(
    sessions: sessionmaker[Session],
) -> None:
    engine: Engine = sessions.kw["bind"]
    hold_connections()
    try:
        with one_statement(sessions) as held:
            _append(held, "before")
        with pytest.raises(RuntimeError), transaction(sessions) as connection:
            assert connection is not held
            _append(connection, "undone")
            raise RuntimeError("the second statement failed")
        with transaction(sessions) as connection:
            _append(connection, "one")
            _append(connection, "two")
    finally:
        release_connections()
    assert _stored(engine) == ["before", "one", "two"]
