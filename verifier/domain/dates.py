"""Dates as payers write them (CCYYMMDD), read without ever raising."""

from __future__ import annotations

from datetime import date


def parse_date(value: str | None) -> date | None:
    """CCYYMMDD (or CCYY-MM-DD) to a date; anything else, impossible dates included, is unknown."""
    if not value:
        return None
    digits = value.replace("-", "") if len(value) == 10 else value
    if len(digits) != 8 or not digits.isdigit():
        return None
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return None


# Payers write a far-future date for "no end": 99991231 (DTP*357), 30000101 (DTP*347) and
# the like; no plan runs past this year.
_OPEN_ENDED_FROM = 2100


def coverage_date(value: str | None) -> date | None:
    """A plan or eligibility date; a far-future placeholder means open-ended, so None."""
    parsed = parse_date(value)
    if parsed is None or parsed.year >= _OPEN_ENDED_FROM:
        return None
    return parsed


def is_window(first: date | None, last: date | None) -> bool:
    """Whether a range is just the day or the calendar month an inquiry asked about: the
    answer's window (DTP*307 or 291 echoing the date of service), not the plan's dates."""
    if first is None or last is None:
        return False
    if first == last:
        return True
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first.day == 1 and (following - last).days == 1
