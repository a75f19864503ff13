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


def person_asked_about(request: VerificationRequest) -> str:
    """Who a request is about, as one comparable text: the subscriber, the dependent patient (if
    any) and the date of service. Two requests on one family member id for different people, or
    for different dates, differ; the same person asked twice (case and spacing aside) does not.
    """
    subscriber, patient = request.subscriber, request.patient
    parts = [
        subscriber.member_id,
        subscriber.first_name,
        subscriber.last_name,
        subscriber.date_of_birth.isoformat(),
    ]
    if patient is not None:
        parts += [
            patient.first_name,
            patient.last_name,
            patient.date_of_birth.isoformat(),
            patient.relationship,
        ]
    parts.append(request.service_date.isoformat())
    # \x1f (unit separator) cannot appear in a name, so fields never run into each other.
    return "\x1f".join(" ".join(part.split()).casefold() for part in parts)
