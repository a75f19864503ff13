"""A verification request as the domain sees it: who, with which payer, for which date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class Subscriber:
    member_id: str
    first_name: str
    last_name: str
    date_of_birth: date
    group_number: str | None = None


@dataclass(frozen=True, slots=True)
class Dependent:
    """A patient without a member id of their own, verified under the subscriber."""

    first_name: str
    last_name: str
    date_of_birth: date
    relationship: str


@dataclass(frozen=True, slots=True)
class Provider:
    npi: str
    name: str


@dataclass(frozen=True, slots=True)
class VerificationRequest:
    payer_id: str
    subscriber: Subscriber
    provider: Provider
    service_date: date
    patient: Dependent | None = None
    service_types: tuple[str, ...] = ("30",)
