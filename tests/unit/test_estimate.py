"""The IOP course estimate on the mock plans, with every figure worked out by hand."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest

from tests.helpers import determine, fixture_path
from verifier.domain.estimate import Estimate, Schedule, estimate_course


def plan(name: str) -> dict[str, Any]:
    return determine(fixture_path(name))


def course(
    name: str | dict[str, Any],
    days_per_week: int,
    weeks: int,
    charge: str,
    network: str = "in_network",
    level: str = "iop_mental_health",
) -> Estimate:
    determination = plan(name) if isinstance(name, str) else name
    schedule = Schedule(days_per_week, weeks, Decimal(charge), network)
    return estimate_course(determination, level, schedule=schedule)


def test_dual_ppo_in_network_deductible_then_copay() -> None:
    # 3 days x 12 weeks = 36 days at $300 = $10,800.
    # Deductible $900 remaining = 3 full days at $300; then 33 days x $40 copay = $1,320.
    # Client: 900 + 1,320 = $2,220 (under the $5,100 out-of-pocket left); plan: $8,580.
    estimate = course("MOCK-IOP-DUAL", 3, 12, "300.00")
    assert (estimate.days, estimate.total_charge) == (36, Decimal("10800.00"))
    assert (estimate.client_pays, estimate.plan_pays) == (Decimal("2220.00"), Decimal("8580.00"))
    assert estimate.unknown == []
    assert "Deductible: $900.00 remaining, paid in full over the first 3 days ($300.00 a day)." in (
        estimate.steps
    )
    assert "Then $40.00 copay per day for 33 days = $1,320.00." in estimate.steps
    assert "Out-of-pocket maximum $5,100.00 remaining is not reached." in estimate.steps
    assert any("copays do not count toward it" in step for step in estimate.steps)
    assert any("Prior authorization is required" in step for step in estimate.steps)


def test_the_day_the_deductible_is_met_also_carries_the_copay_on_the_rest() -> None:
    # 5 x 12 = 60 days at $250 = $15,000. Deductible $900: $250 on days 1-3 ($750), $150 on
    # day 4, whose other $100 takes the $40 copay; days 5-60: 56 x $40 = $2,240.
    # Client: 900 + 40 + 2,240 = $3,180; plan: 15,000 - 3,180 = $11,820.
    estimate = course("MOCK-IOP-DUAL", 5, 12, "250.00")
    assert (estimate.client_pays, estimate.plan_pays) == (Decimal("3180.00"), Decimal("11820.00"))
    assert (
        "Deductible: $900.00 remaining, paid in full over the first 4 days "
        "($250.00 a day, then $150.00 on day 4)."
    ) in estimate.steps
    assert "On day 4, the $100.00 left after the deductible costs the client $40.00." in (
        estimate.steps
    )
    assert "Then $40.00 copay per day for 56 days = $2,240.00." in estimate.steps


def test_dual_ppo_out_of_network_substance_use_uses_the_out_of_network_figures() -> None:
    # 5 x 8 = 40 days at $250 = $10,000. Out-of-network deductible $3,000 = 12 days x $250;
    # then 40% x $250 = $100 a day for 28 days = $2,800. Client 5,800 (< $12,000 OOP left).
    estimate = course("MOCK-IOP-DUAL", 5, 8, "250", "out_of_network", "iop_substance_use")
    assert (estimate.total_charge, estimate.client_pays) == (
        Decimal("10000.00"),
        Decimal("5800.00"),
    )
    assert estimate.plan_pays == Decimal("4200.00")
    assert "Then 40% coinsurance ($100.00 a day) for 28 days = $2,800.00." in estimate.steps
    assert any("allowed amount" in step for step in estimate.steps)


def test_a_short_course_that_does_not_meet_the_deductible() -> None:
    # 3 x 1 = 3 days at $300 = $900, all toward the $3,000 out-of-network deductible.
    estimate = course("MOCK-IOP-DUAL", 3, 1, "300.00", "out_of_network")
    assert (estimate.client_pays, estimate.plan_pays) == (Decimal("900.00"), Decimal("0.00"))
    assert (
        "Deductible: $3,000.00 remaining; all 3 days ($900.00) go toward it, leaving $2,100.00."
    ) in estimate.steps


def test_deductible_met_big_course_hits_the_out_of_pocket_cap() -> None:
    # 5 x 12 = 60 days at $450 = $27,000. Deductible met; 10% x $450 = $45 a day.
    # Uncapped 60 x 45 = $2,700 > $2,500 left: 55 days = $2,475, day 56 reaches $2,520,
    # so the cap is reached on day 56. Client $2,500; plan 27,000 - 2,500 = $24,500.
    estimate = course("MOCK-DEDUCTIBLE-MET", 5, 12, "450.00")
    assert (estimate.client_pays, estimate.plan_pays) == (Decimal("2500.00"), Decimal("24500.00"))
    assert "Deductible: $0.00 remaining, so the cost share applies from day 1." in estimate.steps
    assert "Then 10% coinsurance ($45.00 a day) for 60 days = $2,700.00." in estimate.steps
    assert (
        "Out-of-pocket maximum $2,500.00 remaining is reached on day 56; the plan pays in full "
        "after that, so the client pays $2,500.00 instead of $2,700.00."
    ) in estimate.steps


def test_coinsurance_is_rounded_to_cents_half_up_each_day() -> None:
    # 10% of $123.45 = $12.345 -> $12.35 (half-up; banker's rounding would give $12.34).
    # 1 x 2 = 2 days: 2 x 12.35 = $24.70.
    estimate = course("MOCK-DEDUCTIBLE-MET", 1, 2, "123.45")
    assert (estimate.total_charge, estimate.client_pays) == (Decimal("246.90"), Decimal("24.70"))
    assert estimate.plan_pays == Decimal("222.20")


def test_hmo_out_of_network_is_not_covered_so_the_client_pays_everything() -> None:
    # 3 x 8 = 24 days at $300 = $7,200, all of it the client's.
    estimate = course("MOCK-HMO", 3, 8, "300.00", "out_of_network")
    assert (estimate.client_pays, estimate.plan_pays) == (Decimal("7200.00"), Decimal("0.00"))
    assert any("not covered" in step for step in estimate.steps)
    assert estimate.unknown == []


def test_hmo_in_network_per_visit_copay_counts_one_visit_a_day() -> None:
    # No deductible ($0 of $0); 24 days x $30 = $720 (< $3,650 OOP left); plan 7,200 - 720.
    estimate = course("MOCK-HMO", 3, 8, "300.00")
    assert (estimate.client_pays, estimate.plan_pays) == (Decimal("720.00"), Decimal("6480.00"))
    assert (
        "Then $30.00 copay per visit (counted as one visit a day) for 24 days = $720.00."
    ) in estimate.steps


def test_an_inactive_plan_covers_nothing() -> None:
    estimate = course("MOCK-INACTIVE", 3, 8, "300.00")
    assert (estimate.client_pays, estimate.plan_pays) == (Decimal("7200.00"), Decimal("0.00"))
    assert any("not covered (the plan is inactive)" in step for step in estimate.steps)


def test_a_carve_out_flags_every_unknown_and_assumes_the_full_charge() -> None:
    # Nothing known: coverage, deductible, cost share and OOP; the client pays all $7,200.
    estimate = course("MOCK-CARVE-OUT", 3, 8, "300.00", level="iop_substance_use")
    assert estimate.unknown == ["coverage", "deductible", "cost_share", "out_of_pocket"]
    assert (estimate.client_pays, estimate.plan_pays) == (Decimal("7200.00"), Decimal("0.00"))
    assert any("MINDBRIDGE BEHAVIORAL HEALTH" in step for step in estimate.steps)


def dual_with(change: Any) -> dict[str, Any]:
    determination = copy.deepcopy(plan("MOCK-IOP-DUAL"))
    change(determination)
    return determination


def test_no_remaining_deductible_assumes_the_whole_deductible_remains() -> None:
    # Remaining unknown, total $1,500: 5 days x $300; then 31 x $40 = $1,240. Client $2,740.
    def forget(d: dict[str, Any]) -> None:
        d["deductible"]["in_network"]["individual"]["remaining"] = None

    estimate = course(dual_with(forget), 3, 12, "300.00")
    assert estimate.client_pays == Decimal("2740.00")
    assert estimate.unknown == ["deductible"]
    assert any("assuming all $1,500.00 remains" in step for step in estimate.steps)


def test_the_family_figure_stands_in_when_there_is_no_individual_one() -> None:
    # Family $2,100 remaining = 7 days x $300; then 29 x $40 = $1,160. Client $3,260.
    def drop(d: dict[str, Any]) -> None:
        d["deductible"]["in_network"]["individual"] = None

    estimate = course(dual_with(drop), 3, 12, "300.00")
    assert estimate.client_pays == Decimal("3260.00")
    assert estimate.unknown == []


def test_no_cost_share_means_the_full_charge_up_to_the_out_of_pocket_cap() -> None:
    # No copay or coinsurance: $300 every day; $5,100 OOP left is reached on day 17 (17 x 300).
    def strip(d: dict[str, Any]) -> None:
        d["levels_of_care"]["iop_mental_health"]["in_network"]["copay"] = None

    estimate = course(dual_with(strip), 3, 12, "300.00")
    assert estimate.unknown == ["cost_share"]
    assert estimate.client_pays == Decimal("5100.00")
    assert any("reached on day 17" in step for step in estimate.steps)


def test_no_out_of_pocket_figure_applies_no_cap_and_says_so() -> None:
    def drop(d: dict[str, Any]) -> None:
        d["out_of_pocket"]["in_network"] = None

    estimate = course(dual_with(drop), 3, 12, "300.00")
    assert estimate.unknown == ["out_of_pocket"]
    assert estimate.client_pays == Decimal("2220.00")
    assert any("no cap is applied" in step for step in estimate.steps)


@pytest.mark.parametrize(
    "name", ["MOCK-IOP-DUAL", "MOCK-DEDUCTIBLE-MET", "MOCK-HMO", "MOCK-SUD-ONLY", "MOCK-MH-ONLY"]
)
@pytest.mark.parametrize("network", ["in_network", "out_of_network"])
def test_client_and_plan_always_add_up_to_the_charge(name: str, network: str) -> None:
    estimate = course(name, 4, 10, "287.33", network)
    assert estimate.client_pays + estimate.plan_pays == estimate.total_charge
    assert Decimal("0") <= estimate.client_pays <= estimate.total_charge
    assert estimate.client_pays == estimate.client_pays.quantize(Decimal("0.01"))


@pytest.mark.parametrize(
    ("days_per_week", "weeks", "charge", "network"),
    [(0, 8, "300", "in_network"), (8, 8, "300", "in_network"), (3, 0, "300", "in_network"),
     (3, 8, "0", "in_network"), (3, 8, "300", "elsewhere")],
)  # fmt: skip
def test_an_impossible_schedule_is_refused(
    days_per_week: int, weeks: int, charge: str, network: str
) -> None:
    with pytest.raises(ValueError):
        Schedule(days_per_week, weeks, Decimal(charge), network)


def test_an_unknown_level_is_refused() -> None:
    with pytest.raises(ValueError):
        estimate_course(
            plan("MOCK-IOP-DUAL"), "php_mental_health", schedule=Schedule(3, 8, Decimal(1))
        )


def test_figures_without_a_network_are_used_when_none_names_the_network() -> None:
    from tests.unit.test_reading_rules import read
    from tests.unit.test_second_edition import MEDICARE_PART_B

    medicare = read(MEDICARE_PART_B)
    result = estimate_course(
        medicare, schedule=Schedule(days_per_week=3, weeks=2, charge_per_day=Decimal("300"))
    )
    # Part B deductible already met ($0 of $257 left), then 20% of $300 = $60 a day for
    # 6 days = $360; no out-of-pocket maximum is stated, so nothing caps it.
    assert result.client_pays == Decimal("360.00")
    assert "cost_share" not in result.unknown and "deductible" not in result.unknown
    assert any("does not distinguish network" in step for step in result.steps)
    assert any("not for IOP itself" in step for step in result.steps)
