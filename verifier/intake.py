"""Turn a request body (validated, or as stored) into the domain's verification request."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from verifier.domain.request import Dependent, Provider, Subscriber, VerificationRequest


def to_request(data: Mapping[str, Any], config: Mapping[str, Any]) -> VerificationRequest:
    """The validated body as a domain request; provider and date default to config and today."""
    patient = data.get("patient")
    provider = data.get("provider") or {
        "npi": config["PROVIDER_NPI"],
        "name": config["PROVIDER_NAME"],
    }
    return VerificationRequest(
        payer_id=data["payer_id"],
        subscriber=Subscriber(**data["subscriber"]),
        patient=Dependent(**patient) if patient else None,
        provider=Provider(**provider),
        service_date=data.get("service_date") or date.today(),
    )
