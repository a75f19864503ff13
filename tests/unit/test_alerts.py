"""Which changes are alerts, and which admissions are near: pure rules."""

from __future__ import annotations

from datetime import date

import pytest

from verifier.domain.alerts import admission_near, matters

TODAY = date(2026, 12, 1)


@pytest.mark.parametrize(
    "kind",
    [
        "coverage_lost",
        "iop_mental_health_changed",
        "iop_substance_use_changed",
        "dual_diagnosis_changed",
        "plan_changed",
    ],
)
def test_losing_coverage_or_a_changed_iop_benefit_or_plan_is_an_alert(kind: str) -> None:
    assert matters(kind, None, None)


@pytest.mark.parametrize(
    "kind", ["coverage_regained", "deductible_met", "out_of_pocket_met", "payer_changed"]
)
def test_good_news_and_bookkeeping_are_not_alerts(kind: str) -> None:
    assert not matters(kind, None, None)


def test_prior_auth_is_an_alert_only_when_a_level_now_requires_it() -> None:
    was = {"iop_mental_health": False, "iop_substance_use": None}
    assert matters("prior_auth_changed", was, {**was, "iop_substance_use": True})
    assert not matters(
        "prior_auth_changed", {"iop_mental_health": True}, {"iop_mental_health": False}
    )
    assert not matters(
        "prior_auth_changed", {"iop_mental_health": True}, {"iop_mental_health": None}
    )


@pytest.mark.parametrize(
    ("admission", "near"),
    [
        (date(2026, 11, 23), False),  # eight days ago: under way, or not coming
        (date(2026, 11, 24), True),  # a week ago
        (TODAY, True),
        (date(2026, 12, 31), True),  # thirty days ahead
        (date(2027, 1, 1), False),
    ],
)
def test_an_admission_is_near_from_a_week_ago_to_thirty_days_ahead(
    admission: date, near: bool
) -> None:
    assert admission_near(admission, TODAY) is near
