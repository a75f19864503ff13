"""Reading a verification as staff see it, and estimating from it, on in-memory stores."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from tests.helpers import determine, fixture_path
from verifier.bootstrap import bootstrap
from verifier.domain.estimate import Schedule
from verifier.records import VerificationRecord
from verifier.services.reading import NotEstimable, estimate_from, read
from verifier.settings import Settings
from verifier.store.memory import memory_stores

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
COURSE = Schedule(3, 8, Decimal("300.00"), "in_network")


def wired(state: str = "complete") -> tuple:
    services = bootstrap(Settings(), stores=memory_stores())
    determination = determine(fixture_path("MOCK-IOP-DUAL"))
    services.repository.add(
        VerificationRecord(
            "v1",
            "MOCK",
            "M1",
            {"payer_id": "MOCK"},
            T0,
            state=state,
            determination=determination if state == "complete" else None,
            status="active" if state == "complete" else None,
        )
    )
    return services.service, services.phone


def test_a_call_that_confirms_prior_authorization_is_what_staff_read() -> None:
    service, phone = wired()
    call = {"level": "iop_mental_health", "prior_auth_required": True, "rep_name": "Pat"}
    phone.add("v1", call, "k1", "Dana", T0)
    seen = read(service, phone, "v1")
    level = seen.determination["levels_of_care"]["iop_mental_health"]  # type: ignore[index]
    assert level["prior_auth_required"] is True
    assert [c["facts"]["rep_name"] for c in seen.calls] == ["Pat"]


def test_a_course_is_estimated_from_the_payers_figures() -> None:
    service, phone = wired()
    estimate = estimate_from(read(service, phone, "v1"), "iop_mental_health", COURSE)
    assert estimate.days == 24
    assert estimate.client_pays > 0


def test_a_pending_verification_cannot_be_estimated_and_says_why() -> None:
    service, phone = wired("pending")
    with pytest.raises(NotEstimable, match="pending and has no payer answer"):
        estimate_from(read(service, phone, "v1"), "iop_mental_health", COURSE)
