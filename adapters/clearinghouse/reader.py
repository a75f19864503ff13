"""Read a clearinghouse eligibility v3 JSON response (Change Healthcare's shape, served by Stedi).

A tolerant reader: unknown fields are ignored, missing ones are unknown, wrong types are an
UnreadableAnswer rather than a crash.
"""

from __future__ import annotations

import json
from typing import Any

from adapters.jsonfields import as_dict as _dict
from adapters.jsonfields import as_list as _list
from adapters.jsonfields import decimal as _decimal
from adapters.jsonfields import text as _text
from verifier.domain import codes
from verifier.domain.dates import parse_date
from verifier.domain.model import (
    Benefit,
    Delivery,
    Entity,
    PayerAnswer,
    Person,
    Rejection,
    UnreadableAnswer,
)

__all__ = ["read_clearinghouse"]

_PLAN_DATES = {
    "planBegin": "346",
    "planEnd": "347",
    "eligibilityBegin": "356",
    "eligibilityEnd": "357",
    "plan": "291",
    "eligibility": "307",
    "benefitBegin": "348",
    "benefitEnd": "349",
    "benefit": "292",
    "coordinationOfBenefits": "290",
}
# benefitsAdditionalInformation keys -> REF01 qualifier (loop 2110C/D)
_REF_QUALIFIERS = {
    "planNumber": "18",
    "groupOrPolicyNumber": "1L",
    "familyUnitNumber": "49",
    "groupNumber": "6P",
    "referralNumber": "9F",
    "priorAuthorizationNumber": "G1",
    "insurancePolicyNumber": "IG",
    "memberIdNumber": "1W",
    "planNetworkIdNumber": "N6",
}
_EVIDENCE_KEYS = (
    "code",
    "coverageLevelCode",
    "serviceTypeCodes",
    "insuranceTypeCode",
    "planCoverage",
    "timeQualifierCode",
    "benefitAmount",
    "benefitPercent",
    "quantityQualifierCode",
    "benefitQuantity",
    "authOrCertIndicator",
    "inPlanNetworkIndicatorCode",
    "compositeMedicalProcedureIdentifier",
)


def _reverse(table: dict[str, str], text: str | None) -> str | None:
    if text is None:
        return None
    if text in table:
        return text
    lowered = text.lower()
    return next((code for code, name in table.items() if name.lower() == lowered), None)


def _phone(holder: dict[str, Any]) -> str | None:
    for contact in _list(_dict(holder.get("contactInformation")).get("contacts")):
        contact = _dict(contact)
        mode = (_text(contact.get("communicationMode")) or "").lower()
        if mode in ("telephone", "te"):
            return _text(contact.get("communicationNumber"))
    return None


def _person(data: dict[str, Any], relationship: str | None) -> Person:
    person = Person(
        first_name=_text(data.get("firstName")),
        last_name=_text(data.get("lastName")),
        member_id=_text(data.get("memberId")),
        date_of_birth=parse_date(_text(data.get("dateOfBirth"))),
        group_number=_text(data.get("groupNumber")),
        relationship_code=_text(data.get("relationToSubscriberCode")) or relationship,
    )
    person.corrected = (
        _text(data.get("maintenanceTypeCode")) == "001"
        and _text(data.get("maintenanceReasonCode")) == "25"
    )
    return person


def _entity(data: dict[str, Any]) -> Entity:
    role = _text(data.get("entityIdentifierCode")) or _reverse(
        dict(codes.ENTITY_ROLES), _text(data.get("entityIdentifier"))
    )
    name = _text(data.get("entityName"))
    if name is None:
        name = (
            " ".join(
                p
                for p in (_text(data.get("entityFirstname")), _text(data.get("entityLastName")))
                if p
            )
            or None
        )
    return Entity(
        role=role,
        name=name,
        id_qualifier=_text(data.get("entityIdentification")),
        id=_text(data.get("entityIdentificationValue")),
        phone=_phone(data),
    )


def _benefit(index: int, row: dict[str, Any]) -> Benefit:
    procedure_data = _dict(row.get("compositeMedicalProcedureIdentifier"))
    procedure_code = _text(procedure_data.get("procedureCode"))
    qualifier = _text(procedure_data.get("productOrServiceIDQualifierCode")) or "HC"
    extra = _dict(row.get("benefitsAdditionalInformation"))
    places = [
        _text(_dict(item).get("industryCode"))
        for item in _list(row.get("eligibilityAdditionalInformationList"))
        if _text(_dict(item).get("codeListQualifierCode")) in (None, "ZZ")
    ]
    evidence = {key: row[key] for key in _EVIDENCE_KEYS if key in row}
    return Benefit(
        code=_text(row.get("code")) or "",
        coverage_level=_text(row.get("coverageLevelCode")),
        service_types=tuple(s for s in map(_text, _list(row.get("serviceTypeCodes"))) if s),
        insurance_type=_text(row.get("insuranceTypeCode")),
        plan_description=_text(row.get("planCoverage")),
        time_period=_text(row.get("timeQualifierCode")),
        amount=_decimal(row.get("benefitAmount")),
        percent=_decimal(row.get("benefitPercent")),
        quantity_qualifier=_text(row.get("quantityQualifierCode")),
        quantity=_decimal(row.get("benefitQuantity")),
        auth_required=_text(row.get("authOrCertIndicator")),
        network=_text(row.get("inPlanNetworkIndicatorCode")),
        procedure=f"{qualifier}:{procedure_code}" if procedure_code else None,
        messages=[
            m
            for m in (
                _text(_dict(i).get("description")) for i in _list(row.get("additionalInformation"))
            )
            if m
        ],
        refs=[
            (qualifier, v)
            for key, qualifier in _REF_QUALIFIERS.items()
            if (v := _text(extra.get(key)))
        ],
        dates=[
            (_PLAN_DATES[k], t)
            for k, v in _dict(row.get("benefitsDateInformation")).items()
            if k in _PLAN_DATES and (t := _text(v))
        ],
        places_of_service=[p for p in places if p],
        deliveries=[
            Delivery(
                _text(d.get("quantityQualifierCode")),
                _decimal(d.get("quantity")),
                _text(d.get("unitForMeasurementCode")),
                _text(d.get("timePeriodQualifierCode")),
                _decimal(d.get("numOfPeriods")),
            )
            for d in map(_dict, _list(row.get("benefitsServiceDelivery")))
        ],
        entities=[_entity(_dict(e)) for e in _list(row.get("benefitsRelatedEntities"))],
        evidence=f"benefitsInformation[{index}] " + json.dumps(evidence, separators=(",", ":")),
    )


def _rejections(data: dict[str, Any]) -> list[Rejection]:
    found: list[Rejection] = []
    sources = _list(data.get("errors"))
    for holder in ("payer", "provider", "subscriber"):
        sources += _list(_dict(data.get(holder)).get("aaaErrors"))
    for item in map(_dict, sources):
        location = _text(item.get("location")) or ""
        loop = location.replace("Loop", "").strip() or "2100C"
        follow = _text(item.get("followupAction"))
        rejection = Rejection(
            code=_text(item.get("code")),
            follow_up=_reverse(dict(codes.FOLLOW_UP_ACTIONS), follow),
            loop=loop,
            description=_text(item.get("description")),
        )
        if not any(r.code == rejection.code and r.loop == rejection.loop for r in found):
            found.append(rejection)
    return found


def read_clearinghouse(data: Any) -> PayerAnswer:
    """One eligibility v3 response into a PayerAnswer. Raises UnreadableAnswer on a wrong shape."""
    if not isinstance(data, dict):
        raise UnreadableAnswer("a clearinghouse answer must be a JSON object")
    rows = data.get("benefitsInformation", [])
    if not isinstance(rows, list):
        raise UnreadableAnswer("benefitsInformation must be a list")
    payer = _dict(data.get("payer"))
    subscriber_data = _dict(data.get("subscriber"))
    subscriber = _person(subscriber_data, "18") if subscriber_data else Person()
    subscriber.group_number = subscriber.group_number or _text(
        _dict(data.get("planInformation")).get("groupNumber")
    )
    subscriber.dates = [
        (_PLAN_DATES[k], t)
        for k, v in _dict(data.get("planDateInformation")).items()
        if k in _PLAN_DATES and (t := _text(v))
    ]
    dependents = [_dict(d) for d in _list(data.get("dependents"))]
    dependent = _person(dependents[0], None) if dependents else None
    if dependent is not None:
        dependent.member_id = dependent.member_id or subscriber.member_id
        dependent.group_number = dependent.group_number or subscriber.group_number
        dependent.dates = dependent.dates or subscriber.dates
    return PayerAnswer(
        format="clearinghouse-json",
        payer_name=_text(payer.get("name")),
        payer_id=_text(payer.get("payorIdentification"))
        or _text(data.get("tradingPartnerServiceId")),
        payer_phone=_phone(payer),
        subscriber=subscriber if subscriber_data else None,
        dependent=dependent,
        rejections=_rejections(data),
        benefits=[_benefit(i, _dict(row)) for i, row in enumerate(rows)],
    )
