"""The SQL repository and migrations against a real database (SQLite, and PostgreSQL if set)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.exc import OperationalError

from tests.helpers import FIXTURES
from verifier.records import COMPLETE, FAILED, PENDING, RecordQuery, VerificationRecord
from verifier.security.protector import load_protector
from verifier.store.engine import make_engine, make_session_factory
from verifier.store.migrate import current, head, upgrade
from verifier.store.repository import RecordMissing, SqlVerificationRepository
from verifier.store.tables import metadata

T0 = datetime(2025, 3, 10, 14, 30, 15, 123456, tzinfo=UTC)


@pytest.fixture
def repository(database_url: str) -> Iterator[SqlVerificationRepository]:
    upgrade(database_url)
    engine = make_engine(database_url, load_protector())
    try:
        yield SqlVerificationRepository(make_session_factory(engine))
    finally:
        engine.dispose()


def record(record_id: str, created_at: datetime = T0, **fields: Any) -> VerificationRecord:
    values: dict[str, Any] = {
        "payer_id": "MOCK",
        "member_id": "M-1",
        "request": {"payer_id": "MOCK", "subscriber": {"member_id": "M-1"}},
    }
    values.update(fields)
    return VerificationRecord(id=record_id, created_at=created_at, **values)


def test_upgrade_creates_the_schema_at_head(database_url: str) -> None:
    assert current(database_url) is None
    upgrade(database_url)
    assert current(database_url) == head() == "0009"


def test_upgrading_twice_is_a_no_op(
    repository: SqlVerificationRepository, database_url: str
) -> None:
    repository.add(record("a"))
    upgrade(database_url)
    assert current(database_url) == head() == "0009"
    assert repository.get("a") is not None


def test_the_migration_matches_the_table_definitions(database_url: str) -> None:
    upgrade(database_url)
    engine = make_engine(database_url, load_protector())
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, metadata) == []
            indexes = {ix["name"] for ix in inspect(connection).get_indexes("verifications")}
    finally:
        engine.dispose()
    assert "ix_verifications_member_id_created_at" in indexes


def test_an_added_record_reads_back_equal(repository: SqlVerificationRepository) -> None:
    added = record("a")
    repository.add(added)
    assert repository.get("a") == added


def test_get_returns_none_for_an_unknown_id(repository: SqlVerificationRepository) -> None:
    assert repository.get("nope") is None


def test_save_writes_every_mutable_field(repository: SqlVerificationRepository) -> None:
    stored = record("a")
    repository.add(stored)
    stored.state, stored.status = COMPLETE, "active_coverage"
    stored.completed_at = T0 + timedelta(seconds=2)
    stored.raw_response, stored.response_format = "ISA*00*~", "x12-271"
    stored.determination = {"status": "active_coverage", "levels": [{"code": "IOP", "copay": 25.0}]}
    stored.summary = "Active; IOP covered."
    stored.error = {"code": "none", "nested": {"retryable": False}}
    repository.save(stored)
    assert repository.get("a") == stored


def test_save_of_a_record_never_added_raises(repository: SqlVerificationRepository) -> None:
    with pytest.raises(RecordMissing):
        repository.save(record("ghost"))


def test_json_fields_round_trip_with_nested_values(repository: SqlVerificationRepository) -> None:
    # The record's member id is read back from the request, which always names it.
    request = {
        "subscriber": {"member_id": "M-1", "name": {"first": "Jane", "last": "Doe"}, "ids": [1, 2]},
        "x": None,
    }
    repository.add(record("a", request=request, determination={"a": {"b": {"c": [True, 1.5]}}}))
    stored = repository.get("a")
    assert stored is not None
    assert stored.request == request
    assert stored.determination == {"a": {"b": {"c": [True, 1.5]}}}
    assert stored.error is None


def test_datetimes_come_back_timezone_aware_in_utc(repository: SqlVerificationRepository) -> None:
    eastern = timezone(timedelta(hours=-5))
    repository.add(record("a", created_at=T0.astimezone(eastern), completed_at=T0))
    stored = repository.get("a")
    assert stored is not None
    assert stored.created_at == T0 and stored.created_at.tzinfo == UTC
    assert stored.completed_at is not None and stored.completed_at.tzinfo == UTC


def test_find_lists_newest_first_with_the_total_across_pages(
    repository: SqlVerificationRepository,
) -> None:
    for n in range(5):
        repository.add(record(f"r{n}", created_at=T0 + timedelta(minutes=n)))
    first = repository.find(RecordQuery(limit=2))
    second = repository.find(RecordQuery(limit=2, offset=2))
    last = repository.find(RecordQuery(limit=2, offset=4))
    assert [r.id for r in first.items] == ["r4", "r3"]
    assert [r.id for r in second.items] == ["r2", "r1"]
    assert [r.id for r in last.items] == ["r0"]
    assert first.total == second.total == last.total == 5


def test_find_filters_by_member_payer_status_and_state(
    repository: SqlVerificationRepository,
) -> None:
    repository.add(record("a", member_id="M-1", payer_id="P1", state=COMPLETE, status="active"))
    repository.add(record("b", member_id="M-1", payer_id="P2", state=FAILED))
    repository.add(record("c", member_id="M-2", payer_id="P1", state=COMPLETE, status="inactive"))
    repository.add(record("d", member_id="M-2", payer_id="P1"))

    def ids(**filters: Any) -> list[str]:
        page = repository.find(RecordQuery(**filters))
        assert page.total == len(page.items)
        return sorted(r.id for r in page.items)

    assert ids(member_id="M-1") == ["a", "b"]
    assert ids(payer_id="P1") == ["a", "c", "d"]
    assert ids(status="inactive") == ["c"]
    assert ids(state=PENDING) == ["d"]
    assert ids(member_id="M-2", payer_id="P1", state=COMPLETE) == ["c"]
    assert ids(member_id="nobody") == []


def test_find_date_bounds_are_whole_utc_days_inclusive(
    repository: SqlVerificationRepository,
) -> None:
    moments = {
        "before": datetime(2025, 3, 9, 23, 59, 59, 999999, tzinfo=UTC),
        "first": datetime(2025, 3, 10, 0, 0, tzinfo=UTC),
        "last": datetime(2025, 3, 11, 23, 59, 59, 999999, tzinfo=UTC),
        "after": datetime(2025, 3, 12, 0, 0, tzinfo=UTC),
        # 20:00 on the 11th in New York is already the 12th in UTC.
        "late_local": datetime(2025, 3, 11, 20, 0, tzinfo=timezone(timedelta(hours=-4))),
    }
    for name, moment in moments.items():
        repository.add(record(name, created_at=moment))
    page = repository.find(
        RecordQuery(created_from=date(2025, 3, 10), created_to=date(2025, 3, 11))
    )
    assert [r.id for r in page.items] == ["last", "first"]
    assert page.total == 2
    assert {r.id for r in repository.find(RecordQuery(created_from=date(2025, 3, 12))).items} == {
        "after",
        "late_local",
    }


def test_adding_a_naive_datetime_is_refused(repository: SqlVerificationRepository) -> None:
    with pytest.raises(Exception, match="naive datetime"):
        repository.add(record("a", created_at=datetime(2025, 3, 10, 12, 0)))
    assert repository.get("a") is None


def test_ping_succeeds_on_a_reachable_database(repository: SqlVerificationRepository) -> None:
    repository.ping()


def test_ping_raises_when_the_database_is_unreachable(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/missing-dir/db.sqlite3", load_protector())
    try:
        with pytest.raises(OperationalError):
            SqlVerificationRepository(make_session_factory(engine)).ping()
    finally:
        engine.dispose()


def test_a_determination_stored_by_the_previous_release_reads_in_the_new_shape(
    repository: SqlVerificationRepository,
) -> None:
    old = json.loads((FIXTURES / "stored" / "first_edition_MOCK-IOP-DUAL.json").read_text())
    repository.add(record("old", state="complete", determination=old))
    read_back = repository.get("old")
    assert read_back is not None and read_back.determination is not None
    level = read_back.determination["levels_of_care"]["iop_mental_health"]
    assert level["network_not_stated"] is None
    assert level["in_network"]["basis"] == "general_service_type"
    assert read_back.determination["other_payers"] == []
