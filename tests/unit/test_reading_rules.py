"""Each reading rule of DESIGN.md, on hand-written 271s for the situation it governs."""

from __future__ import annotations

from adapters.x12.reader import read_271
from verifier.domain.coverage import interpret
from verifier.domain.determination import as_json

ENVELOPE = (
    "ISA*00*          *00*          *ZZ*ACMEHEALTH     *ZZ*EXAMPLERECOV   *261127*0930*^*00501*"
    "000000101*0*T*:~GS*HB*A*B*20261127*0930*1*X*005010X279A1~ST*271*0001*005010X279A1~"
    "BHT*0022*11*R1*20261127*0930~HL*1**20*1~NM1*PR*2*ACME HEALTH PLAN*****PI*ACME1~"
    "HL*2*1*21*1~NM1*1P*2*EXAMPLE RECOVERY*****XX*1234567893~HL*3*2*22*0~"
    "NM1*IL*1*DOE*JANE****MI*A1~DMG*D8*19850315*F~{body}SE*9*0001~GE*1*1~IEA*1*000000101~"
)


def read(body: str) -> dict:  # type: ignore[type-arg]
    return as_json(interpret(read_271(ENVELOPE.format(body=body))[0]))


def test_ppo_reports_per_day_copay_coinsurance_out_of_network_and_prior_auth(x12) -> None:
    level = x12("MOCK-IOP-DUAL")["levels_of_care"]["iop_mental_health"]
    assert level["covered"] is True
    assert level["basis"] == "facility_service_type"
    assert level["in_network"] == {
        "covered": True,
        "copay": "40.00",
        "copay_unit": "day",
        "coinsurance": None,
        "basis": "facility_service_type",
    }
    assert level["out_of_network"]["coinsurance"] == "0.4"
    assert level["prior_auth_required"] is True
    assert level["limits"] == [{"quantity": "30", "unit": "visits", "period": "calendar_year"}]


def test_hmo_without_out_of_network_benefit_marks_out_of_network_not_covered(x12) -> None:
    level = x12("MOCK-HMO")["levels_of_care"]["iop_substance_use"]
    assert level["covered"] is True
    assert level["in_network"]["copay"] == "30.00"
    assert level["in_network"]["copay_unit"] == "visit"
    assert level["out_of_network"] == {
        "covered": False,
        "copay": None,
        "copay_unit": None,
        "coinsurance": None,
        "basis": "facility_service_type",
    }
    assert "NO OUT-OF-NETWORK BENEFITS EXCEPT EMERGENCIES" in level["notes"]


def test_carve_out_names_the_administrator_and_leaves_coverage_unknown(x12) -> None:
    determination = x12("MOCK-CARVE-OUT")
    assert determination["behavioral_health_administrator"] == {
        "name": "MINDBRIDGE BEHAVIORAL HEALTH",
        "id": "MBBH1",
        "phone": "8005550123",
    }
    for level in determination["levels_of_care"].values():
        assert level["covered"] is None
    assert determination["dual_diagnosis"]["covered"] is None


def test_inactive_plan_covers_nothing(x12) -> None:
    determination = x12("MOCK-INACTIVE")
    assert determination["status"] == "inactive"
    assert all(level["covered"] is False for level in determination["levels_of_care"].values())
    assert determination["dual_diagnosis"]["covered"] is False
    assert determination["plan"]["coverage_end"] == "2026-09-30"


def test_member_not_found_is_not_found_and_not_retryable(x12) -> None:
    determination = x12("MOCK-NOT-FOUND")
    assert determination["status"] == "not_found"
    assert determination["rejection"] == {
        "code": "75",
        "reason": "Subscriber/insured not found",
        "follow_up": "Please correct and resubmit",
        "retryable": False,
    }
    assert all(level["covered"] is None for level in determination["levels_of_care"].values())


def test_payer_unable_to_respond_is_unavailable_and_retryable(x12) -> None:
    determination = x12("MOCK-PAYER-DOWN")
    assert determination["status"] == "payer_unavailable"
    assert determination["rejection"]["code"] == "42"
    assert determination["rejection"]["retryable"] is True


def test_dependent_benefits_belong_to_the_dependent(x12) -> None:
    determination = x12("MOCK-DEPENDENT")
    assert determination["member"] == {
        "relationship": "dependent",
        "first_name": "SAM",
        "last_name": "DOE",
        "member_id": "MOCK-DEPENDENT",
        "date_of_birth": "2009-07-04",
        "corrected": True,
    }
    level = determination["levels_of_care"]["iop_substance_use"]
    assert level["in_network"]["copay"] == "35.00"
    assert level["out_of_network"]["coinsurance"] == "0.3"
    assert "corrected" in determination["summary"]


def test_visit_and_day_limits_come_from_eb09_eb10_and_hsd(x12) -> None:
    levels = x12("visit_limits")["levels_of_care"]
    assert levels["iop_mental_health"]["limits"] == [
        {"quantity": "20", "unit": "visits", "period": "calendar_year"},
        {"quantity": "3", "unit": "visits", "period": "week"},
    ]
    assert levels["iop_substance_use"]["limits"] == [
        {"quantity": "60", "unit": "days", "period": "calendar_year"}
    ]


def test_excluded_iop_procedure_wins_over_covered_outpatient_psychiatric(x12) -> None:
    level = x12("procedure_excluded")["levels_of_care"]["iop_mental_health"]
    assert level["covered"] is False
    assert level["basis"] == "procedure"
    assert level["evidence"] == ["EB*I**A8*PR*********HC:S9480"]


def test_benefits_marked_w_apply_in_and_out_of_network(x12) -> None:
    determination = x12("both_networks")
    level = determination["levels_of_care"]["iop_mental_health"]
    assert level["in_network"] == level["out_of_network"]
    assert level["in_network"]["copay"] == "50.00"
    assert (
        determination["deductible"]["in_network"] == determination["deductible"]["out_of_network"]
    )


def test_deductible_and_out_of_pocket_by_network_and_tier(x12) -> None:
    determination = x12("MOCK-IOP-DUAL")
    assert determination["deductible"]["in_network"] == {
        "individual": {"total": "1500.00", "remaining": "900.00"},
        "family": {"total": "3000.00", "remaining": "2100.00"},
    }
    assert determination["out_of_pocket"]["out_of_network"]["individual"] == {
        "total": "12000.00",
        "remaining": "12000.00",
    }


def test_remaining_is_computed_from_total_minus_met_when_not_stated() -> None:
    body = "EB*1**30~EB*C*IND*30***23*1500*****Y~EB*C*IND*30***24*400*****Y~"
    assert read(body)["deductible"]["in_network"]["individual"] == {
        "total": "1500.00",
        "remaining": "1100.00",
    }


def test_untiered_row_is_the_plan_figure_and_tiers_go_to_notes() -> None:
    body = "EB*1**CH~EB*A*IND*CH***27**.2****Y~MSG*HIGHEST BENEFIT~EB*A*IND*CH***27**.3****Y~"
    level = read(body)["levels_of_care"]["iop_mental_health"]
    assert level["in_network"]["coinsurance"] == "0.3"
    assert "coinsurance 0.2 for HIGHEST BENEFIT" in level["notes"]


def test_eb11_n_means_no_prior_auth_and_msg_text_can_require_it() -> None:
    assert (
        read("EB*1**CJ********N~")["levels_of_care"]["iop_substance_use"]["prior_auth_required"]
        is False
    )
    level = read("EB*1**CJ~MSG*PRIOR AUTHORIZATION REQUIRED~")["levels_of_care"][
        "iop_substance_use"
    ]
    assert level["prior_auth_required"] is True
    assert level["notes"] == ["PRIOR AUTHORIZATION REQUIRED"]


def test_absence_is_not_denial() -> None:
    determination = read("EB*1**30*C1*ACME CHOICE~")
    level = determination["levels_of_care"]["iop_substance_use"]
    assert level["covered"] is None
    assert level["basis"] == "plan"
    assert "confirm" in determination["summary"]


def test_non_covered_service_type_is_not_covered() -> None:
    level = read("EB*1**30~EB*I**AI^CJ~")["levels_of_care"]["iop_substance_use"]
    assert level["covered"] is False
    assert level["basis"] == "facility_service_type"  # CJ: substance-use facility outpatient


def test_specific_service_type_figure_beats_a_broad_one() -> None:
    body = "EB*B*IND*MH***27*20*****Y~EB*B*IND*CH***7*45*****Y~"
    assert read(body)["levels_of_care"]["iop_mental_health"]["in_network"]["copay"] == "45.00"


def test_php_reads_partial_hospitalization_service_type() -> None:
    levels = read("EB*1**BB~EB*B*IND*BB***7*100*****Y~")["levels_of_care"]
    assert levels["php_mental_health"]["covered"] is True
    assert levels["php_mental_health"]["in_network"]["copay"] == "100.00"
    assert levels["iop_mental_health"]["covered"] is None


def test_provider_rejection_is_rejected_not_retryable() -> None:
    determination = read("AAA*N**43*C~")
    assert determination["status"] == "rejected"
    assert determination["rejection"]["reason"] == "Invalid/missing provider identification"


def test_dual_diagnosis_is_false_when_one_side_is_not_covered(x12) -> None:
    dual = x12("MOCK-MH-ONLY")["dual_diagnosis"]
    assert dual["covered"] is False
    assert "substance use" in dual["explanation"]
    assert x12("MOCK-IOP-DUAL")["dual_diagnosis"]["covered"] is True


def test_an_amount_no_benefit_could_have_is_unknown_not_a_crash() -> None:
    determination = read(
        "EB*1*IND*30~EB*B*IND*CH***27*9E+40*****Y~EB*C*IND*30***23*1E30*****Y~"
        "EB*B*IND*AI***27*35*****Y~"
    )
    levels = determination["levels_of_care"]
    assert levels["iop_mental_health"]["in_network"]["copay"] is None
    assert levels["iop_substance_use"]["in_network"]["copay"] == "35.00"
    assert determination["deductible"]["in_network"] is None
