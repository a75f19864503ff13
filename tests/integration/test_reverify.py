"""The `verifier reverify` command on a real database: who is due, queueing, dry runs, waiting."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from cryptography.fernet import Fernet
from flask import Flask
from sqlalchemy import create_engine, func, select

from schemas.request import VerificationRequestSchema
from tests.helpers import determine, fixture_path
from verifier import cli_operations, reverify
from verifier.batch import Worker
from verifier.cli import main
from verifier.domain.request import person_asked_about
from verifier.intake import to_request
from verifier.records import VerificationRecord
from verifier.settings import Settings
from verifier.store.tables import jobs, verifications

DATA_KEY, INDEX_KEY = Fernet.generate_key().decode(), "reverify-index-key"
# Distinctive names, so a leak into the output cannot hide behind a common word.
FIRST, LAST = "Philippa", "Quernby"
PAYERS = """
[[payers]]
id = "MOCK"
name = "Mock Health Plan"
aliases = ["DEMO PAYER"]
adapter = "mock"

[[payers]]
id = "OTHER"
name = "Other Mock Plan"
adapter = "mock"
"""


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    return make_app(MOCK_TIMEOUT_SECONDS=0.01, DATA_KEYS=DATA_KEY, BLIND_INDEX_KEY=INDEX_KEY)


@pytest.fixture
def run(database_url: str, tmp_path: Path) -> Callable[..., Result]:
    """Invoke `verifier reverify ARGS` as an operator would, checking no member data is shown."""
    payers = tmp_path / "payers.toml"
    payers.write_text(PAYERS, "utf-8")
    env = {
        "VERIFIER_DATABASE_URL": database_url,
        "VERIFIER_PAYERS_FILE": str(payers),
        "VERIFIER_MOCK_TIMEOUT_SECONDS": "0.01",
        "VERIFIER_DATA_KEYS": DATA_KEY,
        "VERIFIER_BLIND_INDEX_KEY": INDEX_KEY,
    }

    def invoke(*args: str, exit_code: int = 0) -> Result:
        result = CliRunner().invoke(main, ["reverify", *args], env=env)
        assert result.exit_code == exit_code, result.output
        # Seeded member ids all start MOCK- or M-; the payer ids do not.
        for secret in (FIRST, LAST, "1985-03-15", "MOCK-", "M-"):
            assert secret not in result.output
        return result

    return invoke


def body(member_id: str, payer_id: str = "MOCK", **extra: Any) -> dict[str, Any]:
    subscriber = {
        "member_id": member_id,
        "first_name": FIRST,
        "last_name": LAST,
        "date_of_birth": "1985-03-15",
    }
    return {"payer_id": payer_id, "subscriber": subscriber, **extra}


def seed(
    app: Flask, record_id: str, member_id: str, days_old: float, **fields: Any
) -> VerificationRecord:
    """A completed verification created `days_old` days ago."""
    payer_id = fields.pop("payer_id", "MOCK")
    record = VerificationRecord(
        id=record_id,
        payer_id=payer_id,
        member_id=member_id,
        request=fields.pop("request", None) or body(member_id, payer_id),
        created_at=datetime.now(UTC) - timedelta(days=days_old),
        **{"state": "complete", "status": "active", **fields},
    )
    app.extensions["verifier"].repository.add(record)
    return record


def read(app: Flask, statement: Any) -> list[Any]:
    """Rows read straight from the database."""
    engine = create_engine(app.config["DATABASE_URL"])
    try:
        with engine.connect() as connection:
            return list(connection.execute(statement))
    finally:
        engine.dispose()


def queued(app: Flask) -> list[VerificationRecord]:
    """The verifications the command queued, by member id."""
    ids = read(app, select(jobs.c.verification_id).where(jobs.c.source == "reverify"))
    found = [app.extensions["verifier"].service.get(row[0]) for row in ids]
    return sorted(found, key=lambda r: r.member_id)


def row_counts(app: Flask) -> list[Any]:
    count = select(func.count())
    return read(app, count.select_from(verifications)) + read(app, count.select_from(jobs))


def test_stale_members_are_enqueued_and_fresh_ones_are_not(app: Flask, run: Any) -> None:
    stale_body = body("M-STALE", mode="async", callback_url="http://127.0.0.1:9/hook")
    seed(app, "stale", "M-STALE", 40, request=stale_body)
    seed(app, "fresh", "M-FRESH", 5)
    seed(app, "old", "M-RENEWED", 60)
    seed(app, "renewed", "M-RENEWED", 2)
    assert run().output.strip() == "enqueued 1, already queued 0, skipped 0"
    [record] = queued(app)
    assert record.member_id == "M-STALE" and record.state == "pending"
    assert record.request == body("M-STALE", service_date=date.today().isoformat())


def test_running_twice_enqueues_nothing_new(app: Flask, run: Any) -> None:
    seed(app, "a", "M-A", 31)
    seed(app, "b", "M-B", 45)
    assert "enqueued 2," in run("--older-than", "30d").output
    assert run("--older-than", "30d").output.strip() == "enqueued 0, already queued 0, skipped 0"
    assert len(queued(app)) == 2


def test_payer_filters_by_id_or_alias(app: Flask, run: Any) -> None:
    seed(app, "mock", "M-MOCK", 40)
    seed(app, "other", "M-OTHER", 40, payer_id="OTHER")
    assert "enqueued 1," in run("--payer", "OTHER").output
    assert [r.payer_id for r in queued(app)] == ["OTHER"]
    assert "enqueued 1," in run("--payer", "DEMO PAYER").output
    assert [r.payer_id for r in queued(app)] == ["MOCK", "OTHER"]


def test_admission_within_selects_near_service_dates(app: Flask, run: Any) -> None:
    soon = (date.today() + timedelta(days=5)).isoformat()
    later = (date.today() + timedelta(days=30)).isoformat()
    seed(app, "soon", "M-SOON", 2, request=body("M-SOON", service_date=soon))
    seed(app, "later", "M-LATER", 2, request=body("M-LATER", service_date=later))
    seed(app, "undated", "M-UNDATED", 2)
    seed(app, "stale", "M-STALE", 40)
    assert run("--admission-within", "14d").output.strip() == (
        "enqueued 1, already queued 0, skipped 0"
    )
    [record] = queued(app)
    assert record.member_id == "M-SOON"
    assert record.request["service_date"] == soon  # the admission date is kept
    # The new verification carries the same date, so it is due again, but its job is open.
    assert "enqueued 0, already queued 1," in run("--admission-within", "14d").output
    both = run("--admission-within", "14d", "--older-than", "30d").output
    assert "enqueued 1, already queued 1," in both


def test_dry_run_counts_by_payer_and_changes_nothing(app: Flask, run: Any) -> None:
    seed(app, "a", "M-A", 40)
    seed(app, "b", "M-B", 35)
    seed(app, "c", "M-C", 33, payer_id="OTHER")
    # A field the request schema no longer knows: the stored body no longer validates.
    seed(app, "bad", "M-BAD", 50, request=body("M-BAD", plan_code="P1"))
    open_one = VerificationRecord(
        "open", "MOCK", "M-OPEN", body("M-OPEN"), datetime.now(UTC) - timedelta(days=45)
    )
    # Open for the same person and the date re-verification would ask about: today.
    asked = reverify.renewed_body(open_one.request, date.today())
    person = person_asked_about(to_request(VerificationRequestSchema().load(asked), Settings()))
    services = app.extensions["verifier"]
    services.repository.add(open_one)
    services.queue.add(open_one, job_id="j-open", source="api", person=person)
    before = row_counts(app)
    lines = run("--dry-run").output.splitlines()
    assert lines[0] == "would enqueue 3, already queued 1, skipped 1"
    assert [line.split() for line in lines[1:]] == [
        ["payer", "members", "oldest"],
        ["MOCK", "2", "40d"],
        ["OTHER", "1", "33d"],
    ]
    assert row_counts(app) == before


def test_limit_takes_the_stalest_first(app: Flask, run: Any) -> None:
    seed(app, "a", "M-A", 40)
    seed(app, "b", "M-B", 90)
    assert "enqueued 1," in run("--limit", "1").output
    assert [r.member_id for r in queued(app)] == ["M-B"]


def test_a_bad_duration_is_a_usage_error_naming_the_option(run: Any) -> None:
    result = run("--older-than", "3 weeks", exit_code=2)
    assert "--older-than" in result.output and "30d, 12h or 90m" in result.output


def test_wait_follows_a_worker_and_ends_with_the_outcome_table(
    app: Flask, run: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli_operations, "WAIT_POLL_SECONDS", 0.05)
    was_inactive = determine(fixture_path("MOCK-INACTIVE"))
    seed(app, "a", "MOCK-IOP-DUAL", 40, status="inactive", determination=was_inactive)
    seed(app, "b", "MOCK-INACTIVE", 40)
    seed(app, "c", "MOCK-NOT-FOUND", 40)
    services = app.extensions["verifier"]
    worker = Worker(services.service, services.queue, app.extensions["settings"], poll_seconds=0.05)
    thread = threading.Thread(target=worker.run)
    thread.start()
    try:
        output = run("--wait").output
    finally:
        worker.stop()
        thread.join(timeout=10)
    assert "enqueued 3, already queued 0, skipped 0" in output
    table = dict(line.rsplit(maxsplit=1) for line in output.splitlines() if line[-1:].isdigit())
    assert table["complete-active"] == "1" and table["complete-inactive"] == "1"
    assert table["not_found"] == "1"
    assert table["coverage_regained"] == "1"  # the member's plan was inactive 40 days ago
