"""Change detection between two determinations of the same member, for re-verification jobs."""

from __future__ import annotations

from typing import Any, NoReturn

import pytest

from adapters.mock import SCENARIOS
from tests.helpers import determine, fixture_path
from verifier.domain.changes import Change, detect_changes


def det(name: str) -> dict[str, Any]:
    return determine(fixture_path(name))


def kinds(changes: list[Change]) -> list[str]:
    return [change.kind for change in changes]


def only(changes: list[Change], kind: str) -> Change:
    found = [change for change in changes if change.kind == kind]
    assert len(found) == 1, kinds(changes)
    return found[0]


def test_identical_determinations_have_no_changes() -> None:
    for name in SCENARIOS:
        assert detect_changes(det(name), det(name)) == []


def test_a_first_verification_has_no_changes() -> None:
    for name in SCENARIOS:
        assert detect_changes(None, det(name)) == []


@pytest.mark.parametrize("other", ["MOCK-IOP-DUAL", "MOCK-INACTIVE", "MOCK-MH-ONLY", "MOCK-HMO"])
def test_a_payer_being_down_on_either_side_is_not_a_change(other: str) -> None:
    assert detect_changes(det("MOCK-PAYER-DOWN"), det(other)) == []
    assert detect_changes(det(other), det("MOCK-PAYER-DOWN")) == []


def test_a_member_not_found_or_a_rejection_is_compared_with_nothing() -> None:
    rejected = det("MOCK-IOP-DUAL")
    rejected["status"] = "rejected"
    for unusable in (det("MOCK-NOT-FOUND"), rejected):
        assert detect_changes(det("MOCK-INACTIVE"), unusable) == []
        assert detect_changes(unusable, det("MOCK-MH-ONLY")) == []


def test_an_active_plan_becoming_inactive_is_coverage_lost_first() -> None:
    changes = detect_changes(det("MOCK-IOP-DUAL"), det("MOCK-INACTIVE"))
    assert changes[0] == Change(
        "coverage_lost", "Coverage ended: the plan is no longer active.", "active", "inactive"
    )
    assert "coverage_regained" not in kinds(changes)


def test_an_inactive_plan_becoming_active_is_coverage_regained() -> None:
    changes = detect_changes(det("MOCK-INACTIVE"), det("MOCK-IOP-DUAL"))
    regained = only(changes, "coverage_regained")
    assert (regained.before, regained.after) == ("inactive", "active")
    assert "coverage_lost" not in kinds(changes)


def test_kinds_come_in_the_fixed_order() -> None:
    changes = detect_changes(det("MOCK-IOP-DUAL"), det("MOCK-INACTIVE"))
    assert kinds(changes) == [
        "coverage_lost",
        "iop_mental_health_changed",
        "iop_substance_use_changed",
        "dual_diagnosis_changed",
        "prior_auth_changed",
        "plan_changed",
    ]


def test_substance_use_iop_no_longer_covered_is_flagged_in_plain_words() -> None:
    changes = detect_changes(det("MOCK-IOP-DUAL"), det("MOCK-MH-ONLY"))
    change = only(changes, "iop_substance_use_changed")
    assert change.summary == "Substance use IOP is now not covered (it was covered)."
    assert (change.before, change.after) == (True, False)
    assert "iop_mental_health_changed" not in kinds(changes)


def test_mental_health_iop_becoming_unknown_is_flagged() -> None:
    current = det("MOCK-IOP-DUAL")
    current["levels_of_care"]["iop_mental_health"]["covered"] = None
    change = only(detect_changes(det("MOCK-IOP-DUAL"), current), "iop_mental_health_changed")
    assert (change.before, change.after) == (True, None)
    assert change.summary.startswith("Mental health IOP is now not stated by the insurer")


def test_dual_diagnosis_coverage_changing_is_flagged() -> None:
    change = only(
        detect_changes(det("MOCK-MH-ONLY"), det("MOCK-IOP-DUAL")), "dual_diagnosis_changed"
    )
    assert (change.before, change.after) == (False, True)
    assert "now covered (it was not covered)" in change.summary


def test_prior_auth_changing_on_either_iop_level_is_one_event() -> None:
    changes = detect_changes(det("MOCK-IOP-DUAL"), det("MOCK-MH-ONLY"))
    change = only(changes, "prior_auth_changed")
    assert change.before == {"iop_mental_health": True, "iop_substance_use": True}
    assert change.after == {"iop_mental_health": False, "iop_substance_use": None}
    assert "mental health IOP now not required (was required)" in change.summary


def test_a_plan_switch_is_plan_changed() -> None:
    changes = detect_changes(det("MOCK-IOP-DUAL"), det("MOCK-HMO"))
    change = only(changes, "plan_changed")
    assert change.before["name"] == "ACME PPO 1500"
    assert change.after["name"] == "ACME HMO SELECT"
    assert "ACME HMO SELECT" in change.summary
    assert "group number" not in change.summary
    assert "payer_changed" not in kinds(changes)


def test_a_plan_name_appearing_where_there_was_none_is_not_a_plan_change() -> None:
    previous = det("MOCK-IOP-DUAL")
    previous["plan"]["name"] = None
    assert detect_changes(previous, det("MOCK-IOP-DUAL")) == []


def test_a_new_group_number_is_plan_changed() -> None:
    current = det("MOCK-IOP-DUAL")
    current["plan"]["group_number"] = "GRP2002"
    changes = detect_changes(det("MOCK-IOP-DUAL"), current)
    assert kinds(changes) == ["plan_changed"]
    assert "group number was GRP1001, now GRP2002" in changes[0].summary


def test_a_different_payer_is_payer_changed() -> None:
    current = det("MOCK-IOP-DUAL")
    current["payer"] = {"name": "OTHER HEALTH", "id": "OTHR1"}
    change = only(detect_changes(det("MOCK-IOP-DUAL"), current), "payer_changed")
    assert change.before == {"id": "ACME1", "name": "ACME HEALTH PLAN"}
    assert change.after == {"id": "OTHR1", "name": "OTHER HEALTH"}


def test_the_individual_deductible_reaching_zero_is_deductible_met() -> None:
    changes = detect_changes(det("MOCK-IOP-DUAL"), det("MOCK-DEDUCTIBLE-MET"))
    assert kinds(changes) == ["deductible_met"]
    assert changes[0].summary == "The in-network deductible is now met."
    assert changes[0].before == {"total": "1500.00", "remaining": "900.00"}
    assert changes[0].after == {"total": "1500.00", "remaining": "0.00"}


def test_the_family_deductible_counts_when_no_individual_figure_is_given() -> None:
    previous, current = det("MOCK-IOP-DUAL"), det("MOCK-IOP-DUAL")
    for determination in (previous, current):
        determination["deductible"]["in_network"]["individual"] = None
    current["deductible"]["in_network"]["family"]["remaining"] = "0.00"
    change = only(detect_changes(previous, current), "deductible_met")
    assert change.summary == "The in-network family deductible is now met."


def test_a_deductible_already_met_is_not_met_again() -> None:
    assert detect_changes(det("MOCK-DEDUCTIBLE-MET"), det("MOCK-DEDUCTIBLE-MET")) == []
    assert detect_changes(det("MOCK-DEDUCTIBLE-MET"), det("MOCK-IOP-DUAL")) == []


def test_the_out_of_pocket_maximum_reaching_zero_is_out_of_pocket_met() -> None:
    current = det("MOCK-DEDUCTIBLE-MET")
    current["out_of_pocket"]["in_network"]["individual"]["remaining"] = "0.00"
    changes = detect_changes(det("MOCK-DEDUCTIBLE-MET"), current)
    assert kinds(changes) == ["out_of_pocket_met"]
    assert changes[0].summary == "The in-network out-of-pocket maximum is now met."


def test_out_of_network_figures_do_not_count_as_met() -> None:
    current = det("MOCK-IOP-DUAL")
    current["deductible"]["out_of_network"]["individual"]["remaining"] = "0.00"
    assert detect_changes(det("MOCK-IOP-DUAL"), current) == []


class Untouchable(dict[str, Any]):
    """A member block that fails the test if anything reads it."""

    def __getitem__(self, key: str) -> NoReturn:
        raise AssertionError("the member block was read")

    def get(self, *args: Any) -> NoReturn:
        raise AssertionError("the member block was read")


def test_the_member_block_is_never_read() -> None:
    previous, current = det("MOCK-IOP-DUAL"), det("MOCK-INACTIVE")
    previous["member"] = Untouchable(previous["member"])
    current["member"] = Untouchable(current["member"])
    assert detect_changes(previous, current)


PAIRS = [
    ("MOCK-IOP-DUAL", "MOCK-INACTIVE"),
    ("MOCK-INACTIVE", "MOCK-IOP-DUAL"),
    ("MOCK-IOP-DUAL", "MOCK-MH-ONLY"),
    ("MOCK-MH-ONLY", "MOCK-SUD-ONLY"),
    ("MOCK-IOP-DUAL", "MOCK-HMO"),
    ("MOCK-HMO", "MOCK-CARVE-OUT"),
    ("MOCK-IOP-DUAL", "MOCK-DEDUCTIBLE-MET"),
    ("MOCK-DEPENDENT", "MOCK-INACTIVE"),
]


@pytest.mark.parametrize(("before", "after"), PAIRS)
def test_summaries_never_name_the_member(before: str, after: str) -> None:
    previous, current = det(before), det(after)
    changes = detect_changes(previous, current)
    assert changes
    secrets = {
        str(value).lower()
        for block in (previous["member"], current["member"])
        for value in block.values()
        if isinstance(value, str)  # `corrected` is a flag, not the member's data
    } - {"subscriber", "dependent"}
    assert secrets
    for change in changes:
        text = " ".join([change.summary, repr(change.before), repr(change.after)]).lower()
        for secret in secrets:
            assert secret not in text, (change.kind, secret)
