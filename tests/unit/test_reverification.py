"""Re-verification's use cases on in-memory stores: who is due, and what queueing them writes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from adapters.directory import PayerDirectory, PayerSettings
from verifier import reverify
from verifier.bootstrap import Services, bootstrap
from verifier.records import VerificationRecord
from verifier.settings import Settings
from verifier.store.memory import memory_stores

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def services() -> Services:
    directory = PayerDirectory([PayerSettings(id="MOCK", name="Demo payer")])
    return bootstrap(Settings(), stores=memory_stores(lambda: NOW), directory=directory)


def seed(services: Services, record_id: str, member_id: str, days_old: int) -> None:
    subscriber = {
        "member_id": member_id,
        "first_name": "Ada",
        "last_name": "Example",
        "date_of_birth": "1980-01-02",
    }
    services.repository.add(
        VerificationRecord(
            id=record_id,
            payer_id="MOCK",
            member_id=member_id,
            request={"payer_id": "MOCK", "subscriber": subscriber, "mode": "async"},
            created_at=NOW - timedelta(days=days_old),
            state="complete",
            status="active",
        )
    )


def test_queueing_the_stale_stores_a_pending_verification_and_a_job_for_each() -> None:
    wired = services()
    seed(wired, "stale", "M-1", 40)
    seed(wired, "fresh", "M-2", 3)
    found = reverify.choose(
        wired, Settings(), now=NOW, older_than=timedelta(days=30), admission_within=None
    )
    assert [c.record.id for c in found.ready] == ["stale"]
    [new_id] = reverify.enqueue(found.ready, wired, found)
    stored = wired.repository.get(new_id)
    assert stored is not None and stored.state == "pending"
    assert "mode" not in stored.request  # how it was first sent is not how a batch asks
    assert wired.queue.counts() == {"queued": 1}
    assert reverify.unfinished(wired, reverify.job_ids(wired, [new_id])) == 1


def test_running_again_queues_nothing_new() -> None:
    wired = services()
    seed(wired, "stale", "M-1", 40)
    first = reverify.choose(
        wired, Settings(), now=NOW, older_than=timedelta(days=30), admission_within=None
    )
    reverify.enqueue(first.ready, wired, first)
    again = reverify.choose(
        wired, Settings(), now=NOW, older_than=timedelta(days=30), admission_within=None
    )
    assert again.ready == []
    assert wired.queue.counts() == {"queued": 1}
