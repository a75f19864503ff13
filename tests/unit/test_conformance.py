"""Every real 271 in ../shared/payer-samples reads as a careful reader would read it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import ROOT, determine

SAMPLES = ROOT.parent / "shared" / "payer-samples"
pytestmark = pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/payer-samples is absent")

EXPECTED = {
    "LinuxForHealth__x12__demo.271": ("active", True, None),
    "LinuxForHealth__x12__dependent-health-benefit-check.271": ("active", True, None),
    "LinuxForHealth__x12__subscriber-health-benefit-check-error.271": ("rejected", None, None),
    "api-evangelist__stedi__stedi-healthcare-openapi_EligibilityCheck_example1.271": (
        "active",
        None,
        None,
    ),
    "api-evangelist__stedi__stedi-healthcare-openapi_EligibilityCheck_example1.json": (
        "active",
        None,
        None,
    ),
    "api-evangelist__stedi__stedi-healthcare-openapi_EligibilityCheck_example2_AAA44.271": (
        "rejected",
        None,
        None,
    ),
    "Inteligenz__X12Parser__Example3_CMS_HETS.txt": ("active", None, None),
    "Inteligenz__X12Parser__Example_3_1_2.txt": ("payer_unavailable", None, None),
    "Inteligenz__X12Parser__Example_ErrorWithoutBenefitInfo.txt": ("payer_unavailable", None, None),
    "slott56__TigerShark__271-dependent-benefits.txt": ("active", None, None),
    "slott56__TigerShark__271-example-2.txt": ("active", True, None),
    "slott56__TigerShark__271-example-dependent-rejection.txt": ("not_found", None, None),
    "slott56__TigerShark__271-example.txt": ("not_found", None, None),
    "xiaoerge__X12Healthcare__BenefitResponseTest_eMedNY.271": ("active", True, None),
}


def sample(name: str) -> Path:
    return SAMPLES / name


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_payer_answer_reads_as_a_careful_reader_would(name: str) -> None:
    status, mental_health, substance_use = EXPECTED[name]
    determination = determine(sample(name))
    assert determination["status"] == status
    assert determination["levels_of_care"]["iop_mental_health"]["covered"] is mental_health
    assert determination["levels_of_care"]["iop_substance_use"]["covered"] is substance_use
    assert determination["summary"]


def test_every_271_in_the_samples_folder_is_covered_by_this_test() -> None:
    answers = {p.name for p in SAMPLES.iterdir() if ".270" not in p.name and p.suffix != ".md"}
    assert answers <= set(EXPECTED)


def test_uhc_family_accumulators_agree_total_minus_met_equals_remaining() -> None:
    determination = determine(
        sample("api-evangelist__stedi__stedi-healthcare-openapi_EligibilityCheck_example1.271")
    )
    assert determination["member"]["relationship"] == "dependent"
    assert determination["deductible"]["out_of_network"]["family"] == {
        "total": "5000.00",
        "remaining": "1800.00",
    }
    assert determination["out_of_pocket"]["in_network"]["family"] == {
        "total": "6850.00",
        "remaining": "1294.84",
    }


def test_lfh_demo_reads_mental_health_copays_by_network() -> None:
    level = determine(sample("LinuxForHealth__x12__demo.271"))["levels_of_care"][
        "iop_mental_health"
    ]
    assert level["in_network"]["copay"] == "10.00"
    assert level["out_of_network"]["copay"] == "30.00"
    # EB03 lists MH among the STC-30 set: the plan's general mental-health benefit
    assert level["basis"] == "general_service_type"
