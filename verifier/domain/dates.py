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
