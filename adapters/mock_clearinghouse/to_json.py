"""Turn an X12 271 into the clearinghouse eligibility v3 JSON response (Change/Stedi shape)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from adapters.x12.reader import read_271
from adapters.x12.tokens import interchanges
from verifier.domain import codes
from verifier.domain.model import Benefit, Delivery, Entity, PayerAnswer, Person, Rejection

__all__ = ["clearinghouse_response"]

# DTP01 qualifier -> the key Stedi uses in planDateInformation / benefitsDateInformation
_DATE_KEYS = {
    "096": "discharge",
    "102": "issue",
    "152": "effectiveDateOfChange",
    "193": "periodStart",
    "194": "periodEnd",
    "290": "coordinationOfBenefits",
    "291": "plan",
    "292": "benefit",
    "295": "primaryCareProvider",
    "304": "latestVisitOrConsultation",
    "307": "eligibility",
    "318": "added",
    "340": "cobraBegin",
    "341": "cobraEnd",
    "346": "planBegin",
    "347": "planEnd",
    "348": "benefitBegin",
    "349": "benefitEnd",
    "356": "eligibilityBegin",
    "357": "eligibilityEnd",
    "435": "admission",
    "442": "dateOfDeath",
    "472": "service",
    "636": "dateOfLastUpdate",
}
# EB12 as Stedi words it (it says nothing about whether the provider is in network)
_NETWORK = {"Y": "Yes", "N": "No", "W": "Not Applicable", "U": "Unknown"}
# INS02 (element 1069) Individual Relationship Code, as X279A1 allows it in a 271
_RELATIONSHIPS = {
    "01": "Spouse",
    "18": "Self",
    "19": "Child",
    "20": "Employee",
    "21": "Unknown",
    "39": "Organ Donor",
    "40": "Cadaver Donor",
    "53": "Life Partner",
    "G8": "Other Relationship",
}
# REF01 qualifier in loop 2110C/D -> the key Stedi uses in benefitsAdditionalInformation
_REF_KEYS = {
    "18": "planNumber",
    "1L": "groupOrPolicyNumber",
    "49": "familyUnitNumber",
    "6P": "groupNumber",
    "9F": "referralNumber",
    "G1": "priorAuthorizationNumber",
    "IG": "insurancePolicyNumber",
    "1W": "memberIdNumber",
    "N6": "planNetworkIdNumber",
}


def _put(out: dict[str, Any], key: str, value: Any) -> None:
    """Set `key` only when there is something to say: the v3 shape leaves unknowns out."""
    if value is not None and value != [] and value != {}:
        out[key] = value


def _coded(
    out: dict[str, Any], key: str, label: str, table: Mapping[str, str], code: str | None
) -> None:
    """Set a code and, when the table knows it, its name."""
    _put(out, key, code)
    _put(out, label, table.get(code) if code else None)


def _number(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _dates(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    found: dict[str, str] = {}
    for qualifier, value in pairs:
        key = _DATE_KEYS.get(qualifier)
        if key and value and key not in found:
            found[key] = value
    return found


def _telephone(number: str | None) -> dict[str, Any] | None:
    if not number:
        return None
    return {"contacts": [{"communicationMode": "Telephone", "communicationNumber": number}]}


def _person(person: Person, entity: str) -> dict[str, Any]:
    out: dict[str, Any] = {"entityIdentifier": entity, "entityType": "Person"}
    _put(out, "memberId", person.member_id)
    _put(out, "firstName", person.first_name)
    _put(out, "lastName", person.last_name)
    born = person.date_of_birth
    _put(out, "dateOfBirth", born.strftime("%Y%m%d") if born else None)
    _put(out, "groupNumber", person.group_number)
    if person.corrected:
        out["maintenanceTypeCode"], out["maintenanceReasonCode"] = "001", "25"
    return out


def _entity(entity: Entity) -> dict[str, Any]:
    out: dict[str, Any] = {}
    _coded(out, "entityIdentifierCode", "entityIdentifier", codes.ENTITY_ROLES, entity.role)
    _put(out, "entityName", entity.name)
    _put(out, "entityIdentification", entity.id_qualifier)
    _put(out, "entityIdentificationValue", entity.id)
    _put(out, "contactInformation", _telephone(entity.phone))
    return out


def _delivery(hsd: Delivery) -> dict[str, Any]:
    out: dict[str, Any] = {}
    _coded(
        out,
        "quantityQualifierCode",
        "quantityQualifier",
        codes.DELIVERY_QUANTITY_QUALIFIERS,
        hsd.qualifier,
    )
    _put(out, "quantity", _number(hsd.quantity))
    _coded(out, "unitForMeasurementCode", "unitForMeasurement", codes.DELIVERY_UNITS, hsd.unit)
    _coded(out, "timePeriodQualifierCode", "timePeriodQualifier", codes.TIME_PERIODS, hsd.period)
    _put(out, "numOfPeriods", _number(hsd.periods))
    return out


def _benefit(row: Benefit) -> dict[str, Any]:
    out: dict[str, Any] = {}
    _coded(out, "code", "name", codes.ELIGIBILITY_CODES, row.code)
    _coded(out, "coverageLevelCode", "coverageLevel", codes.COVERAGE_LEVELS, row.coverage_level)
    _put(out, "serviceTypeCodes", list(row.service_types))
    _put(out, "serviceTypes", [codes.SERVICE_TYPES.get(s, s) for s in row.service_types])
    _coded(out, "insuranceTypeCode", "insuranceType", codes.INSURANCE_TYPES, row.insurance_type)
    _put(out, "planCoverage", row.plan_description)
    _coded(out, "timeQualifierCode", "timeQualifier", codes.TIME_PERIODS, row.time_period)
    _put(out, "benefitAmount", _number(row.amount))
    _put(out, "benefitPercent", _number(row.percent))
    _coded(
        out,
        "quantityQualifierCode",
        "quantityQualifier",
        codes.QUANTITY_QUALIFIERS,
        row.quantity_qualifier,
    )
    _put(out, "benefitQuantity", _number(row.quantity))
    _put(out, "authOrCertIndicator", row.auth_required)
    _coded(
        out,
        "inPlanNetworkIndicatorCode",
        "inPlanNetworkIndicator",
        _NETWORK,
        row.network,
    )
    if row.procedure:
        qualifier, _, procedure = row.procedure.partition(":")
        out["compositeMedicalProcedureIdentifier"] = {
            "productOrServiceIDQualifierCode": qualifier,
            "procedureCode": procedure,
        }
    _put(out, "additionalInformation", [{"description": m} for m in row.messages])
    _put(out, "benefitsDateInformation", _dates(row.dates))
    refs = {_REF_KEYS[q]: v for q, v in reversed(row.refs) if q in _REF_KEYS and v}
    _put(out, "benefitsAdditionalInformation", refs)
    places = [{"codeListQualifierCode": "ZZ", "industryCode": p} for p in row.places_of_service]
    if places:
        out["eligibilityAdditionalInformation"] = places[0]
        out["eligibilityAdditionalInformationList"] = places
    _put(out, "benefitsServiceDelivery", [_delivery(d) for d in row.deliveries])
    _put(out, "benefitsRelatedEntities", [_entity(e) for e in row.entities])
    return out


def _error(rejection: Rejection) -> dict[str, Any]:
    out: dict[str, Any] = {"field": "AAA"}
    _put(out, "code", rejection.code)
    _put(out, "description", codes.REJECTION_REASONS.get(rejection.code or ""))
    follow = rejection.follow_up
    _put(out, "followupAction", codes.FOLLOW_UP_ACTIONS.get(follow, follow) if follow else None)
    out["location"] = f"Loop {rejection.loop}"
    return out


def _control_number(raw_271: str) -> str | None:
    for seps, segments in interchanges(raw_271):
        isa = segments[0].split(seps.element)
        return isa[13].strip() if len(isa) > 13 and isa[13].strip() else None
    return None


def _payer(answer: PayerAnswer) -> dict[str, Any]:
    out: dict[str, Any] = {"entityIdentifier": "Payer", "entityType": "Non-Person Entity"}
    _put(out, "name", answer.payer_name)
    _put(out, "payorIdentification", answer.payer_id)
    _put(out, "contactInformation", _telephone(answer.payer_phone))
    return out


def clearinghouse_response(raw_271: str) -> dict[str, Any]:
    """The eligibility v3 response a clearinghouse would send for this 271 (its first patient).

    Raises X12Error when the text is not a 271.
    """
    answer = read_271(raw_271)[0]
    control = _control_number(raw_271)
    response: dict[str, Any] = {}
    _put(response, "controlNumber", control)
    _put(response, "reassociationKey", control)
    _put(response, "tradingPartnerServiceId", answer.payer_id)
    response["payer"] = _payer(answer)
    subscriber, dependent = answer.subscriber, answer.dependent
    if subscriber is not None:
        response["subscriber"] = _person(subscriber, "Insured or Subscriber")
        if subscriber.group_number:
            response["planInformation"] = {"groupNumber": subscriber.group_number}
    if dependent is not None:
        person = _person(dependent, "Dependent")
        _coded(
            person,
            "relationToSubscriberCode",
            "relationToSubscriber",
            _RELATIONSHIPS,
            dependent.relationship_code,
        )
        response["dependents"] = [person]
    dates = (dependent.dates if dependent else []) or (subscriber.dates if subscriber else [])
    _put(response, "planDateInformation", _dates(dates))
    response["benefitsInformation"] = [_benefit(b) for b in answer.benefits]
    benefit_rejections = [r for b in answer.benefits for r in b.rejections]
    response["errors"] = [_error(r) for r in [*answer.rejections, *benefit_rejections]]
    response["meta"] = {"applicationMode": "test"}
    response["x12"] = raw_271
    return response
