"""The SQL implementation of `VerificationRepository`."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, RowMapping, bindparam, func, insert, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from verifier.domain.edition import second_edition
from verifier.records import RecordPage, RecordQuery, VerificationRecord
from verifier.store.engine import one_statement
from verifier.store.tables import protector_of
from verifier.store.tables import verifications as t

# Fields that change after the pending record is first stored; id, who and what was asked,
# and when it was asked are fixed at `add`.
MUTABLE_FIELDS = (
    "state",
    "status",
    "completed_at",
    "raw_response",
    "response_format",
    "determination",
    "summary",
    "error",
    "concerns_substance_use",
)


# Built once: a statement object built per call costs more to construct and to look up in
# SQLAlchemy's compiled cache than the SQLite write itself.
_INSERT = insert(t)
_SAVE = (
    update(t)
    .where(t.c.id == bindparam("record_id"))
    .values({name: bindparam(name) for name in MUTABLE_FIELDS})
    .returning(t.c.id)
)
_GET = select(t).where(t.c.id == bindparam("record_id"))
_PREVIOUS = (
    select(t.c.id, t.c.determination)
    .where(
        t.c.member_id == bindparam("member"),
        t.c.payer_id == bindparam("payer"),
        t.c.state == "complete",
        t.c.id != bindparam("record_id"),
        t.c.created_at <= bindparam("created_at"),
        t.c.determination.is_not(None),
    )
    .order_by(t.c.created_at.desc(), t.c.id.desc())
    .limit(1)
)


class RecordMissing(LookupError):
    """`save` was given a record that was never added."""


class SqlVerificationRepository:
    """Stores verification records through SQLAlchemy; one short transaction per call."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._sessions = session_factory

    def add(self, record: VerificationRecord) -> None:
        """Insert and commit. Raises sqlalchemy IntegrityError if the id already exists."""
        with one_statement(self._sessions) as connection:
            connection.execute(_INSERT, to_row(record, protector(self._sessions)))

    def save(self, record: VerificationRecord) -> None:
        """Write every mutable field. Raises RecordMissing if the record was never added."""
        row = to_row(record, protector(self._sessions))
        values = {name: row[name] for name in MUTABLE_FIELDS}
        with one_statement(self._sessions) as connection:
            # RETURNING rather than rowcount: portable across drivers and typed on Result.
            if connection.execute(_SAVE, {"record_id": record.id, **values}).first() is None:
                raise RecordMissing(record.id)

    def get(self, record_id: str) -> VerificationRecord | None:
        with one_statement(self._sessions) as connection:
            row = connection.execute(_GET, {"record_id": record_id}).mappings().first()
        return None if row is None else from_row(row)

    def find(self, query: RecordQuery) -> RecordPage:
        """Records matching `query`, newest first, one page of them plus the matching total."""
        conditions = filters(query, protector(self._sessions))
        page = (
            select(t)
            .where(*conditions)
            # id breaks ties so records created in the same instant page deterministically.
            .order_by(t.c.created_at.desc(), t.c.id.desc())
            .limit(query.limit)
            .offset(query.offset)
        )
        count = select(func.count()).select_from(t).where(*conditions)
        with self._sessions() as s, s.begin():
            rows = s.execute(page).mappings().all()
            total = s.execute(count).scalar_one()
        return RecordPage(items=[from_row(row) for row in rows], total=total)

    def previous_complete(self, record: VerificationRecord) -> tuple[str, dict[str, Any]] | None:
        """The id and determination of the member's latest complete verification with this payer
        before `record`: one row, two columns, so nothing else is decrypted."""
        parameters = {
            "member": protector(self._sessions).index(record.member_id),
            "payer": record.payer_id,
            "record_id": record.id,
            "created_at": record.created_at,
        }
        with one_statement(self._sessions) as connection:
            row = connection.execute(_PREVIOUS, parameters).first()
        if row is None:
            return None
        return str(row[0]), second_edition(row[1]) or {}

    def ping(self) -> None:
        """Run `SELECT 1`; raises sqlalchemy OperationalError if the database is unreachable."""
        with self._sessions() as s, s.begin():
            s.execute(text("SELECT 1"))


def filters(query: RecordQuery, keys: Any) -> list[ColumnElement[bool]]:
    """The WHERE conditions for `query`; date bounds are whole UTC days, both inclusive."""
    conditions: list[ColumnElement[bool]] = []
    member = keys.index(query.member_id) if query.member_id is not None else None
    for column, value in (
        (t.c.member_id, member),
        (t.c.payer_id, query.payer_id),
        (t.c.status, query.status),
        (t.c.state, query.state),
    ):
        if value is not None:
            conditions.append(column == value)
    if query.created_from is not None:
        conditions.append(t.c.created_at >= start_of_day(query.created_from))
    if query.created_to is not None:
        # Half-open at the next midnight, so the whole last day counts whatever the precision.
        conditions += before_day_after(t.c.created_at, query.created_to)
    return conditions


def start_of_day(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def before_day_after(column: Any, day: date) -> list[ColumnElement[bool]]:
    """`column` on or before `day`, as a half-open bound at the next midnight (none at all for
    the last day the calendar has)."""
    if day >= date.max:
        return []
    return [column < start_of_day(day + timedelta(days=1))]


def protector(sessions: sessionmaker[Session]) -> Any:
    """The encryption keys attached to the sessions' engine by `make_engine`."""
    return protector_of(sessions.kw["bind"].dialect)


def to_row(record: VerificationRecord, keys: Any) -> dict[str, Any]:
    """The row for a record: the member id only as its blind index (the request holds it)."""
    return {
        "id": record.id,
        "state": record.state,
        "status": record.status,
        "payer_id": record.payer_id,
        "member_id": keys.index(record.member_id),
        "concerns_substance_use": record.concerns_substance_use,
        "created_at": record.created_at,
        "completed_at": record.completed_at,
        "request": record.request,
        "raw_response": record.raw_response,
        "response_format": record.response_format,
        "determination": record.determination,
        "summary": record.summary,
        "error": record.error,
    }


def from_row(row: RowMapping) -> VerificationRecord:
    return VerificationRecord(
        id=row["id"],
        payer_id=row["payer_id"],
        member_id=str(row["request"]["subscriber"]["member_id"]),
        concerns_substance_use=bool(row["concerns_substance_use"]),
        request=row["request"],
        created_at=row["created_at"],
        state=row["state"],
        completed_at=row["completed_at"],
        raw_response=row["raw_response"],
        response_format=row["response_format"],
        determination=second_edition(row["determination"]),
        summary=row["summary"],
        error=row["error"],
        status=row["status"],
    )
