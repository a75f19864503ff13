"""`verifier purge` deletes old verifications and what hangs off them, nothing else."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from click.testing import CliRunner
from flask import Flask
from sqlalchemy import func, insert, or_, select

from verifier.cli import main
from verifier.records import VerificationRecord
from verifier.security.protector import load_protector
from verifier.store.engine import make_engine
from verifier.store.tables import metadata, verifications


def record(record_id: str, age_days: int, member_id: str) -> VerificationRecord:
    return VerificationRecord(
        id=record_id,
        payer_id="MOCK",
        member_id=member_id,
        request={"payer_id": "MOCK", "subscriber": {"member_id": member_id}},
        created_at=datetime.now(UTC) - timedelta(days=age_days),
        state="complete",
    )


def test_purge_deletes_only_what_is_older_than_the_limit(
    make_app: Callable[..., Flask], database_url: str
) -> None:
    services = make_app().extensions["verifier"]
    services.repository.add(record("old", 400, "A"))
    services.repository.add(record("new", 10, "B"))
    queued = record("old-but-queued", 400, "C")
    queued.state = "pending"
    services.repository.add(queued)
    services.queue.add(queued, job_id="j1", source="reverify", person="C")
    result = CliRunner().invoke(
        main, ["purge", "--older-than", "365"], env={"VERIFIER_DATABASE_URL": database_url}
    )
    assert result.exit_code == 0, result.output
    assert "purged 1 verifications" in result.output
    assert services.repository.get("old") is None
    assert services.repository.get("new") is not None
    assert services.repository.get("old-but-queued") is not None


# Tables that hold nothing of a verification: each needs a reason to be here.
INDEPENDENT = {
    "verifications": "the purged rows themselves",
    "api_keys": "keys, no member data",
    "audit_events": "kept six years by design; it holds record ids, never PHI",
    "rate_windows": "hashed counters, purged by age",
}


def filler(column: Any, verification_id: str) -> Any:
    """A value any row of the schema will take for `column`."""
    if column.name.endswith("verification_id"):
        return verification_id
    kind = type(column.type).__name__
    if kind in ("UTCDateTime", "DateTime"):
        return datetime.now(UTC)
    if kind in ("Integer", "BigInteger"):
        return 1
    if kind == "Boolean":
        return False
    if kind in ("JSON", "EncryptedJSON", "NullableJSON"):
        return {"rep_name": "Pat Example", "note": "covered"}
    length = getattr(column.type, "length", None) or 32
    return uuid.uuid4().hex[:length]


def test_purge_leaves_nothing_of_a_purged_verification_in_any_table(
    make_app: Callable[..., Flask], database_url: str
) -> None:
    make_app().extensions["verifier"].repository.add(record("old", 400, "A"))
    engine = make_engine(database_url, load_protector())
    dependents = [t for t in metadata.sorted_tables if t.name not in INDEPENDENT]
    assert {t.name for t in dependents} >= {"jobs", "change_events", "phone_facts"}
    with engine.begin() as connection:
        for table in dependents:
            assert any(c.name.endswith("verification_id") for c in table.c), (
                f"{table.name} names no verification: purge it with them, or say why not"
            )
            row = {c.name: filler(c, "old") for c in table.c if not c.nullable or c.primary_key}
            # A finished job: open ones keep their verification.
            row.update({"state": "done"} if table.name == "jobs" else {})
            connection.execute(insert(table).values(**row))
    result = CliRunner().invoke(
        main, ["purge", "--older-than", "365"], env={"VERIFIER_DATABASE_URL": database_url}
    )
    assert result.exit_code == 0, result.output
    with engine.connect() as connection:
        for table in [verifications, *dependents]:
            names = [c for c in table.c if c.name.endswith("verification_id") or c.name == "id"]
            left = connection.execute(
                select(func.count()).select_from(table).where(or_(*(c == "old" for c in names)))
            ).scalar()
            assert left == 0, f"purge left {left} rows of {table.name}"
    engine.dispose()
