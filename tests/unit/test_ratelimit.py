"""The sliding-window arithmetic behind the intake limits."""

from __future__ import annotations

import pytest

from verifier.security.ratelimit import retry_after, wait_seconds, window_start


def test_windows_start_on_the_minute() -> None:
    assert window_start(119.9, 60) == 60
    assert window_start(120.0, 60) == 120


@pytest.mark.parametrize("current", [0, 1, 2])
def test_the_first_window_allows_exactly_the_limit(current: int) -> None:
    assert wait_seconds(0, current, 30.0, 60, 3) == 0


def test_a_full_window_waits_for_the_next_one_and_for_its_own_weight_to_fade() -> None:
    # Three at the limit of three, 10 s into the window: the next window starts in 50 s, and
    # there the three still weigh 3 × (1 - e/60), which leaves room for one at e = 20 s.
    assert wait_seconds(0, 3, 10.0, 60, 3) == pytest.approx(70.0)


def test_a_burst_at_the_end_of_one_window_still_counts_early_in_the_next() -> None:
    # Ten in the previous window, limit ten, nothing yet in this one.
    assert wait_seconds(10, 0, 3.0, 60, 10) == pytest.approx(3.0)  # 9.5 + 1 > 10 until 6 s
    assert wait_seconds(10, 0, 6.0, 60, 10) == 0
    assert wait_seconds(10, 4, 24.0, 60, 10) == pytest.approx(6.0)  # 6 + 4 + 1 until 30 s


def test_a_limit_of_zero_refuses_for_a_whole_window() -> None:
    assert wait_seconds(0, 0, 0.0, 60, 0) == 60


def test_retry_after_rounds_up_and_is_never_zero() -> None:
    assert retry_after(0.2) == 1
    assert retry_after(2.1) == 3
    assert retry_after(5.0) == 5
