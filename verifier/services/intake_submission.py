"""A prospective client's insurance details from an intake form: limited per key and per
address, then queued as a verification that keeps how to reach the person and their consent."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from verifier.intake import to_request
from verifier.ports import RateLimits
from verifier.records import VerificationRecord
from verifier.service import VerificationService
from verifier.settings import Settings


class TooManySubmissions(Exception):
    """Over the intake limit for the key or for the address; `wait` seconds until one fits."""

    def __init__(self, wait: float) -> None:
        super().__init__(f"try again in {wait:.0f} s")
        self.wait = wait


def _intake_request(data: Mapping[str, Any]) -> dict[str, Any]:
    """The verification request an intake form's fields make: the payer and the subscriber."""
    subscriber = {
        "member_id": data["member_id"],
        "first_name": data["first_name"],
        "last_name": data["last_name"],
        "date_of_birth": data["date_of_birth"],
        "group_number": data.get("group_number"),
    }
    return {"payer_id": data["payer_id"], "subscriber": subscriber}


def submit_intake(
    service: VerificationService,
    limits: RateLimits,
    settings: Settings,
    *,
    key_id: str,
    address: str,
    data: Mapping[str, Any],
) -> VerificationRecord:
    """Queue the submission `data` (the form's validated fields) for the worker, source
    "intake". Raises TooManySubmissions when the key, or this address with this key, is over
    its limit (`settings`); nothing is stored then."""
    # Counted in the database, so the limits hold across every worker and every server.
    wait = limits.allow(f"intake key {key_id}", settings.intake_limit_per_key) or limits.allow(
        f"intake address {key_id} {address}", settings.intake_limit_per_address
    )
    if wait:
        raise TooManySubmissions(wait)
    asked = _intake_request(data)
    # Stored as a verification request (JSON dates), with how to reach the person.
    body = {
        **asked,
        "subscriber": {**asked["subscriber"], "date_of_birth": data["date_of_birth"].isoformat()},
        "contact": data.get("contact"),
        "consent": True,
    }
    return service.enqueue(to_request(asked, settings), body, source="intake")
