"""The verification service with fakes: stored before the payer is called, never lost after."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from adapters.base import PayerProtocolError, PayerResponse, PayerUnreachable
from adapters.directory import PayerDirectory, PayerSettings
from adapters.mock import scenario_271
from adapters.x12.reader import read_271
from verifier.domain.request import Provider, Subscriber, VerificationRequest
from verifier.records import RecordPage, RecordQuery, VerificationRecord
from verifier.service import NoMetrics, UnknownPayer, VerificationService


class FakeRepository:
    def __init__(self) -> None:
        self.records: dict[str, VerificationRecord] = {}
        self.states_at_add: list[str] = []

    def add(self, record: VerificationRecord) -> None:
        self.states_at_add.append(record.state)
        self.records[record.id] = record

    def save(self, record: VerificationRecord) -> None:
        self.records[record.id] = record

    def get(self, record_id: str) -> VerificationRecord | None:
        return self.records.get(record_id)

    def find(self, query: RecordQuery) -> RecordPage:
        items = [r for r in self.records.values() if query.member_id in (None, r.member_id)]
        return RecordPage(items, len(items))

    def ping(self) -> None:
        pass


class FakeAdapter:
    def __init__(self, repository: FakeRepository, answer: str | Exception) -> None:
        self.repository, self.answer = repository, answer
        self.seen_pending = False

    def check(self, request: VerificationRequest) -> PayerResponse:
        self.seen_pending = all(r.state == "pending" for r in self.repository.records.values())
        if isinstance(self.answer, Exception):
            raise self.answer
        return PayerResponse(self.answer, "x12", read_271(self.answer))


REQUEST = VerificationRequest(
    payer_id="acme health",
    subscriber=Subscriber("M1", "Jane", "Doe", date(1985, 3, 15)),
    provider=Provider("1234567893", "Example Recovery"),
    service_date=date(2026, 11, 27),
)


def service(answer: str | Exception) -> tuple[VerificationService, FakeRepository, FakeAdapter]:
    repository = FakeRepository()
    adapter = FakeAdapter(repository, answer)
    directory = PayerDirectory(
        [PayerSettings(id="ACME", name="Acme Health", aliases=("ACME HEALTH",))]
    )
    svc = VerificationService(
        repository=repository,
        directory=directory,
        adapter_for=lambda settings: adapter,
        metrics=NoMetrics(),
        clock=lambda: datetime(2026, 11, 27, 9, 30, tzinfo=UTC),
        new_id=lambda: "v1",
    )
    return svc, repository, adapter


def test_stores_pending_before_calling_the_payer_and_completes_after() -> None:
    svc, repository, adapter = service(scenario_271("MOCK-IOP-DUAL"))
    record = svc.verify(REQUEST, {"as": "sent"})
    assert repository.states_at_add == ["pending"]
    assert adapter.seen_pending
    assert record.state == "complete"
    assert record.payer_id == "ACME"
    assert record.status == "active"
    assert record.raw_response and record.raw_response.startswith("ISA")
    assert record.determination and record.summary


def test_marks_verification_failed_with_a_reason_when_the_payer_is_unreachable() -> None:
    svc, repository, _ = service(PayerUnreachable("connection refused"))
    record = svc.verify(REQUEST, {"as": "sent"})
    assert record.state == "failed"
    assert record.error == {
        "code": "payer_unreachable",
        "message": "connection refused",
        "retryable": True,
    }
    assert repository.records["v1"].request == {"as": "sent"}


def test_an_answer_nobody_can_read_fails_final_and_keeps_what_the_payer_sent() -> None:
    svc, repository, _ = service(PayerProtocolError("unreadable", raw="GS*HB~", format="x12"))
    record = svc.verify(REQUEST, {"as": "sent"})
    assert record.state == "failed"
    assert record.error and record.error["retryable"] is False
    stored = repository.records["v1"]
    assert (stored.raw_response, stored.response_format) == ("GS*HB~", "x12")


def test_an_unexpected_failure_still_ends_stored() -> None:
    svc, repository, _ = service(RuntimeError("boom"))
    record = svc.verify(REQUEST, {"as": "sent"})
    assert record.state == "failed"
    assert record.error and record.error["code"] == "internal_error"
    assert "boom" not in record.error["message"]
    assert repository.records["v1"].state == "failed"


def test_unknown_payer_is_refused_before_anything_is_stored() -> None:
    svc, repository, _ = service(scenario_271("MOCK-IOP-DUAL"))
    with pytest.raises(UnknownPayer):
        svc.verify(replace(REQUEST, payer_id="NOPE"), {})
    assert repository.records == {}


def test_carve_out_is_verified_again_with_the_administrator_and_merged() -> None:
    repository = FakeRepository()
    primary = FakeAdapter(repository, scenario_271("MOCK-CARVE-OUT"))
    administrator = FakeAdapter(repository, scenario_271("MOCK-IOP-DUAL"))
    directory = PayerDirectory(
        [
            PayerSettings(id="ACME", name="Acme Health"),
            PayerSettings(id="MBBH1", name="Mindbridge Behavioral Health"),
        ]
    )
    svc = VerificationService(
        repository=repository,
        directory=directory,
        adapter_for=lambda settings: administrator if settings.id == "MBBH1" else primary,
        metrics=NoMetrics(),
        new_id=lambda: "v1",
    )
    record = svc.verify(replace(REQUEST, payer_id="ACME"), {})
    assert record.response_format == "bundle"
    assert record.determination is not None
    levels = record.determination["levels_of_care"]
    assert levels["iop_mental_health"]["covered"] is True
    assert any(e.startswith("[inquiry MBBH1] ") for e in levels["iop_mental_health"]["evidence"])
    assert (
        record.determination["behavioral_health_administrator"]["name"]
        == "MINDBRIDGE BEHAVIORAL HEALTH"
    )
    assert record.summary and "managed by MINDBRIDGE BEHAVIORAL HEALTH" in record.summary


def test_carve_out_to_an_unknown_administrator_keeps_the_first_answer() -> None:
    svc, _, _ = service(scenario_271("MOCK-CARVE-OUT"))
    record = svc.verify(replace(REQUEST, payer_id="ACME"), {})
    assert record.response_format == "x12"
    assert record.determination["levels_of_care"]["iop_mental_health"]["covered"] is None  # type: ignore[index]


class HangingAdapter:
    """A payer that answers only when told to, as one hanging on its connection would not."""

    def __init__(self) -> None:
        self.release = threading.Event()

    def check(self, request: VerificationRequest) -> PayerResponse:
        self.release.wait(10)
        answer = scenario_271("MOCK-IOP-DUAL")
        return PayerResponse(answer, "x12", read_271(answer))


def test_a_synchronous_verification_stops_waiting_for_a_hanging_payer() -> None:
    svc, repository, _ = service(scenario_271("MOCK-IOP-DUAL"))
    hanging = HangingAdapter()
    svc = replace(svc, adapter_for=lambda settings: hanging, answer_within=0.2)
    started = time.monotonic()
    try:
        record = svc.verify(REQUEST, {"as": "sent"})
    finally:
        hanging.release.set()
    assert time.monotonic() - started < 2
    assert record.state == "failed"
    assert record.error is not None and record.error["code"] == "timeout"
    assert record.error["retryable"] is True
    assert "within 0.2 seconds" in record.error["message"]
    assert repository.records["v1"].state == "failed"


def test_a_payer_that_answers_in_time_is_not_affected_by_the_wait() -> None:
    svc, _, _ = service(scenario_271("MOCK-IOP-DUAL"))
    record = replace(svc, answer_within=5.0).verify(REQUEST, {"as": "sent"})
    assert record.state == "complete" and record.status == "active"
