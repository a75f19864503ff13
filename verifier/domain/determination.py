"""The determination: what a payer answer means for IOP and PHP, as DESIGN.md fixes its JSON."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date
from decimal import Decimal
from typing import Any

LEVELS_OF_CARE = (
    "iop_mental_health",
    "iop_substance_use",
    "php_mental_health",
    "php_substance_use",
)


@dataclass(slots=True)
class RejectionInfo:
    code: str | None
    reason: str | None
    follow_up: str | None
    retryable: bool


@dataclass(slots=True)
class Member:
    relationship: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    member_id: str | None = None
    date_of_birth: date | None = None


@dataclass(slots=True)
class Plan:
    name: str | None = None
    group_number: str | None = None
    insurance_type: str | None = None
    coverage_begin: date | None = None
    coverage_end: date | None = None


@dataclass(slots=True)
class Payer:
    name: str | None = None
    id: str | None = None


@dataclass(slots=True)
class Administrator:
    name: str | None
    id: str | None
    phone: str | None


@dataclass(slots=True)
class NetworkTerms:
    covered: bool | None = None
    copay: Decimal | None = None
    copay_unit: str | None = None
    coinsurance: Decimal | None = None


@dataclass(slots=True)
class Limit:
    quantity: Decimal | None
    unit: str | None
    period: str | None


@dataclass(slots=True)
class LevelOfCare:
    covered: bool | None = None
    basis: str = "none"
    prior_auth_required: bool | None = None
    in_network: NetworkTerms | None = None
    out_of_network: NetworkTerms | None = None
    limits: list[Limit] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Accumulator:
    total: Decimal | None = None
    remaining: Decimal | None = None


@dataclass(slots=True)
class Tiers:
    """Individual and family figures for one network."""

    individual: Accumulator | None = None
    family: Accumulator | None = None


@dataclass(slots=True)
class Accumulators:
    in_network: Tiers | None = None
    out_of_network: Tiers | None = None


@dataclass(slots=True)
class DualDiagnosis:
    covered: bool | None
    explanation: str


@dataclass(slots=True)
class Determination:
    status: str
    rejection: RejectionInfo | None
    member: Member
    plan: Plan
    payer: Payer
    behavioral_health_administrator: Administrator | None
    levels_of_care: dict[str, LevelOfCare]
    dual_diagnosis: DualDiagnosis
    deductible: Accumulators
    out_of_pocket: Accumulators
    summary: str = ""


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}
_SCALARS = (str, bool, int, type(None))


def _names(kind: type) -> tuple[str, ...]:
    # Looked up once per class: dataclasses.fields() is slow on the serialisation hot path.
    names = _FIELD_NAMES.get(kind)
    if names is None:
        names = _FIELD_NAMES[kind] = tuple(f.name for f in fields(kind))
    return names


def _plain(value: Any) -> Any:
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is Decimal:
        return str(value)
    if kind is date:
        return value.isoformat()
    if kind is dict:
        return {key: _plain(item) for key, item in value.items()}
    if kind is list or kind is tuple:
        return [_plain(item) for item in value]
    if is_dataclass(value):
        return {name: _plain(getattr(value, name)) for name in _names(kind)}
    return value


def as_json(determination: Determination) -> dict[str, Any]:
    """The determination as JSON-ready data: decimals as strings, dates ISO 8601."""
    result: dict[str, Any] = _plain(determination)
    return result
