"""The mock scenarios that real payers' answers inspired, read in all three formats."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import FIXTURES, determine, fixture_path


def scenario(name: str) -> dict[str, Any]:
    return determine(fixture_path(name))


@pytest.mark.parametrize(
    "path",
    [
        fixture_path("MOCK-MEDICARE"),
        FIXTURES / "clearinghouse" / "MOCK-MEDICARE.json",
        FIXTURES / "fhir" / "medicare.json",
    ],
    ids=["x12", "clearinghouse", "fhir"],
)
def test_medicare_part_b_figures_read_without_a_network(path: Any) -> None:
    determination = determine(path)
    mental = determination["levels_of_care"]["iop_mental_health"]
    assert mental["covered"] is True
    assert mental["basis"] == "general_service_type"
    assert mental["network_not_stated"]["coinsurance"] == "0.2"
    assert determination["deductible"]["network_not_stated"]["individual"] == {
        "total": "283.00",
        "remaining": "0.00",
    }
    assert "does not distinguish network" in determination["summary"]


def test_medicare_reads_part_b_and_its_window_is_no_end_of_coverage() -> None:
    determination = scenario("MOCK-MEDICARE")
    assert determination["plan"]["insurance_type"] == "Medicare Part B"
    assert determination["plan"]["coverage_begin"] == "2020-03-01"
    assert determination["plan"]["coverage_end"] is None
    # The Part A deductible ($1,736 per benefit period) is Part A's, not the outpatient one.
    assert "1,736" not in determination["summary"]


def test_medicare_advantage_says_bill_the_plan_and_call_its_um_for_prior_auth() -> None:
    determination = scenario("MOCK-MEDICARE-ADVANTAGE")
    [other] = determination["other_payers"]
    assert other["role"] == "medicare_advantage"
    assert other["name"] == "ACME MEDICARE ADVANTAGE HMO"
    assert (other["coverage_begin"], other["coverage_end"]) == ("2026-01-01", "2026-12-31")
    lines = determination["summary"].splitlines()
    assert lines[1].startswith("Bill ACME MEDICARE ADVANTAGE HMO ((800) 555-0150) first")
    assert "For prior authorization, call ACME BEHAVIORAL UM at (800) 555-0101." in lines


def test_medicaid_with_other_coverage_bills_the_other_coverage_first() -> None:
    determination = scenario("MOCK-MEDICAID-OTHER")
    [other] = determination["other_payers"]
    assert (other["role"], other["name"], other["member_id"]) == (
        "primary",
        "ACME HEALTH PLAN",
        "ACM123456789",
    )
    assert determination["plan"]["coverage_end"] is None  # DTP*347 99991231: open-ended
    assert determination["summary"].splitlines()[1].startswith("Bill ACME HEALTH PLAN")


def test_multi_plan_riders_never_feed_the_medical_figures() -> None:
    determination = scenario("MOCK-MULTI-PLAN")
    assert determination["plan"]["name"] == "ACME PPO 1500"
    assert determination["out_of_pocket"]["out_of_network"]["individual"]["total"] == "12000.00"
    assert determination["deductible"]["in_network"]["individual"]["total"] == "1500.00"
    mental = determination["levels_of_care"]["iop_mental_health"]
    assert mental["in_network"]["copay"] == "40.00"


def test_general_mh_benefit_is_never_quoted_as_an_iop_price() -> None:
    determination = scenario("MOCK-GENERAL-MH")
    for name in ("iop_mental_health", "iop_substance_use"):
        level = determination["levels_of_care"][name]
        assert level["basis"] == "general_service_type"
        assert level["in_network"]["basis"] == "general_service_type"
    text = determination["summary"]
    assert "the plan's general mental-health benefit" in text
    assert "the plan's general substance-use benefit" in text
    assert "The price of IOP itself is to be confirmed by phone." in text
