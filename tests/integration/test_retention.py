"""`verifier purge` deletes old verifications and what hangs off them, nothing else."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from click.testing import CliRunner
from flask import Flask

from verifier.cli import main
from verifier.records import VerificationRecord


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
    services.queue.enqueue(queued, job_id="j1", source="reverify", person="C")
    result = CliRunner().invoke(
        main, ["purge", "--older-than", "365"], env={"VERIFIER_DATABASE_URL": database_url}
    )
    assert result.exit_code == 0, result.output
    assert "purged 1 verifications" in result.output
    assert services.repository.get("old") is None
    assert services.repository.get("new") is not None
    assert services.repository.get("old-but-queued") is not None
