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

CENT = Decimal("0.01")

# Payers name tiers and programs in MSG (X12 RFIs 1690, 1717) or in REF*N6.
_TIER = re.compile(r"\bTIER\b|HIGHEST BENEFIT|FUNDED|\bPROGRAM\b|PREFERRED|PREMIER|\bLEVEL \d")


def is_plan_level(benefit: Benefit) -> bool:
    """A row about the plan as a whole: STC 30 or no service type, and no procedure."""
    if benefit.procedure:
        return False
    return not benefit.service_types or "30" in benefit.service_types


def tier_of(benefit: Benefit) -> str | None:
    """The tier or program a row describes, or None for the plan's own figure."""
    for qualifier, value in benefit.refs:
        if qualifier == "N6":
            return f"network tier {value}"
    for message in benefit.messages:
        if _TIER.search(message.upper()):
            return message
    return None


def networks(network: str) -> tuple[str, ...]:
    """Which EB12 values speak for a network: its own first, then 'applies to both' (W)."""
    return (network, "W")


def pick(
    rows: Sequence[Benefit],
    value: Callable[[Benefit], T | None],
    network: str | None = None,
    rank: Callable[[Benefit], int] | None = None,
    label: str = "figure",
) -> tuple[T | None, Benefit | None, list[str]]:
    """Choose the plan's figure among competing rows; tiered alternatives become notes.

    A row for the network itself beats a W row; an untiered row beats a tiered one.
    """
    candidates: list[tuple[tuple[int, int, int, int], Benefit, T]] = []
    for index, row in enumerate(rows):
        figure = value(row)
        if figure is None:
            continue
        if network is not None:
            if row.network not in networks(network):
                continue
            exact = 0 if row.network == network else 1
        else:
            exact = 0
        tiered = 1 if tier_of(row) else 0
        candidates.append(((exact, tiered, rank(row) if rank else 0, index), row, figure))
    if not candidates:
        return None, None, []
    candidates.sort(key=lambda c: c[0])
    _, best_row, best = candidates[0]
    notes = [
        f"{label} {figure} for {tier_of(row)}"
        for _, row, figure in candidates[1:]
        if tier_of(row) and figure != best
    ]
    return best, best_row, notes


def unique(items: Iterable[str]) -> list[str]:
    """Keep first occurrences, in order."""
    return list(dict.fromkeys(item for item in items if item))
