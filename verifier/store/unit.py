"""The SQL unit of work: one transaction that the stores' statements on this thread join.

The stores keep their own methods; while a unit is open, `one_statement` and `transaction`
(`verifier/store/engine.py`) hand them the unit's connection instead of one of their own, so a
use case writes through several repositories and commits or rolls back once.

The unit runs on an autocommit connection and says BEGIN itself: the request's held connection
when there is one (no second checkout, no second liveness ping), a fresh one otherwise. On
SQLite it says BEGIN IMMEDIATE, taking the write lock at once, so a unit that reads before it
writes waits for another writer (busy timeout) instead of failing on a stale snapshot.
"""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import Connection, Engine

from verifier.ports import ChangeLog, Idempotency, JobQueue
from verifier.records import VerificationRepository
from verifier.store.engine import enter_unit, held_connection, leave_unit, open_unit


class SqlUnitOfWork:
    """`with unit:` opens the transaction; `unit.commit()` keeps what was written; leaving the
    block without committing, or on an exception, rolls everything back."""

    def __init__(
        self,
        engine: Engine,
        *,
        verifications: VerificationRepository,
        jobs: JobQueue,
        changes: ChangeLog,
        idempotency: Idempotency,
    ) -> None:
        self._engine = engine
        self.verifications = verifications
        self.jobs = jobs
        self.changes = changes
        self.idempotency = idempotency
        self._connection: Connection | None = None
        self._own = False

    def __enter__(self) -> SqlUnitOfWork:
        if open_unit(self._engine) is not None:
            # Checked before BEGIN: on SQLite a second BEGIN IMMEDIATE would wait on the first.
            raise RuntimeError("a unit of work is already open on this thread")
        connection = held_connection(self._engine)
        self._own = connection is None
        if connection is None:
            connection = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        begin = "BEGIN IMMEDIATE" if self._engine.dialect.name == "sqlite" else "BEGIN"
        try:
            connection.exec_driver_sql(begin)
            enter_unit(self._engine, connection)
        except BaseException:
            self._close(connection)
            raise
        self._connection = connection
        return self

    def commit(self) -> None:
        """Keep everything written in the unit. Statements after this run on their own."""
        connection = self._taken()
        try:
            connection.exec_driver_sql("COMMIT")
        finally:
            leave_unit(self._engine)
            self._close(connection)

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._connection is None:
            return  # committed
        connection = self._taken()
        leave_unit(self._engine)
        try:
            connection.exec_driver_sql("ROLLBACK")
        except Exception:
            # A broken connection rolls back on the server when it goes; never reuse it.
            connection.invalidate()
        finally:
            self._close(connection)

    def _taken(self) -> Connection:
        if self._connection is None:
            raise RuntimeError("the unit of work is not open")
        connection, self._connection = self._connection, None
        return connection

    def _close(self, connection: Connection) -> None:
        if self._own:
            connection.close()
