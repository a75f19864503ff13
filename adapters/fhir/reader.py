"""Read a FHIR R4 CoverageEligibilityResponse into the same benefit rows a 271 gives.

Mapping (HL7's 271 crosswalk): inforce → EB01 1/6; item.excluded → I; network in/out → EB12 Y/N;
unit individual/family → EB02; benefit copay → B, copay-percent → A, deductible → C, visit → F.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from adapters.jsonfields import as_dict as _dict
from adapters.jsonfields import as_list as _list
from adapters.jsonfields import decimal as _decimal
from adapters.jsonfields import text as _text
from verifier.domain.dates import parse_date
from verifier.domain.model import Benefit, PayerAnswer, Person, Rejection, UnreadableAnswer

__all__ = ["read_fhir"]

_NETWORK = {"in": "Y", "out": "N"}
_UNIT = {"individual": "IND", "family": "FAM"}
_TERM = {"annual": "23", "day": "7", "lifetime": "32", "visit": "27"}
_RELATIONSHIP_SELF = {"self", None}


def _flag(value: Any, yes: str, no: str) -> str | None:
    """A FHIR boolean as an X12 indicator; anything but a boolean is unknown."""
    if value is True:
        return yes
    return no if value is False else None


def _code(concept: Any) -> str | None:
    for coding in _list(_dict(concept).get("coding")):
        code = _text(_dict(coding).get("code"))
        if code:
            return code
    return _text(_dict(concept).get("text"))


def _contained(resource: dict[str, Any], reference: Any) -> dict[str, Any]:
    ref = _text(_dict(reference).get("reference")) or ""
    wanted = ref.lstrip("#").split("/")[-1]
    for item in map(_dict, _list(resource.get("contained"))):
        if _text(item.get("id")) == wanted:
            return item
    return {}


def _patient(resource: dict[str, Any], coverage: dict[str, Any]) -> Person:
    patient = _contained(resource, resource.get("patient"))
    name = _dict((_list(patient.get("name")) or [{}])[0])
    identifiers = [_text(_dict(i).get("value")) for i in _list(patient.get("identifier"))]
    groups = [
        _text(_dict(c).get("value"))
        for c in _list(coverage.get("class"))
        if _code(_dict(c).get("type")) == "group"
    ]
    given = [g for g in map(_text, _list(name.get("given"))) if g]
    return Person(
        first_name=given[0] if given else None,
        last_name=_text(name.get("family")),
        member_id=_text(coverage.get("subscriberId")) or next((i for i in identifiers if i), None),
        date_of_birth=parse_date(_text(patient.get("birthDate"))),
        group_number=next((g for g in groups if g), None),
        relationship_code=_code(coverage.get("relationship")),
    )


def _money(value: Any) -> Decimal | None:
    return _decimal(_dict(value).get("value"))


def _benefit_rows(index: int, item: dict[str, Any]) -> list[Benefit]:
    category = _code(item.get("category"))
    product = _code(item.get("productOrService"))
    common: dict[str, Any] = {
        "service_types": (category,) if category and not product else (),
        "procedure": f"HC:{product}" if product else None,
        "network": _NETWORK.get(_code(item.get("network")) or ""),
        "coverage_level": _UNIT.get(_code(item.get("unit")) or ""),
        "auth_required": _flag(item.get("authorizationRequired"), "Y", "N"),
        "messages": [m for m in (_text(item.get("description")),) if m],
        "evidence": f"insurance.item[{index}] " + json.dumps(item, separators=(",", ":"))[:400],
    }
    term = _TERM.get(_code(item.get("term")) or "")
    rows = [Benefit(code="I" if item.get("excluded") is True else "1", **common)]
    for benefit in map(_dict, _list(item.get("benefit"))):
        kind = _code(benefit.get("type"))
        allowed = _money(benefit.get("allowedMoney"))
        if kind == "copay":
            rows.append(Benefit(code="B", amount=allowed, time_period=term, **common))
        elif kind == "copay-percent":
            share = _decimal(benefit.get("allowedUnsignedInt")) or _decimal(
                benefit.get("allowedString")
            )
            percent = share / 100 if share is not None and share > 1 else share
            rows.append(Benefit(code="A", percent=percent, time_period=term, **common))
        elif kind in ("deductible", "G", "out-of-pocket", "oop", "out-of-pocket-maximum"):
            code = "C" if kind == "deductible" else "G"
            rows.append(Benefit(code=code, amount=allowed, time_period="23", **common))
            used = _money(benefit.get("usedMoney"))
            if used is not None:
                rows.append(Benefit(code=code, amount=used, time_period="24", **common))
        elif kind == "visit":
            quantity = _decimal(benefit.get("allowedUnsignedInt"))
            rows.append(
                Benefit(
                    code="F", quantity=quantity, quantity_qualifier="VS", time_period=term, **common
                )
            )
    return rows


def read_fhir(resource: Any) -> PayerAnswer:
    """A CoverageEligibilityResponse into a PayerAnswer. Raises UnreadableAnswer."""
    if (
        not isinstance(resource, dict)
        or resource.get("resourceType") != "CoverageEligibilityResponse"
    ):
        raise UnreadableAnswer("not a FHIR CoverageEligibilityResponse")
    insurer = resource.get("insurer")
    insurer_org = _contained(resource, insurer)
    insurances = [_dict(i) for i in _list(resource.get("insurance"))]
    first = insurances[0] if insurances else {}
    coverage = _contained(resource, first.get("coverage"))
    person = _patient(resource, coverage)
    plan_names = [
        _text(_dict(c).get("name"))
        for c in _list(coverage.get("class"))
        if _code(_dict(c).get("type")) == "plan"
    ]
    period = _dict(first.get("benefitPeriod"))
    plan_row = Benefit(
        code=_flag(first.get("inforce"), "1", "6") or ("1" if first else ""),
        service_types=("30",),
        plan_description=next((p for p in plan_names if p), None),
        dates=[
            (q, v.replace("-", ""))
            for q, key in (("346", "start"), ("347", "end"))
            if (v := _text(period.get(key)))
        ],
        evidence="insurance[0].inforce",
    )
    benefits = [plan_row] if first else []
    for index, item in enumerate(map(_dict, _list(first.get("item")))):
        benefits += _benefit_rows(index, item)
    rejections = [
        Rejection(code=_code(_dict(e).get("code")), follow_up=None, loop="2100C")
        for e in _list(resource.get("error"))
    ]
    dependent = person if person.relationship_code not in _RELATIONSHIP_SELF else None
    return PayerAnswer(
        format="fhir",
        payer_name=_text(insurer_org.get("name")) or _text(_dict(insurer).get("display")),
        payer_id=_text(_dict(_dict(insurer).get("identifier")).get("value")),
        subscriber=None if dependent else person,
        dependent=dependent,
        rejections=rejections,
        benefits=benefits,
    )
