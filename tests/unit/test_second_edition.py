"""The reading rules of the second-edition contract, each on a 271 written from 005010X279A1.

Everyone here is invented; amounts and dates are chosen so that each rule shows.
"""

from __future__ import annotations

import json
from typing import Any

from adapters.answers import read_answers
from adapters.x12.reader import read_271
from tests.unit.test_reading_rules import ENVELOPE, read
from verifier.domain.coverage import interpret
from verifier.domain.determination import as_json

# Medicare Part B as HETS answers it: no EB12 anywhere, no EB02 on the deductible, the
# behavioral types in the active row's EB03, coinsurance on the professional types.
MEDICARE_PART_B = (
    "EB*1**30^42^45^48^A7*MA~DTP*291*D8*20150101~"
    "EB*C**30*MA**26*1676~"
    "EB*1**30^A4^A6^A8^AI^AJ^AK*MB~DTP*291*D8*20150101~"
    "EB*C**30*MB**23*257~EB*C**30*MB**29*0~"
    "EB*A**A4^A6^A8^AI^AJ^AK*MB**27**0.2~"
)


def level(determination: dict[str, Any], name: str) -> dict[str, Any]:
    return determination["levels_of_care"][name]  # type: ignore[no-any-return]


# 1. Rows without a network indicator


def test_rows_without_eb12_read_into_network_not_stated() -> None:
    determination = read(MEDICARE_PART_B)
    mental = level(determination, "iop_mental_health")
    assert mental["covered"] is True
    assert mental["in_network"] is None and mental["out_of_network"] is None
    assert mental["network_not_stated"] == {
        "covered": True,
        "copay": None,
        "copay_unit": None,
        "coinsurance": "0.2",
        "basis": "general_service_type",
    }


def test_accumulators_without_eb02_are_individual_and_without_eb12_not_stated() -> None:
    deductible = read(MEDICARE_PART_B)["deductible"]
    assert deductible["in_network"] is None
    assert deductible["network_not_stated"] == {
        "individual": {"total": "257.00", "remaining": "0.00"},
        "family": None,
    }


def test_summary_gives_the_figure_and_says_network_is_not_distinguished() -> None:
    text = read(MEDICARE_PART_B)["summary"]
    assert "20% coinsurance (the insurer does not distinguish network)" in text
    assert "cost share not stated" not in text.split("Partial")[0]
    assert "individual $257, already met" in text


# 2. Several plans in one answer


def test_a_vision_plans_figures_never_become_the_medical_plans() -> None:
    body = (
        "EB*1**30^MH^AI*HN*ACME MEDICARE ADVANTAGE HMO~"
        "EB*G*IND*30***23*3400*****Y~EB*G*IND*30***29*3400*****Y~"
        "EB*1**AL*HN*ACME VISION~"
        "EB*G*IND*30***23*0*****N~EB*C*IND*30***23*0*****Y~"
    )
    determination = read(body)
    assert determination["out_of_pocket"]["out_of_network"] is None
    assert determination["out_of_pocket"]["in_network"]["individual"]["total"] == "3400.00"
    assert determination["deductible"]["in_network"] is None
    assert determination["plan"]["name"] == "ACME MEDICARE ADVANTAGE HMO"


def test_a_dental_rider_named_by_its_plan_name_opens_its_own_plan() -> None:
    body = (
        "EB*1**30^CH*PR*ACME PPO~EB*B*IND*CH***7*40*****Y~"
        "EB*1**30*PR*ACME DENTAL PPO~EB*B*IND*30***27*5*****Y~EB*C*IND*30***23*50*****Y~"
    )
    determination = read(body)
    assert determination["deductible"]["in_network"] is None
    assert level(determination, "iop_mental_health")["in_network"]["copay"] == "40.00"
    assert determination["plan"]["name"] == "ACME PPO"


# 3. Where `plan` comes from


def test_plan_comes_from_the_medical_coverage_row_only() -> None:
    body = (
        "EB*1**35*HM*DENTAL HMO~"
        "EB*R**30*HM~LS*2120~NM1*PRP*2*OTHER HMO~LE*2120~"
        "EB*1**30*PS*ACME OPEN ACCESS~"
        "EB*F**30***LIMITATION TEXT*23***VS*20~"
    )
    plan = read(body)["plan"]
    assert plan["name"] == "ACME OPEN ACCESS"
    assert plan["insurance_type"] == "Point of Service (POS)"


def test_eligibility_dates_come_before_plan_dates_and_nines_are_open_ended() -> None:
    dates = "DTP*346*D8*20250101~DTP*347*D8*30000101~DTP*356*D8*20260201~DTP*357*D8*99991231~"
    plan = read(dates + "EB*1**30*PR*ACME PPO~")["plan"]
    assert plan["coverage_begin"] == "2026-02-01"
    assert plan["coverage_end"] is None


def test_a_deductibles_benefit_period_is_not_the_plans_end() -> None:
    body = "EB*1**30*PR*ACME PPO~EB*C*IND*30***23*1500*****Y~DTP*292*RD8*20260101-20261231~"
    assert read(body)["plan"]["coverage_end"] is None


def test_an_eligibility_window_of_one_month_is_not_an_end_of_coverage() -> None:
    determination = read("DTP*307*RD8*20261101-20261130~EB*6**30~")
    assert determination["status"] == "inactive"
    assert determination["plan"]["coverage_end"] is None
    assert "ended on" not in determination["summary"]


# 4. Other payers


def test_medicare_advantage_enrollment_names_the_plan_to_bill_first() -> None:
    body = MEDICARE_PART_B + (
        "EB*R**30*HN*ACME ADVANTAGE~REF*18*H9999 001~DTP*290*D8*20260101~"
        "LS*2120~NM1*PRP*2*ACME ADVANTAGE PLAN~PER*IC**TE*8005550199~LE*2120~"
    )
    determination = read(body)
    assert determination["other_payers"] == [
        {
            "role": "medicare_advantage",
            "name": "ACME ADVANTAGE PLAN",
            "id": None,
            "phone": "8005550199",
            "member_id": None,
            "plan": "ACME ADVANTAGE",
            "coverage_begin": "2026-01-01",
            "coverage_end": None,
            "notes": ["plan number H9999 001"],
        }
    ]
    second_line = determination["summary"].splitlines()[1]
    assert second_line.startswith("Bill ACME ADVANTAGE PLAN ((800) 555-0199) first")


def test_medicare_secondary_payer_type_makes_the_other_insurer_primary() -> None:
    body = MEDICARE_PART_B + (
        "EB*R*IND*30*12~REF*IG*POL12345~DTP*290*D8*20200101~"
        "LS*2120~NM1*PRP*2*EMPLOYER GROUP PLAN~LE*2120~"
    )
    other = read(body)["other_payers"][0]
    assert (other["role"], other["name"], other["member_id"]) == (
        "primary",
        "EMPLOYER GROUP PLAN",
        "POL12345",
    )


def test_medicaid_with_other_coverage_says_whom_to_bill_first() -> None:
    body = (
        "EB*1**30^MH^AI*MC*STATE MEDICAID~"
        "EB*R**30~LS*2120~NM1*PRP*2*ACME COMMERCIAL*****PI*ACME9~"
        "NM1*SEP*2*STATE MEDICAID*****PI*SMCD1~LE*2120~"
    )
    determination = read(body)
    roles = [(o["role"], o["name"]) for o in determination["other_payers"]]
    assert roles == [("primary", "ACME COMMERCIAL"), ("secondary", "STATE MEDICAID")]
    assert determination["summary"].splitlines()[1].startswith("Bill ACME COMMERCIAL first")


def test_a_um_organisation_is_the_number_to_call_for_prior_authorization() -> None:
    body = (
        "EB*R**30*HN~LS*2120~NM1*PRP*2*ACME ADVANTAGE PLAN~PER*IC**TE*8005550199~LE*2120~"
        "EB*1**30^CH*HN*ACME ADVANTAGE~EB*1**CH*HN*******Y~"
        "LS*2120~NM1*X3*2*ACME BEHAVIORAL UM~PER*IC**TE*8005550101~LE*2120~"
    )
    assert (
        "For prior authorization, call ACME BEHAVIORAL UM at (800) 555-0101."
        in (read(body)["summary"])
    )


# 5. Finer basis


def test_a_general_benefit_is_named_so_and_its_price_is_not_an_iop_price() -> None:
    determination = read("EB*1**30~EB*B*IND*MH***27*10*****Y~")
    mental = level(determination, "iop_mental_health")
    assert mental["basis"] == "general_service_type"
    assert mental["in_network"]["basis"] == "general_service_type"
    text = determination["summary"]
    assert "covered under the plan's general mental-health benefit" in text
    assert "The price of IOP itself is to be confirmed by phone." in text
    assert "Mental health: covered; $10" not in text


def test_a_substance_use_facility_row_is_the_facility_basis() -> None:
    sud = level(read("EB*1**30~EB*B*IND*CJ***7*45*****Y~"), "iop_substance_use")
    assert sud["basis"] == "facility_service_type"


# 6. Per figure, the most specific row that states it


def test_a_covered_procedure_takes_its_cost_share_from_the_facility_rows() -> None:
    body = "EB*1**30~EB*1************HC:S9480~EB*B*IND*CH***7*40*****Y~EB*A*IND*CH***27**.3****N~"
    mental = level(read(body), "iop_mental_health")
    assert mental["basis"] == "procedure"
    assert mental["in_network"]["copay"] == "40.00"
    assert mental["in_network"]["basis"] == "facility_service_type"
    assert mental["out_of_network"]["coinsurance"] == "0.3"
    assert "EB*B*IND*CH***7*40*****Y" in mental["evidence"]


def test_plan_level_cost_share_fills_a_covered_level_and_says_so() -> None:
    determination = read("EB*1**30^MH~EB*A*IND*30***27**.2****Y~")
    mental = level(determination, "iop_mental_health")
    assert mental["in_network"]["coinsurance"] == "0.2"
    assert mental["in_network"]["basis"] == "plan"
    assert "as the plan's general cost share" in determination["summary"]


def test_plan_requires_precert_reaches_the_levels() -> None:
    body = "EB*1**30*PR*ACME PPO~MSG*PLAN REQUIRES PRECERT~EB*1**CH^CJ~"
    determination = read(body)
    assert level(determination, "iop_mental_health")["prior_auth_required"] is True
    assert level(determination, "iop_substance_use")["prior_auth_required"] is True


# 7. Smaller untruths


def test_amounts_of_nines_are_no_figure_and_never_money_in_the_summary() -> None:
    body = (
        "EB*1**30~EB*1**CH~EB*B*IND*CH***27*9999.99*****Y~"
        "EB*G*FAM*30***23*99999.99*****Y~EB*G*IND*30***23*6000*****Y~"
    )
    determination = read(body)
    assert determination["out_of_pocket"]["in_network"]["family"] is None
    mental = level(determination, "iop_mental_health")
    assert mental["in_network"]["copay"] is None
    assert any("placeholder" in note for note in mental["notes"])
    text = determination["summary"]
    assert "99,999" not in text and "9,999" not in text
    assert "placeholder" in text


def test_fhir_answer_complete_without_insurance_is_unknown_not_rejected() -> None:
    resource = {"resourceType": "CoverageEligibilityResponse", "outcome": "complete"}
    determination = as_json(interpret(read_answers(json.dumps(resource))[0]))
    assert determination["status"] == "unknown"
    assert determination["rejection"] is None
    assert "rejected" not in determination["summary"]


def test_bb_is_mental_health_php_only() -> None:
    determination = read("EB*1**30~EB*1**BB~")
    assert level(determination, "php_mental_health")["covered"] is True
    assert level(determination, "php_substance_use")["covered"] is None


def test_substance_use_php_rests_on_substance_use_rows() -> None:
    determination = read("EB*1**30~EB*1**BB~EB*1**AI~")
    sud = level(determination, "php_substance_use")
    assert sud["covered"] is True
    assert sud["basis"] == "general_service_type"


SUBSTANCE_USE_ROWS = (
    "EB*1**30~EB*1**AI^CJ~EB*B*IND*CJ***7*50*****Y~EB*A*IND*AI***27**.2****N~"
    "EB*A*IND*30***27**.3****Y~"
)


def test_substance_use_php_reads_as_iop_until_a_procedure_row_tells_them_apart() -> None:
    # decided once and copied (levels.decide_levels): equal, yet sharing no object
    levels = interpret(read_271(ENVELOPE.format(body=SUBSTANCE_USE_ROWS))[0]).levels_of_care
    iop, php = levels["iop_substance_use"], levels["php_substance_use"]
    assert php == iop and php.in_network is not None
    assert php is not iop and php.in_network is not iop.in_network
    assert php.limits is not iop.limits and php.evidence is not iop.evidence
    # a PHP procedure row beside substance-use rows decides PHP alone
    denied = read(SUBSTANCE_USE_ROWS + "EB*I************NU:0912~")
    assert level(denied, "php_substance_use")["covered"] is False
    assert level(denied, "php_substance_use")["basis"] == "procedure"
    assert level(denied, "iop_substance_use")["covered"] is True
