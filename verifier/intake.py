"""Turn a request body (validated, or as stored) into the domain's verification request."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from verifier.domain.request import Dependent, Provider, Subscriber, VerificationRequest
from verifier.settings import Settings


def to_request(data: Mapping[str, Any], settings: Settings) -> VerificationRequest:
    """The validated body as a domain request; provider and date default to the settings' and
    today."""
    patient = data.get("patient")
    provider = data.get("provider") or settings.provider
    return VerificationRequest(
        payer_id=data["payer_id"],
        subscriber=Subscriber(**data["subscriber"]),
        patient=Dependent(**patient) if patient else None,
        provider=Provider(**provider),
        service_date=data.get("service_date") or date.today(),
    )
