"""Running a queued verification: the record ends complete or failed, and the job says how."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from adapters.base import PayerResponse, PayerUnreachable
from adapters.directory import PayerDirectory, PayerSettings
from adapters.mock import scenario_271
from adapters.x12.reader import read_271
from verifier.bootstrap import Services, bootstrap
from verifier.domain.request import Provider, Subscriber, VerificationRequest
from verifier.services.jobs import run_job
from verifier.settings import load_settings
from verifier.store.memory import memory_stores

NOW = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)
REQUEST = VerificationRequest(
    payer_id="ACME",
    subscriber=Subscriber("M1", "Jane", "Doe", date(1985, 3, 15)),
    provider=Provider("1234567893", "Example Recovery"),
    service_date=date(2026, 11, 27),
)


class Payer:
    def __init__(self, answer: str | Exception) -> None:
        self.answer = answer

    def check(self, request: VerificationRequest) -> PayerResponse:
        if isinstance(self.answer, Exception):
            raise self.answer
        return PayerResponse(self.answer, "x12", read_271(self.answer))


def wired(answer: str | Exception) -> Services:
    return bootstrap(
        load_settings(environ={}),
        stores=memory_stores(lambda: NOW),
        adapter_for=lambda payer: Payer(answer),
        directory=PayerDirectory([PayerSettings(id="ACME", name="Acme Health")]),
        clock=lambda: NOW,
    )


def as_asked(stored: Mapping[str, Any]) -> VerificationRequest:
    return REQUEST


def queued_and_claimed(services: Services) -> Any:
    services.service.enqueue(REQUEST, {"as": "sent"})
    [job] = services.queue.claim("w1")
    return job


def test_a_job_completes_its_verification_and_is_done() -> None:
    services = wired(scenario_271("MOCK-IOP-DUAL"))
    job = queued_and_claimed(services)
    record, state = run_job(services.service, job, "w1", as_asked)
    stored = services.repository.get(job.verification_id)
    assert stored is not None and (stored.state, stored.status) == ("complete", "active")
    assert state == "done" and record.id == job.verification_id


def test_a_payer_that_cannot_be_reached_queues_the_job_again() -> None:
    services = wired(PayerUnreachable("connection refused"))
    job = queued_and_claimed(services)
    _, state = run_job(services.service, job, "w1", as_asked)
    assert state == "queued"
    again = services.queue.get(job.id)
    assert again is not None and again.last_error == "payer_unreachable"


def test_a_stored_request_that_no_longer_reads_ends_failed_not_pending() -> None:
    services = wired(scenario_271("MOCK-IOP-DUAL"))
    job = queued_and_claimed(services)

    def unreadable(stored: Mapping[str, Any]) -> VerificationRequest:
        raise ValueError("unknown field")

    _, state = run_job(services.service, job, "w1", unreadable)
    stored = services.repository.get(job.verification_id)
    assert stored is not None and stored.state == "failed"
    assert stored.error is not None and stored.error["code"] == "invalid_request"
    assert state == "done"
