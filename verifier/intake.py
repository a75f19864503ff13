"""Turn a request body (validated, or as stored) into the domain's verification request."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
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


def service_date(request: Mapping[str, Any]) -> date | None:
    """A stored request's service date; None when it has none or it cannot be read."""
    when = request.get("service_date")
    try:
        return date.fromisoformat(when) if isinstance(when, str) else None
    except ValueError:
        return None


def local_today(now: datetime) -> date:
    """The date in the server's zone, as the request schema and intake use `date.today()`."""
    return now.astimezone().date()
