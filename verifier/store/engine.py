"""Engine and session factory construction; nothing connects until first use."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from sqlalchemy import Connection, Engine, Table, create_engine, event
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from verifier.security.protector import Protector

# Long enough to ride out another worker's write; short enough that a stuck lock shows up.
SQLITE_BUSY_TIMEOUT_MS = 5000


def make_engine(url: str, keys: Protector | None) -> Engine:
    """Build an engine for a SQLite or PostgreSQL (`postgresql+psycopg://`) URL, carrying the
    encryption keys its PHI columns use. The keys come from the caller (the composition root
    reads them from the settings); an engine given none refuses to read or write PHI."""
    engine = _engine(url)
    engine.dialect.verifier_protector = keys  # type: ignore[attr-defined]
    return engine


def _engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        # A server restart or an idle timeout can drop pooled connections; test each one.
        return create_engine(parsed, pool_pre_ping=True)
    options: dict[str, Any] = {}
    # Flask serves requests from several threads; each checks out its own pooled connection.
    options["connect_args"] = {"check_same_thread": False}
    in_memory = parsed.database in (None, "", ":memory:") or parsed.query.get("mode") == "memory"
    if in_memory:
        # Every connection to ":memory:" would be a new empty database; share one.
        options["poolclass"] = StaticPool
    engine = create_engine(parsed, **options)
    if not in_memory:
        event.listen(engine, "connect", _tune_sqlite_file)
    return engine


def _tune_sqlite_file(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers (the list endpoint) proceed while a verification is being written,
    # and the busy timeout makes concurrent gunicorn workers wait instead of failing at once.
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        # With WAL, NORMAL stays consistent after a crash and spares an fsync per commit.
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions bound to `engine`; objects stay readable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False)


_held = threading.local()


def hold_connections() -> None:
    """From now until `release_connections`, `one_statement` on this thread runs on one pooled
    connection per engine, checked out at first use and in autocommit mode: a request then
    pays for one checkout (and, on PostgreSQL, one liveness ping) instead of one per
    statement, and no BEGIN and COMMIT round trips around statements that are atomic anyway.
    `transaction` still takes a connection of its own."""
    _held.connections = {}


def release_connections() -> None:
    """Return the connections `hold_connections` kept to their pools."""
    connections: dict[Engine, Connection] = getattr(_held, "connections", None) or {}
    _held.connections = None
    for connection in connections.values():
        connection.close()


def held_connection(engine: Engine) -> Connection | None:
    """This thread's held autocommit connection to `engine`, checked out on first use; None
    unless `hold_connections` is in force."""
    held: dict[Engine, Connection] | None = getattr(_held, "connections", None)
    if held is None:
        return None
    connection = held.get(engine)
    if connection is None or connection.closed or connection.invalidated:
        connection = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        held[engine] = connection
    return connection


def open_unit(engine: Engine) -> Connection | None:
    """The connection of the unit of work open on this thread for `engine`, if one is."""
    units: dict[Engine, Connection] = getattr(_held, "units", None) or {}
    return units.get(engine)


def enter_unit(engine: Engine, connection: Connection) -> None:
    """From now until `leave_unit`, the stores' statements on this thread join `connection`'s
    transaction (see `verifier/store/unit.py`)."""
    units: dict[Engine, Connection] | None = getattr(_held, "units", None)
    if units is None:
        units = _held.units = {}
    if engine in units:
        raise RuntimeError("a unit of work is already open on this thread")
    units[engine] = connection


def leave_unit(engine: Engine) -> None:
    units: dict[Engine, Connection] = getattr(_held, "units", None) or {}
    units.pop(engine, None)


def transaction(sessions: sessionmaker[Session]) -> AbstractContextManager[Connection]:
    """One transaction on a Core connection of the sessions' engine, committed on leaving
    (rolled back on an exception), for work of several statements that must happen together;
    inside a unit of work, the unit's transaction. Core rather than a Session: a Session adds
    work to every statement that plain inserts, updates and selects of whole rows do not need."""
    engine: Engine = sessions.kw["bind"]
    unit = open_unit(engine)
    return engine.begin() if unit is None else nullcontext(unit)


def one_statement(sessions: sessionmaker[Session]) -> AbstractContextManager[Connection]:
    """A connection for exactly one statement, committed when it has run: the held one in
    autocommit mode while `hold_connections` is in force, a transaction of its own otherwise;
    inside a unit of work, the unit's transaction, committed with the unit."""
    engine: Engine = sessions.kw["bind"]
    connection = open_unit(engine) or held_connection(engine)
    return engine.begin() if connection is None else nullcontext(connection)


def dialect_insert(connection: Connection, table: Table) -> Any:
    """The INSERT of the connection's dialect (SQLite or PostgreSQL), which has ON CONFLICT."""
    return (postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert)(table)


def insert_unless_present(connection: Connection, table: Table, values: dict[str, Any]) -> bool:
    """Insert a row unless it would break a unique index; False when it would. ON CONFLICT DO
    NOTHING rather than catching the IntegrityError: on PostgreSQL a failed statement aborts
    the transaction around it, and with it the rest of a unit of work."""
    first_column = next(iter(table.primary_key.columns))
    statement = dialect_insert(connection, table).values(**values)
    inserted = connection.execute(statement.on_conflict_do_nothing().returning(first_column))
    return inserted.first() is not None


# Keeps IN lists well under SQLite's and psycopg's bound-parameter limits.
CHUNK = 500


def chunks(ids: Sequence[str]) -> Iterator[list[str]]:
    """`ids` in lists short enough for one IN each."""
    return (list(ids[start : start + CHUNK]) for start in range(0, len(ids), CHUNK))
