"""The normalized payer answer every reader produces, whatever the wire format."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

# X12 writes a decimal in at most 18 characters; nothing a payer states (money, a percent, a
# count) comes near 10^15, and a larger value could not be rounded to cents within Decimal's
# 28 digits.
_LARGEST = Decimal("1E15")


def figure(text: str) -> Decimal | None:
    """A payer's number as the domain reads it; None (unknown) when it is not a finite
    number of a size a benefit could have."""
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() and abs(number) < _LARGEST else None


@dataclass(slots=True)
class Entity:
    """A party a benefit points to (loop 2120): an administrator, a UM organisation, a PCP."""

    role: str | None
    name: str | None
    id_qualifier: str | None = None
    id: str | None = None
    phone: str | None = None


@dataclass(slots=True)
class Rejection:
    """One AAA segment (or a clearinghouse `errors[]` item) and the loop it came from."""

    code: str | None
    follow_up: str | None
    loop: str
    description: str | None = None


@dataclass(slots=True)
class Delivery:
    """A frequency limit (HSD): `quantity` per `period`."""

    qualifier: str | None
    quantity: Decimal | None
    unit: str | None
    period: str | None
    periods: Decimal | None


@dataclass(slots=True)
class Benefit:
    """One eligibility or benefit row (EB segment, `benefitsInformation[]` item, FHIR item)."""

    code: str
    coverage_level: str | None = None
    service_types: tuple[str, ...] = ()
    insurance_type: str | None = None
    plan_description: str | None = None
    time_period: str | None = None
    amount: Decimal | None = None
    percent: Decimal | None = None
    quantity_qualifier: str | None = None
    quantity: Decimal | None = None
    auth_required: str | None = None
    network: str | None = None
    procedure: str | None = None
    messages: list[str] = field(default_factory=list)
    refs: list[tuple[str, str]] = field(default_factory=list)
    dates: list[tuple[str, str]] = field(default_factory=list)
    places_of_service: list[str] = field(default_factory=list)
    deliveries: list[Delivery] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    evidence: str = ""
    inquiry: str | None = None

    def cited(self) -> str:
        """The evidence string, prefixed with the inquiry it answered when there were several."""
        return f"[inquiry {self.inquiry}] {self.evidence}" if self.inquiry else self.evidence


@dataclass(slots=True)
class Person:
    """A member as the payer returned them (subscriber or dependent)."""

    first_name: str | None = None
    last_name: str | None = None
    member_id: str | None = None
    date_of_birth: date | None = None
    group_number: str | None = None
    relationship_code: str | None = None
    corrected: bool = False
    dates: list[tuple[str, str]] = field(default_factory=list)


@dataclass(slots=True)
class PayerAnswer:
    """Everything one payer answer says about one patient, in reading order."""

    format: str
    payer_name: str | None = None
    payer_id: str | None = None
    payer_phone: str | None = None
    subscriber: Person | None = None
    dependent: Person | None = None
    rejections: list[Rejection] = field(default_factory=list)
    benefits: list[Benefit] = field(default_factory=list)
    version: str | None = None

    @property
    def patient(self) -> Person | None:
        """The person the benefits describe: the dependent when there is one."""
        return self.dependent or self.subscriber


class UnreadableAnswer(ValueError):
    """A payer answer that no reader can follow; the message is one line, free of PHI."""
