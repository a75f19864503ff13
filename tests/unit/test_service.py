"""The verification service with fakes: stored before the payer is called, never lost after."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest

from adapters.base import PayerProtocolError, PayerResponse, PayerUnreachable
from adapters.directory import PayerDirectory, PayerSettings
from adapters.mock import scenario_271
from adapters.x12.reader import read_271
from verifier.bootstrap import bootstrap
from verifier.domain.request import Provider, Subscriber, VerificationRequest
from verifier.ports import Stores
from verifier.records import RecordQuery, VerificationRecord
from verifier.service import IdempotencyConflict, UnknownPayer, VerificationService
from verifier.settings import Settings
from verifier.store.memory import MemoryRepository, memory_stores


class FakeAdapter:
    """A payer with a fixed answer that notes what was stored when it was asked."""

    def __init__(self, answer: str | Exception) -> None:
        self.answer = answer
        self.repository: Any = None
        self.stored_when_asked: list[str] = []
        self.calls = 0

    def check(self, request: VerificationRequest) -> PayerResponse:
        self.calls += 1
        page = self.repository.find(RecordQuery())
        self.stored_when_asked = [record.state for record in page.items]
        if isinstance(self.answer, Exception):
            raise self.answer
        return PayerResponse(self.answer, "x12", read_271(self.answer))


REQUEST = VerificationRequest(
    payer_id="acme health",
    subscriber=Subscriber("M1", "Jane", "Doe", date(1985, 3, 15)),
    provider=Provider("1234567893", "Example Recovery"),
    service_date=date(2026, 11, 27),
)


DIRECTORY = PayerDirectory([PayerSettings(id="ACME", name="Acme Health", aliases=("ACME HEALTH",))])


def wired(
    adapter_for: Callable[[PayerSettings], Any], directory: PayerDirectory = DIRECTORY
) -> tuple[VerificationService, Stores]:
    """The service as the composition root builds it, on in-memory stores that copy on save."""
    stores = memory_stores()
    services = bootstrap(
        Settings(),
        stores=stores,
        adapter_for=adapter_for,
        directory=directory,
        clock=lambda: datetime(2026, 11, 27, 9, 30, tzinfo=UTC),
    )
    services.service.new_id = lambda: "v1"
    return services.service, stores


def service(answer: str | Exception) -> tuple[VerificationService, MemoryRepository, FakeAdapter]:
    adapter = FakeAdapter(answer)
    svc, stores = wired(lambda settings: adapter)
    assert isinstance(stores.repository, MemoryRepository)
    adapter.repository = stores.repository
    return svc, stores.repository, adapter


def test_stores_pending_before_calling_the_payer_and_completes_after() -> None:
    svc, _, adapter = service(scenario_271("MOCK-IOP-DUAL"))
    record = svc.verify(REQUEST, {"as": "sent"})
    assert adapter.stored_when_asked == ["pending"]
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
    assert stored(repository, "v1").request == {"as": "sent"}


def test_an_answer_nobody_can_read_fails_final_and_keeps_what_the_payer_sent() -> None:
    svc, repository, _ = service(PayerProtocolError("unreadable", raw="GS*HB~", format="x12"))
    record = svc.verify(REQUEST, {"as": "sent"})
    assert record.state == "failed"
    assert record.error and record.error["retryable"] is False
    kept = stored(repository, "v1")
    assert (kept.raw_response, kept.response_format) == ("GS*HB~", "x12")


def test_an_unexpected_failure_still_ends_stored() -> None:
    svc, repository, _ = service(RuntimeError("boom"))
    record = svc.verify(REQUEST, {"as": "sent"})
    assert record.state == "failed"
    assert record.error and record.error["code"] == "internal_error"
    assert "boom" not in record.error["message"]
    assert stored(repository, "v1").state == "failed"


def test_unknown_payer_is_refused_before_anything_is_stored() -> None:
    svc, repository, _ = service(scenario_271("MOCK-IOP-DUAL"))
    with pytest.raises(UnknownPayer):
        svc.verify(replace(REQUEST, payer_id="NOPE"), {})
    assert repository.find(RecordQuery()).total == 0


def test_carve_out_is_verified_again_with_the_administrator_and_merged() -> None:
    primary = FakeAdapter(scenario_271("MOCK-CARVE-OUT"))
    administrator = FakeAdapter(scenario_271("MOCK-IOP-DUAL"))
    directory = PayerDirectory(
        [
            PayerSettings(id="ACME", name="Acme Health"),
            PayerSettings(id="MBBH1", name="Mindbridge Behavioral Health"),
        ]
    )
    svc, stores = wired(lambda s: administrator if s.id == "MBBH1" else primary, directory)
    primary.repository = administrator.repository = stores.repository
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
    assert stored(repository, "v1").state == "failed"


def test_a_payer_that_answers_in_time_is_not_affected_by_the_wait() -> None:
    svc, _, _ = service(scenario_271("MOCK-IOP-DUAL"))
    record = replace(svc, answer_within=5.0).verify(REQUEST, {"as": "sent"})
    assert record.state == "complete" and record.status == "active"


def stored(repository: MemoryRepository, record_id: str) -> VerificationRecord:
    found = repository.get(record_id)
    assert found is not None
    return found


def test_the_outcome_is_stored_not_only_returned() -> None:
    svc, repository, _ = service(scenario_271("MOCK-IOP-DUAL"))
    record = svc.verify(REQUEST, {"as": "sent"})
    kept = stored(repository, record.id)
    assert (kept.state, kept.status) == ("complete", "active")
    assert kept.determination == record.determination
    assert kept.summary == record.summary and kept.completed_at is not None


def test_a_queued_verification_is_stored_pending_with_its_job() -> None:
    svc, repository, adapter = service(scenario_271("MOCK-IOP-DUAL"))
    record = svc.enqueue(REQUEST, {"as": "sent"})
    assert stored(repository, record.id).state == "pending"
    assert svc.queue is not None and svc.queue.counts() == {"queued": 1}
    assert adapter.calls == 0


def test_the_same_idempotency_key_and_body_answer_the_first_verification_again() -> None:
    svc, _, adapter = service(scenario_271("MOCK-IOP-DUAL"))
    first, replayed = svc.submit(REQUEST, {"as": "sent"}, caller="k1", idempotency_key="abc")
    svc.new_id = lambda: "v2"
    again, replayed_again = svc.submit(REQUEST, {"as": "sent"}, caller="k1", idempotency_key="abc")
    assert (replayed, replayed_again) == (False, True)
    assert again.id == first.id == "v1"
    assert adapter.calls == 1


def test_an_idempotency_key_reused_with_another_body_is_refused() -> None:
    svc, _, _ = service(scenario_271("MOCK-IOP-DUAL"))
    svc.submit(REQUEST, {"as": "sent"}, caller="k1", idempotency_key="abc")
    with pytest.raises(IdempotencyConflict):
        svc.submit(REQUEST, {"other": "body"}, caller="k1", idempotency_key="abc")


def test_another_caller_may_use_the_same_idempotency_key() -> None:
    svc, _, adapter = service(scenario_271("MOCK-IOP-DUAL"))
    svc.submit(REQUEST, {"as": "sent"}, caller="k1", idempotency_key="abc")
    svc.new_id = lambda: "v2"
    other, replayed = svc.submit(REQUEST, {"as": "sent"}, caller="k2", idempotency_key="abc")
    assert (other.id, replayed, adapter.calls) == ("v2", False, 2)


def test_a_verification_whose_job_cannot_be_queued_is_not_left_behind() -> None:
    svc, repository, _ = service(scenario_271("MOCK-IOP-DUAL"))

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the queue is unavailable")

    svc.queue.add = broken  # type: ignore[method-assign]
    with pytest.raises(RuntimeError):
        svc.enqueue(REQUEST, {"as": "sent"})
    assert repository.find(RecordQuery()).total == 0


def test_a_second_request_for_the_person_folds_into_the_queued_one_and_stores_nothing() -> None:
    svc, repository, _ = service(scenario_271("MOCK-IOP-DUAL"))
    first = svc.enqueue(REQUEST, {"as": "sent"})
    svc.new_id = lambda: "v2"
    again = svc.enqueue(REQUEST, {"as": "sent again"})
    assert again.id == first.id == "v1"
    assert [r.id for r in repository.find(RecordQuery()).items] == ["v1"]


def covered_then_lost() -> tuple[VerificationService, Stores]:
    """A service whose payer answers covered, then no longer covered; verified once as "v1",
    the next verification will be "v2"."""
    answers = iter([scenario_271("MOCK-IOP-DUAL"), scenario_271("MOCK-INACTIVE")])
    adapter = FakeAdapter("")
    adapter.check = lambda request: PayerResponse(  # type: ignore[method-assign]
        (raw := next(answers)), "x12", read_271(raw)
    )
    svc, stores = wired(lambda settings: adapter)
    svc.verify(REQUEST, {"as": "sent"})
    svc.new_id = lambda: "v2"
    return svc, stores


def test_an_outcome_and_its_change_events_are_stored_together_or_not_at_all() -> None:
    svc, stores = covered_then_lost()

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the change log is unavailable")

    svc.changes.replace = broken  # type: ignore[method-assign]
    stores.changes.replace = broken  # type: ignore[method-assign]
    with pytest.raises(RuntimeError):
        svc.verify(REQUEST, {"as": "sent"})
    assert stored(stores.repository, "v2").state == "pending"  # not complete without its events


def test_a_changed_answer_stores_its_change_events_with_the_outcome() -> None:
    svc, stores = covered_then_lost()
    svc.verify(REQUEST, {"as": "sent"})
    events = stores.changes.recent(["coverage_lost"], datetime(2026, 1, 1, tzinfo=UTC), 10)
    assert [(e["verification_id"], e["previous_verification_id"]) for e in events] == [("v2", "v1")]
    assert stored(stores.repository, "v2").state == "complete"


def test_a_queued_verification_claims_its_idempotency_key_with_it() -> None:
    svc, repository, _ = service(scenario_271("MOCK-IOP-DUAL"))
    first, _ = svc.submit(
        REQUEST, {"as": "sent"}, asynchronous=True, caller="k1", idempotency_key="abc"
    )
    svc.new_id = lambda: "v2"
    again, replayed = svc.submit(
        REQUEST, {"as": "sent"}, asynchronous=True, caller="k1", idempotency_key="abc"
    )
    assert (again.id, replayed) == (first.id, True)
    assert repository.find(RecordQuery()).total == 1


def test_a_retry_while_the_payer_is_still_answering_gets_the_pending_verification() -> None:
    asked, answer = threading.Event(), threading.Event()

    class SlowPayer(FakeAdapter):
        def check(self, request: VerificationRequest) -> PayerResponse:
            asked.set()
            answer.wait(5)
            return super().check(request)

    adapter = SlowPayer(scenario_271("MOCK-IOP-DUAL"))
    svc, stores = wired(lambda settings: adapter)
    adapter.repository = stores.repository
    first = threading.Thread(
        target=svc.submit,
        args=(REQUEST, {"as": "sent"}),
        kwargs={"caller": "k1", "idempotency_key": "abc"},
    )
    first.start()
    assert asked.wait(5)
    svc.new_id = lambda: "v2"
    again, replayed = svc.submit(REQUEST, {"as": "sent"}, caller="k1", idempotency_key="abc")
    answer.set()
    first.join(5)
    assert (again.id, again.state, replayed) == ("v1", "pending", True)
    assert adapter.calls == 1
    assert stored(stores.repository, "v1").state == "complete"
