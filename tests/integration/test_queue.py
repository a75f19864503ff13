"""The job queue, the worker, async verifications and change events, on a real database."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask

from tests.helpers import at_once, authorized, determine, fixture_path
from verifier.batch import Worker
from verifier.ports import Job
from verifier.records import VerificationRecord
from verifier.security.protector import load_protector
from verifier.store.engine import make_engine, make_session_factory
from verifier.store.migrate import upgrade
from verifier.store.queue import SqlJobQueue
from verifier.store.repository import SqlVerificationRepository
from verifier.webhooks import signature

BODY: dict[str, Any] = {
    "payer_id": "MOCK",
    "subscriber": {
        "member_id": "MOCK-IOP-DUAL",
        "first_name": "Jane",
        "last_name": "Doe",
        "date_of_birth": "1985-03-15",
    },
}


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


class Queue(SqlJobQueue):
    """The queue, storing each job's pending verification first as the service does."""

    def __init__(self, sessions: Any, **options: Any) -> None:
        super().__init__(sessions, **options)
        self.records = SqlVerificationRepository(sessions)

    def enqueue(self, record: VerificationRecord, **job: Any) -> Job | None:
        self.records.add(record)
        return self.add(record, **job)


@pytest.fixture
def queue(database_url: str) -> Iterator[tuple[Queue, Clock]]:
    upgrade(database_url)
    engine = make_engine(database_url, load_protector())
    clock = Clock()
    yield Queue(make_session_factory(engine), lease_seconds=60, clock=clock), clock
    engine.dispose()


def pending(record_id: str, member_id: str = "M1") -> VerificationRecord:
    return VerificationRecord(
        id=record_id,
        payer_id="MOCK",
        member_id=member_id,
        request=BODY,
        created_at=datetime(2026, 11, 27, 8, 0, tzinfo=UTC),
    )


def test_enqueue_twice_for_the_same_member_and_payer_keeps_one_open_job(queue) -> None:
    q, _ = queue
    first = q.enqueue(pending("v1"), job_id="j1", source="api", person="P")
    again = q.enqueue(pending("v2"), job_id="j2", source="reverify", person="P")
    assert first is not None and first.id == "j1"
    assert again is None
    assert q.open_job("M1", "MOCK", "P") == first
    assert q.counts() == {"queued": 1}


def test_a_job_is_claimed_by_one_worker_only(queue) -> None:
    q, _ = queue
    for i in range(3):
        q.enqueue(pending(f"v{i}", member_id=f"M{i}"), job_id=f"j{i}", source="api", person="P")
    first = q.claim("a", limit=10)
    assert len(first) == 3
    assert q.claim("b", limit=10) == []
    assert {job.attempts for job in first} == {1}


def test_an_expired_lease_is_claimed_again_and_the_old_holder_loses_it(queue) -> None:
    q, clock = queue
    q.enqueue(pending("v1"), job_id="j1", source="api", person="P")
    [job] = q.claim("a")
    clock.now += timedelta(seconds=61)
    [again] = q.claim("b")
    assert again.id == job.id
    assert again.attempts == 2
    assert q.finish(job, "a") == "lost"
    assert q.finish(again, "b") == "done"


def test_retryable_failures_back_off_then_go_to_the_dead_letter_state(queue) -> None:
    q, clock = queue
    q.enqueue(pending("v1"), job_id="j1", source="api", person="P")
    states = []
    for _ in range(5):
        [job] = q.claim("a")
        states.append(q.finish(job, "a", error="timeout", retryable=True))
        assert q.claim("a") == []  # not before its backoff
        clock.now += timedelta(hours=2)
    assert states == ["queued", "queued", "queued", "queued", "dead"]
    assert q.get("j1").last_error == "timeout"  # type: ignore[union-attr]


def test_a_non_retryable_failure_is_done_at_once(queue) -> None:
    q, _ = queue
    q.enqueue(pending("v1"), job_id="j1", source="api", person="P")
    [job] = q.claim("a")
    assert q.finish(job, "a", error="payer_refused_request", retryable=False) == "done"


def test_a_released_job_goes_back_untouched(queue) -> None:
    q, _ = queue
    q.enqueue(pending("v1"), job_id="j1", source="api", person="P")
    [job] = q.claim("a")
    q.release(job, "a")
    [again] = q.claim("b")
    assert again.attempts == 1


def test_an_expired_lease_on_the_last_attempt_is_dead(queue) -> None:
    q, clock = queue
    record = pending("v1")
    q.enqueue(record, job_id="j1", source="api", person="P", max_attempts=1)
    q.claim("a")
    clock.now += timedelta(minutes=5)
    assert q.claim("b") == []
    assert q.get("j1").state == "dead"  # type: ignore[union-attr]


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    return make_app(WEBHOOK_SECRET="s3cret", MOCK_TIMEOUT_SECONDS=0.01)


def worker(app: Flask, calls: list[tuple[Any, ...]] | None = None) -> Worker:
    services = app.extensions["verifier"]
    sent = calls if calls is not None else []
    return Worker(
        services.service,
        services.queue,
        app.extensions["settings"],
        concurrency=2,
        webhook=lambda *args: sent.append(args) or True,
    )


def test_async_request_answers_202_and_completes_in_the_worker(app: Flask) -> None:
    client = authorized(app)
    body = {**BODY, "mode": "async", "callback_url": "http://127.0.0.1:9/hook"}
    response = client.post("/v1/verifications", json=body)
    assert response.status_code == 202
    location = response.headers["Location"]
    assert client.get(location).get_json()["state"] == "pending"
    calls: list[tuple[Any, ...]] = []
    worker(app, calls).run(until_idle=True)
    record = client.get(location).get_json()
    assert record["state"] == "complete"
    assert record["determination"]["status"] == "active"
    assert [(c[1], c[3], c[4], c[5]) for c in calls] == [
        ("http://127.0.0.1:9/hook", record["id"], "complete", "active")
    ]


def test_prefer_respond_async_header_also_queues(app: Flask) -> None:
    response = authorized(app).post(
        "/v1/verifications", json=BODY, headers={"Prefer": "respond-async"}
    )
    assert response.status_code == 202


def test_callback_without_async_is_refused(app: Flask) -> None:
    response = authorized(app).post(
        "/v1/verifications", json={**BODY, "callback_url": "http://127.0.0.1:9/hook"}
    )
    assert response.status_code == 422
    assert "callback_url" in response.get_json()["errors"]


def test_a_payer_timeout_in_the_worker_is_retried_later(app: Flask) -> None:
    client = authorized(app)
    body = {
        **BODY,
        "mode": "async",
        "subscriber": {**BODY["subscriber"], "member_id": "MOCK-TIMEOUT"},
    }
    record_id = client.post("/v1/verifications", json=body).get_json()["id"]
    worker(app).run(until_idle=True)
    record = client.get(f"/v1/verifications/{record_id}").get_json()
    assert record["state"] == "failed"
    job = app.extensions["verifier"].queue.for_verification(record_id)
    assert job.state == "queued" and job.attempts == 1


def test_a_changed_answer_becomes_a_change_event(app: Flask) -> None:
    services = app.extensions["verifier"]
    previous = determine(fixture_path("MOCK-INACTIVE"))
    services.repository.add(
        VerificationRecord(
            id="earlier",
            payer_id="MOCK",
            member_id="MOCK-IOP-DUAL",
            request=BODY,
            created_at=datetime.now(UTC) - timedelta(days=40),
            state="complete",
            status="inactive",
            determination=previous,
            summary="",
            completed_at=datetime.now(UTC) - timedelta(days=40),
        )
    )
    client = authorized(app)
    current = client.post("/v1/verifications", json=BODY).get_json()
    changes = client.get("/v1/changes?member_id=MOCK-IOP-DUAL").get_json()
    kinds = [c["kind"] for c in changes["items"]]
    assert "coverage_regained" in kinds
    assert all(c["verification_id"] == current["id"] for c in changes["items"])
    only = client.get("/v1/changes?kind=coverage_regained").get_json()
    assert only["total"] == 1
    assert "Jane" not in str(changes)


def test_webhook_signature_is_hmac_sha256_of_timestamp_and_body() -> None:
    body = b'{"verification_id":"v1"}'
    expected = hmac.new(b"key", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert signature("key", "1700000000", body) == f"sha256={expected}"


PARENT = {**BODY, "mode": "async", "service_date": "2026-12-07"}
CHILD = {
    **PARENT,
    "patient": {
        "first_name": "Robin",
        "last_name": "Doe",
        "date_of_birth": "2010-06-01",
        "relationship": "child",
    },
}


def test_two_people_on_one_family_member_id_get_their_own_queued_checks(app: Flask) -> None:
    client = authorized(app)
    parent = client.post("/v1/verifications", json=PARENT)
    child = client.post("/v1/verifications", json=CHILD)
    assert (parent.status_code, child.status_code) == (202, 202)
    assert parent.get_json()["id"] != child.get_json()["id"]
    assert child.get_json()["request"]["patient"]["first_name"] == "Robin"
    assert parent.get_json()["request"].get("patient") is None
    assert app.extensions["verifier"].queue.counts() == {"queued": 2}


def test_a_different_date_of_service_is_its_own_queued_check(app: Flask) -> None:
    client = authorized(app)
    first = client.post("/v1/verifications", json=PARENT).get_json()
    later = client.post("/v1/verifications", json={**PARENT, "service_date": "2027-01-04"})
    assert later.get_json()["id"] != first["id"]


def test_the_same_person_asked_twice_shares_one_queued_check(app: Flask) -> None:
    client = authorized(app)
    first = client.post("/v1/verifications", json=CHILD).get_json()
    # Case and spacing are how people type, not who they are.
    again_body = {**CHILD, "patient": {**CHILD["patient"], "first_name": " ROBIN "}}
    again = client.post("/v1/verifications", json=again_body).get_json()
    assert again["id"] == first["id"]
    assert app.extensions["verifier"].queue.counts() == {"queued": 1}


def test_concurrent_requests_for_two_people_on_one_member_id_never_share_a_record(
    make_app: Callable[..., Flask],
) -> None:
    # Two app instances stand for two server processes answering at the same moment.
    apps = [make_app(MOCK_TIMEOUT_SECONDS=0.01), make_app(MOCK_TIMEOUT_SECONDS=0.01)]
    clients = [authorized(apps[0]), authorized(apps[1])]
    for round_number in range(5):
        day = f"2026-12-{10 + round_number:02d}"
        bodies = [{**PARENT, "service_date": day}, {**CHILD, "service_date": day}]
        answers = at_once(
            [
                lambda c=c, b=b: c.post("/v1/verifications", json=b).get_json()
                for c, b in zip(clients, bodies, strict=True)
            ]
        )
        assert answers[0]["id"] != answers[1]["id"]
        assert answers[0]["request"].get("patient") is None
        assert answers[1]["request"]["patient"]["first_name"] == "Robin"
    assert apps[0].extensions["verifier"].queue.counts() == {"queued": 10}


def test_counts_take_any_number_of_job_ids(queue) -> None:
    q, _ = queue
    for i in range(3):
        q.enqueue(pending(f"v{i}", member_id=f"M{i}"), job_id=f"j{i}", source="api", person="P")
    asked = [f"j{i}" for i in range(3)] + [f"unknown-{i}" for i in range(1200)]
    assert q.counts(asked) == {"queued": 3}
    assert q.counts([]) == {}
