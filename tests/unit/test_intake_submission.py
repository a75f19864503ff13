"""Submitting an intake form: queued as a verification that keeps contact and consent, and
refused with nothing stored once the key or the address is over its limit."""

from __future__ import annotations

from datetime import date

import pytest

from tests.unit.wiring import in_memory
from verifier.records import RecordQuery
from verifier.services.intake_submission import TooManySubmissions, submit_intake
from verifier.settings import load_settings

FORM = {
    "payer_id": "ACME",
    "member_id": "ACM-100",
    "first_name": "Jane",
    "last_name": "Doe",
    "date_of_birth": date(1985, 3, 15),
    "contact": {"phone": "555-0100", "best_time": "mornings"},
}
SETTINGS = load_settings(environ={})


class Limits:
    """Refuses the buckets it is told to, with a wait; records what was asked."""

    def __init__(self, refuse: str | None = None) -> None:
        self.refuse = refuse
        self.asked: list[tuple[str, int]] = []

    def allow(self, bucket: str, limit: int) -> float | None:
        self.asked.append((bucket, limit))
        return 42.0 if self.refuse and bucket.startswith(self.refuse) else None


def test_a_submission_is_queued_with_its_contact_and_consent() -> None:
    services = in_memory()
    record = submit_intake(
        services.service, Limits(), SETTINGS, key_id="k1", address="203.0.113.9", data=FORM
    )
    stored = services.repository.get(record.id)
    assert stored is not None and stored.state == "pending"
    assert stored.request["subscriber"]["date_of_birth"] == "1985-03-15"
    assert stored.request["contact"] == FORM["contact"] and stored.request["consent"] is True
    job = services.queue.for_verification(record.id)
    assert job is not None and job.source == "intake"


@pytest.mark.parametrize("bucket", ["intake key", "intake address"])
def test_a_submission_over_a_limit_is_refused_and_nothing_is_stored(bucket: str) -> None:
    services = in_memory()
    limits = Limits(refuse=bucket)
    with pytest.raises(TooManySubmissions) as refused:
        submit_intake(
            services.service, limits, SETTINGS, key_id="k1", address="203.0.113.9", data=FORM
        )
    assert refused.value.wait == 42.0
    assert services.repository.find(RecordQuery()).total == 0
    per_key = ("intake key k1", SETTINGS.intake_limit_per_key)
    assert per_key in limits.asked
