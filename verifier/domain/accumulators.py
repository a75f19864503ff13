"""Deductible and out-of-pocket: total and remaining, individual and family, by network."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

from verifier.domain.determination import Accumulator, Accumulators, Tiers
from verifier.domain.model import Benefit
from verifier.domain.rows import CENT, is_plan_level, pick

_INDIVIDUAL = frozenset({"IND", "EMP"})
_FAMILY = frozenset({"FAM", "ESP", "ECH", "SPC"})
# EB06 absent, or a yearly or contract period, states the full amount.
_TOTAL = frozenset({"", "21", "22", "23", "25", "32"})
_REMAINING = frozenset({"29", "33"})
_MET = frozenset({"24"})


def _amount(periods: frozenset[str]) -> Callable[[Benefit], Decimal | None]:
    def value(row: Benefit) -> Decimal | None:
        return row.amount if (row.time_period or "") in periods else None

    return value


def _accumulator(rows: Sequence[Benefit], network: str) -> Accumulator | None:
    total, _, _ = pick(rows, _amount(_TOTAL), network)
    remaining, _, _ = pick(rows, _amount(_REMAINING), network)
    met, _, _ = pick(rows, _amount(_MET), network)
    if remaining is None and total is not None and met is not None:
        remaining = max(total - met, Decimal(0))
    if total is None and remaining is None:
        return None
    return Accumulator(
        total=total.quantize(CENT) if total is not None else None,
        remaining=remaining.quantize(CENT) if remaining is not None else None,
    )


def accumulators(benefits: Sequence[Benefit], code: str) -> Accumulators:
    """Read plan-level rows of one kind (EB01 C deductible, G out-of-pocket)."""
    rows = [r for r in benefits if r.code == code and is_plan_level(r)]
    result = Accumulators()
    for network, attribute in (("Y", "in_network"), ("N", "out_of_network")):
        individual = _accumulator([r for r in rows if r.coverage_level in _INDIVIDUAL], network)
        family = _accumulator([r for r in rows if r.coverage_level in _FAMILY], network)
        if individual or family:
            setattr(result, attribute, Tiers(individual=individual, family=family))
    return result
