"""The determination: what a payer answer means for IOP and PHP, as DESIGN.md fixes its JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
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
    # INS03 001 with INS04 25: the payer says these are its corrections of what was sent.
    corrected: bool = False


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
class OtherPayer:
    """Another payer the answer names (EB01 R and its loop 2120), and its place in the order."""

    role: str  # primary | secondary | tertiary | medicare_advantage | other
    name: str | None = None
    id: str | None = None
    phone: str | None = None
    member_id: str | None = None
    plan: str | None = None
    coverage_begin: date | None = None
    coverage_end: date | None = None
    notes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class NetworkTerms:
    covered: bool | None = None
    copay: Decimal | None = None
    copay_unit: str | None = None
    coinsurance: Decimal | None = None
    basis: str = "none"  # the level of the answer these figures came from


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
    network_not_stated: NetworkTerms | None = None
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
    network_not_stated: Tiers | None = None


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
    other_payers: list[OtherPayer] = field(default_factory=list)
    summary: str = ""


def _text(value: Decimal | date | None) -> str | None:
    """A decimal as a string ("40.00"), a date in ISO 8601; None stays None."""
    if value is None:
        return None
    return value.isoformat() if type(value) is date else str(value)


def _terms(terms: NetworkTerms | None) -> dict[str, Any] | None:
    if terms is None:
        return None
    return {
        "covered": terms.covered,
        "copay": _text(terms.copay),
        "copay_unit": terms.copay_unit,
        "coinsurance": _text(terms.coinsurance),
        "basis": terms.basis,
    }


def _level(level: LevelOfCare) -> dict[str, Any]:
    return {
        "covered": level.covered,
        "basis": level.basis,
        "prior_auth_required": level.prior_auth_required,
        "in_network": _terms(level.in_network),
        "out_of_network": _terms(level.out_of_network),
        "network_not_stated": _terms(level.network_not_stated),
        "limits": [
            {"quantity": _text(lim.quantity), "unit": lim.unit, "period": lim.period}
            for lim in level.limits
        ],
        "notes": list(level.notes),
        "evidence": list(level.evidence),
    }


def _accumulator(value: Accumulator | None) -> dict[str, Any] | None:
    if value is None:
        return None
    return {"total": _text(value.total), "remaining": _text(value.remaining)}


def _tiers(tiers: Tiers | None) -> dict[str, Any] | None:
    if tiers is None:
        return None
    return {"individual": _accumulator(tiers.individual), "family": _accumulator(tiers.family)}


def _accumulators(value: Accumulators) -> dict[str, Any]:
    return {
        "in_network": _tiers(value.in_network),
        "out_of_network": _tiers(value.out_of_network),
        "network_not_stated": _tiers(value.network_not_stated),
    }


def _other_payer(other: OtherPayer) -> dict[str, Any]:
    return {
        "role": other.role,
        "name": other.name,
        "id": other.id,
        "phone": other.phone,
        "member_id": other.member_id,
        "plan": other.plan,
        "coverage_begin": _text(other.coverage_begin),
        "coverage_end": _text(other.coverage_end),
        "notes": list(other.notes),
    }


def as_json(determination: Determination) -> dict[str, Any]:
    """The determination as JSON-ready data: decimals as strings, dates ISO 8601.

    Written out class by class (a generic walk over dataclasses costs several times as much);
    the keys are the fields, in their order: tests/unit/test_determination_json.py holds it
    to the generic walk.
    """
    d = determination
    rejection = d.rejection
    member, plan, admin = d.member, d.plan, d.behavioral_health_administrator
    return {
        "status": d.status,
        "rejection": None
        if rejection is None
        else {
            "code": rejection.code,
            "reason": rejection.reason,
            "follow_up": rejection.follow_up,
            "retryable": rejection.retryable,
        },
        "member": {
            "relationship": member.relationship,
            "first_name": member.first_name,
            "last_name": member.last_name,
            "member_id": member.member_id,
            "date_of_birth": _text(member.date_of_birth),
            "corrected": member.corrected,
        },
        "plan": {
            "name": plan.name,
            "group_number": plan.group_number,
            "insurance_type": plan.insurance_type,
            "coverage_begin": _text(plan.coverage_begin),
            "coverage_end": _text(plan.coverage_end),
        },
        "payer": {"name": d.payer.name, "id": d.payer.id},
        "behavioral_health_administrator": None
        if admin is None
        else {"name": admin.name, "id": admin.id, "phone": admin.phone},
        "levels_of_care": {name: _level(level) for name, level in d.levels_of_care.items()},
        "dual_diagnosis": {
            "covered": d.dual_diagnosis.covered,
            "explanation": d.dual_diagnosis.explanation,
        },
        "deductible": _accumulators(d.deductible),
        "out_of_pocket": _accumulators(d.out_of_pocket),
        "other_payers": [_other_payer(other) for other in d.other_payers],
        "summary": d.summary,
    }
