"""Shared vocabulary for reading benefit rows: code groups, tiers and the choice between rows."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import TypeVar

from verifier.domain.model import Benefit

T = TypeVar("T")

ACTIVE = frozenset("12345")
INACTIVE = frozenset("678")
NOT_COVERED = frozenset({"I", "E"})
COST_SHARE = frozenset({"A", "B"})
CONTACT = "U"
PLAN_LEVEL_TYPES = frozenset({"30", ""})
# Unions the readers of rows test often.
COVERING = ACTIVE | COST_SHARE  # the row grants a benefit
DENYING = NOT_COVERED | INACTIVE  # the row refuses one

CENT = Decimal("0.01")

# Payers name tiers and programs in MSG (X12 RFIs 1690, 1717) or in REF*N6.
_TIER = re.compile(r"\bTIER\b|HIGHEST BENEFIT|FUNDED|\bPROGRAM\b|PREFERRED|PREMIER|\bLEVEL \d")
# Every match of _TIER holds one of these.
_TIER_WORDS = ("TIER", "HIGHEST BENEFIT", "FUNDED", "PROGRAM", "PREFERRED", "PREMIER", "LEVEL ")


def is_plan_level(benefit: Benefit) -> bool:
    """A row about the plan as a whole: STC 30 or no service type, and no procedure."""
    if benefit.procedure:
        return False
    return not benefit.service_types or "30" in benefit.service_types


def plan_level(benefits: Iterable[Benefit]) -> list[Benefit]:
    """The rows about the plan as a whole (is_plan_level), in order."""
    return [b for b in benefits if is_plan_level(b)]


def tier_of(benefit: Benefit) -> str | None:
    """The tier or program a row describes, or None for the plan's own figure."""
    if not benefit.refs and not benefit.messages:
        return None  # most rows
    for qualifier, value in benefit.refs:
        if qualifier == "N6":
            return f"network tier {value}"
    for message in benefit.messages:
        if _names_tier(message.upper()):
            return message
    return None


def _names_tier(text: str) -> bool:
    """Whether _TIER matches: a few substring searches settle most messages, which hold none
    of its words, much faster than the pattern would."""
    for word in _TIER_WORDS:
        if word in text:
            return _TIER.search(text) is not None
    return False


def pick(
    rows: Sequence[Benefit],
    value: Callable[[Benefit], T | None],
    network: str | None = None,
    rank: Callable[[Benefit], int] | None = None,
    label: str = "figure",
) -> tuple[T | None, Benefit | None, list[str]]:
    """Choose the plan's figure among competing rows; tiered alternatives become notes.

    Rows speak for a network (EB12 Y or N) when they name it or W (both). A row for the
    network itself beats a W row; an untiered row beats a tiered one; then the
    lower rank, then the earlier row.
    """
    # (exact, tiered, index, tier, row, figure); the rank is asked for only to sort
    candidates: list[tuple[int, int, int, str | None, Benefit, T]] = []
    for index, row in enumerate(rows):
        figure = value(row)
        if figure is None:
            continue
        if network is None or row.network == network:
            exact = 0
        elif row.network == "W":
            exact = 1
        else:
            continue
        tier = tier_of(row)
        candidates.append((exact, 1 if tier else 0, index, tier, row, figure))
    if not candidates:
        return None, None, []
    if len(candidates) > 1:
        candidates.sort(key=lambda c: (c[0], c[1], rank(c[4]) if rank else 0, c[2]))
    best_row, best = candidates[0][4], candidates[0][5]
    notes = [
        f"{label} {figure} for {tier}"
        for _, _, _, tier, _, figure in candidates[1:]
        if tier and figure != best
    ]
    return best, best_row, notes


def is_placeholder(amount: Decimal | None) -> bool:
    """An amount made only of nines (9999.99, 99999, 999999.99): payers' "no figure"
    sentinel (medicare-cob-and-connectivity.md §4.2), never a dollar figure. Four nines at
    least before the point, so that a real $99 or $999 copay or deductible stays money."""
    if amount is None or not amount.is_finite() or amount < 9999:
        return False  # below the smallest placeholder: most amounts, told without formatting
    whole, _, cents = format(amount, "f").partition(".")
    return len(whole) >= 4 and set(whole) == {"9"} and set(cents) <= {"9"}


def unique(items: Iterable[str]) -> list[str]:
    """Keep first occurrences, in order."""
    return list(dict.fromkeys(item for item in items if item))
