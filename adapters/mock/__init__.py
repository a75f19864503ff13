"""The mock payer (`MOCK`): real 271s through the same reader, one scenario per member id."""

from __future__ import annotations

import time
from functools import cache
from importlib import resources

from adapters.base import PayerResponse, PayerTimeout
from adapters.x12.reader import read_271
from verifier.domain.request import VerificationRequest

__all__ = ["SCENARIOS", "MockAdapter", "scenario_271"]

SCENARIOS = (
    "MOCK-IOP-DUAL",
    "MOCK-MH-ONLY",
    "MOCK-SUD-ONLY",
    "MOCK-INACTIVE",
    "MOCK-NOT-FOUND",
    "MOCK-CARVE-OUT",
    "MOCK-HMO",
    "MOCK-DEPENDENT",
    "MOCK-DEDUCTIBLE-MET",
    "MOCK-PAYER-DOWN",
    "MOCK-MEDICARE",
    "MOCK-MEDICARE-ADVANTAGE",
    "MOCK-MEDICAID-OTHER",
    "MOCK-MULTI-PLAN",
    "MOCK-GENERAL-MH",
)
TIMEOUT_SCENARIO = "MOCK-TIMEOUT"


def scenario_271(member_id: str) -> str:
    """The 271 the mock payer answers for a member id; unknown members are not found."""
    return _scenario(member_id if member_id in SCENARIOS else "MOCK-NOT-FOUND")


@cache  # a handful of small files that ship with the package and never change
def _scenario(name: str) -> str:
    return (resources.files(__package__) / "scenarios" / f"{name}.271").read_text("utf-8")


class MockAdapter:
    """Answers from bundled scenarios; `MOCK-TIMEOUT` waits out the deadline and times out."""

    def __init__(self, timeout_seconds: float = 1.0) -> None:
        self.timeout_seconds = timeout_seconds

    def check(self, request: VerificationRequest) -> PayerResponse:
        member_id = request.subscriber.member_id
        if member_id == TIMEOUT_SCENARIO:
            time.sleep(self.timeout_seconds)
            raise PayerTimeout(f"the payer did not answer within {self.timeout_seconds:g} seconds")
        raw = scenario_271(member_id)
        return PayerResponse(raw=raw, format="x12", answers=read_271(raw))
