"""Reading every format: X12 separators and layout, clearinghouse JSON twins, FHIR."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from adapters.answers import read_answers
from adapters.x12.reader import X12Error, read_271
from tests.helpers import FIXTURES, determine, fixture_path
from verifier.domain.coverage import interpret
from verifier.domain.determination import as_json
from verifier.domain.model import UnreadableAnswer

TWINS = sorted(p.stem for p in (FIXTURES / "clearinghouse").glob("*.json"))


def without_evidence(determination: dict) -> dict:  # type: ignore[type-arg]
    for level in determination["levels_of_care"].values():
        level["evidence"] = []
    return determination


@pytest.mark.parametrize("name", TWINS)
def test_clearinghouse_json_gives_the_same_determination_as_its_x12_twin(name: str) -> None:
    from_json = determine(FIXTURES / "clearinghouse" / f"{name}.json")
    from_x12 = determine(fixture_path(name))
    assert without_evidence(from_json) == without_evidence(from_x12)


def test_clearinghouse_evidence_names_the_json_row() -> None:
    level = determine(FIXTURES / "clearinghouse" / "MOCK-IOP-DUAL.json")["levels_of_care"][
        "iop_mental_health"
    ]
    assert level["evidence"][0].startswith("benefitsInformation[1] ")


def test_separators_come_from_isa_with_bom_crlf_and_indentation() -> None:
    from_plain = determine(fixture_path("MOCK-MH-ONLY"))
    from_odd = determine(fixture_path("bom_indented"))
    assert without_evidence(from_odd) == without_evidence(from_plain)
    assert from_odd["levels_of_care"]["iop_substance_use"]["covered"] is False


def test_several_transaction_sets_give_one_answer_each() -> None:
    answers = read_271(fixture_path("several_transactions").read_text())
    statuses = [interpret(a).status for a in answers]
    assert statuses == ["active", "inactive"]
    assert [a.subscriber.member_id for a in answers if a.subscriber] == [
        "TEST-SECOND",
        "TEST-THIRD",
    ]


def test_benefit_related_entity_is_read_inside_ls_le() -> None:
    answer = read_271(fixture_path("MOCK-IOP-DUAL").read_text())[0]
    entities = [e for b in answer.benefits for e in b.entities]
    assert [(e.role, e.name, e.phone) for e in entities] == [
        ("X3", "ACME BEHAVIORAL UM", "8005550101")
    ]


def test_a_270_inquiry_is_refused_with_a_clear_reason() -> None:
    inquiry = fixture_path("MOCK-IOP-DUAL").read_text().replace("ST*271", "ST*270")
    with pytest.raises(X12Error, match="270 is not a 271"):
        read_271(inquiry)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "empty"),
        (b"hello world", "not an X12 271"),
        (b"ISA*00*short~", "must start with an ISA"),
        (b"{not json", "malformed JSON"),
        (b'{"resourceType": "Patient"}', "CoverageEligibilityResponse"),
        (b'{"benefitsInformation": 3}', "must be a list"),
    ],
)
def test_unreadable_input_raises_one_clear_error(raw: bytes, reason: str) -> None:
    with pytest.raises(UnreadableAnswer, match=reason):
        read_answers(raw)


FHIR = {
    "resourceType": "CoverageEligibilityResponse",
    "status": "active",
    "purpose": ["benefits"],
    "outcome": "complete",
    "contained": [
        {
            "resourceType": "Patient",
            "id": "p",
            "name": [{"family": "Doe", "given": ["Jane"]}],
            "birthDate": "1985-03-15",
        },
        {
            "resourceType": "Coverage",
            "id": "c",
            "subscriberId": "MOCK-IOP-DUAL",
            "relationship": {"coding": [{"code": "self"}]},
            "class": [
                {"type": {"coding": [{"code": "group"}]}, "value": "GRP1001"},
                {"type": {"coding": [{"code": "plan"}]}, "value": "P1", "name": "ACME PPO 1500"},
            ],
        },
    ],
    "patient": {"reference": "#p"},
    "insurer": {"display": "ACME HEALTH PLAN", "identifier": {"value": "ACME1"}},
    "insurance": [
        {
            "coverage": {"reference": "#c"},
            "inforce": True,
            "benefitPeriod": {"start": "2026-01-01", "end": "2026-12-31"},
            "item": [
                {
                    "category": {
                        "coding": [
                            {"system": "https://codesystem.x12.org/005010/1365", "code": "CH"}
                        ]
                    },
                    "network": {"coding": [{"code": "in"}]},
                    "unit": {"coding": [{"code": "individual"}]},
                    "term": {"coding": [{"code": "day"}]},
                    "authorizationRequired": True,
                    "benefit": [
                        {
                            "type": {"coding": [{"code": "copay"}]},
                            "allowedMoney": {"value": 40, "currency": "USD"},
                        }
                    ],
                },
                {"category": {"coding": [{"code": "CJ"}]}, "excluded": True},
                {
                    "category": {"coding": [{"code": "30"}]},
                    "network": {"coding": [{"code": "in"}]},
                    "unit": {"coding": [{"code": "individual"}]},
                    "term": {"coding": [{"code": "annual"}]},
                    "benefit": [
                        {
                            "type": {"coding": [{"code": "deductible"}]},
                            "allowedMoney": {"value": 1500},
                            "usedMoney": {"value": 600},
                        }
                    ],
                },
            ],
        }
    ],
}


def test_fhir_coverage_eligibility_response_is_read_like_a_271() -> None:
    determination = as_json(interpret(read_answers(json.dumps(FHIR))[0]))
    mental = determination["levels_of_care"]["iop_mental_health"]
    assert determination["status"] == "active"
    assert determination["member"]["member_id"] == "MOCK-IOP-DUAL"
    assert determination["plan"]["name"] == "ACME PPO 1500"
    assert determination["plan"]["coverage_end"] == "2026-12-31"
    assert mental["in_network"] == {
        "covered": True,
        "copay": "40.00",
        "copay_unit": "day",
        "coinsurance": None,
        "basis": "facility_service_type",
    }
    assert mental["prior_auth_required"] is True
    assert determination["levels_of_care"]["iop_substance_use"]["covered"] is False
    assert determination["deductible"]["in_network"]["individual"] == {
        "total": "1500.00",
        "remaining": "900.00",
    }


def test_fhir_inforce_false_is_inactive() -> None:
    inactive = json.loads(json.dumps(FHIR))
    inactive["insurance"][0]["inforce"] = False
    inactive["insurance"][0]["item"] = []
    assert interpret(read_answers(json.dumps(inactive))[0]).status == "inactive"


def test_fixture_files_exist() -> None:
    assert len(TWINS) >= 13
    assert all(Path(fixture_path(name)).exists() for name in TWINS)


def test_fhir_twin_of_the_dual_ppo_agrees_on_what_staff_need() -> None:
    from_fhir = determine(FIXTURES / "fhir" / "iop_dual.json")
    from_x12 = determine(fixture_path("MOCK-IOP-DUAL"))
    for key in ("status", "deductible", "out_of_pocket"):
        assert from_fhir[key] == from_x12[key]
    for name in ("iop_mental_health", "iop_substance_use"):
        fhir_level, x12_level = from_fhir["levels_of_care"][name], from_x12["levels_of_care"][name]
        assert fhir_level["covered"] is x12_level["covered"] is True
        assert fhir_level["in_network"] == x12_level["in_network"]
        assert fhir_level["prior_auth_required"] is True
    assert determine(FIXTURES / "fhir" / "inactive.json")["status"] == "inactive"
