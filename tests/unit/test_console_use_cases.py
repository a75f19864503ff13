"""The console's use cases on in-memory stores: the intake queue's follow-up and a slow payer's
answer stored after the caller stopped waiting."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.unit.test_service import REQUEST, wired
from verifier.services.intake_queue import NotAnIntake, UnknownStatus, intake_queue, mark_intake
from verifier.services.staff import Staff

NOW = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)
DANA = Staff("key-1", "Dana at admissions")
BODY = {"payer_id": "ACME", "subscriber": {"member_id": "M1"}, "consent": True}


def test_a_submission_is_new_until_staff_mark_it_and_then_says_who_and_when() -> None:
    service, stores = wired(lambda settings: None)
    service.new_id = iter(["v-intake", "j1", "v-api", "j2"]).__next__
    service.enqueue(REQUEST, BODY, source="intake")
    other = replace(REQUEST, subscriber=replace(REQUEST.subscriber, member_id="M2"))
    service.enqueue(other, BODY)
    items, total = intake_queue(stores.intake, "new")
    assert (total, [item.record.id for item in items]) == (1, ["v-intake"])
    mark_intake(stores.intake, lambda: NOW, "v-intake", "contacted", DANA)
    assert intake_queue(stores.intake, "new") == ([], 0)
    [item], _ = intake_queue(stores.intake, "contacted")
    assert (item.status, item.changed_by, item.changed_at) == ("contacted", DANA.name, NOW)
    with pytest.raises(NotAnIntake):
        mark_intake(stores.intake, lambda: NOW, "v-api", "contacted", DANA)
    with pytest.raises(UnknownStatus):
        mark_intake(stores.intake, lambda: NOW, "v-intake", "called", DANA)


class HeldPayer:
    def __init__(self, answer: Any) -> None:
        self.answer, self.release = answer, threading.Event()

    def check(self, request: Any) -> Any:
        self.release.wait(10)
        return self.answer.check(request)


def test_a_slow_payers_answer_is_stored_after_the_caller_stopped_waiting() -> None:
    from adapters.mock import MockAdapter

    payer = HeldPayer(MockAdapter())
    service, stores = wired(lambda settings: payer)
    asked = replace(REQUEST, subscriber=replace(REQUEST.subscriber, member_id="MOCK-IOP-DUAL"))
    record = service.verify_within(asked, BODY, wait=0.05)
    assert record.state == "pending" and stores.repository.get(record.id).state == "pending"
    payer.release.set()
    for _ in range(200):
        if stores.repository.get(record.id).state != "pending":
            break
        threading.Event().wait(0.02)
    stored = stores.repository.get(record.id)
    assert (stored.state, stored.status) == ("complete", "active")
    assert record.state == "pending"  # what the caller was given is not changed under it
