"""Cost share by network for one level of care, each figure from the most specific row stating it.

The tiers of an answer, most specific first: a procedure (EB13), an outpatient facility service
type (EB03 CH, CJ; BB for partial hospitalization), a general behavioral type (MH, A4, A6, A8,
CF, AI, AJ, AK) and the plan as a whole (EB03 30). EB12 `Y`/`N` name the network, `W` both;
a row without EB12 (or `U`) does not say, and feeds `network_not_stated`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

from verifier.domain.determination import NetworkTerms
from verifier.domain.model import Benefit
from verifier.domain.rows import CENT, COVERING, DENYING, is_placeholder, pick

__all__ = ["BASES", "NOT_STATED", "Tier", "network_terms", "placeholder_notes"]

Tier = tuple[str, Sequence[Benefit]]
BASES = ("procedure", "facility_service_type", "general_service_type", "plan")
NOT_STATED = "not_stated"  # the key for rows without EB12
_UNSTATED = frozenset({None, "U"})
COPAY_UNITS = {"27": "visit", "7": "day"}


def _covered(rows: Sequence[Benefit], network: str) -> bool | None:
    """What rows for this network say: a denial wins, then a grant; the network's own rows
    before those for both (W)."""
    if network == NOT_STATED:
        groups = [[r for r in rows if r.network in _UNSTATED]]
    else:
        groups = [[r for r in rows if r.network == network], [r for r in rows if r.network == "W"]]
    for group in groups:
        said = {r.code for r in group}
        if not DENYING.isdisjoint(said):
            return False
        if not COVERING.isdisjoint(said):
            return True
    return None


def _speaking_for(rows: Sequence[Benefit], network: str) -> list[Benefit]:
    """The rows that can speak for `network`: its own and W rows, or those that name none.
    Filtered once a tier, so each figure's search walks only these."""
    if network == NOT_STATED:
        return [r for r in rows if r.network in _UNSTATED]
    return [r for r in rows if r.network == network or r.network == "W"]


def _copay(row: Benefit) -> Decimal | None:
    return None if row.code != "B" or is_placeholder(row.amount) else row.amount


def _coinsurance(row: Benefit) -> Decimal | None:
    return row.percent if row.code == "A" else None


def _pick(
    rows: Sequence[Benefit],
    value: Callable[[Benefit], Decimal | None],
    network: str,
    rank: Callable[[Benefit], int],
    label: str,
) -> tuple[Decimal | None, Benefit | None, list[str]]:
    if network == NOT_STATED:
        unstated = [r for r in rows if r.network in _UNSTATED]
        return pick(unstated, value, None, rank, label)
    return pick(rows, value, network, rank, label)


def network_terms(
    tiers: Sequence[Tier], network: str, rank: Callable[[Benefit], int], cascade: bool
) -> tuple[NetworkTerms | None, list[Benefit], list[str]]:
    """One network block, the rows its figures came from, and notes on tiered alternatives.

    With `cascade` (the level is covered) each figure falls through to less specific tiers
    until one states it; without, only the first tier (the one that decided) speaks.
    """
    covered: bool | None = None
    copay = coinsurance = None
    copay_row: Benefit | None = None
    used: list[tuple[str, Benefit]] = []
    notes: list[str] = []
    decided_at = "none"
    for basis, tier_rows in tiers if cascade else tiers[:1]:
        rows = _speaking_for(tier_rows, network)
        said = _covered(rows, network)
        if covered is None and said is not None:
            covered, decided_at = said, basis
        if covered is False:
            break
        if copay is None and any(r.code == "B" for r in rows):
            copay, copay_row, more = _pick(rows, _copay, network, rank, "copay")
            notes += more
            if copay_row is not None:
                used.append((basis, copay_row))
        if coinsurance is None and any(r.code == "A" for r in rows):
            coinsurance, row, more = _pick(rows, _coinsurance, network, rank, "coinsurance")
            notes += more
            if row is not None:
                used.append((basis, row))
    if covered is False:
        return NetworkTerms(covered=False, basis=decided_at), [], []
    if copay is None and coinsurance is None:
        if covered is None or network == NOT_STATED:
            return None, [], []
        return NetworkTerms(covered=True, basis=decided_at), [], notes
    # the block rests on its least specific figure: never present a plan-wide or general
    # figure as if it were the more specific one
    basis = max((b for b, _ in used), key=BASES.index)
    terms = NetworkTerms(
        covered=True,
        copay=copay.quantize(CENT) if copay is not None else None,
        copay_unit=COPAY_UNITS.get(copay_row.time_period or "") if copay_row else None,
        coinsurance=coinsurance,
        basis=basis,
    )
    return terms, [row for _, row in used], notes


def placeholder_notes(rows: Sequence[Benefit]) -> list[str]:
    """A note for each amount made only of nines, which payers send for 'no figure'."""
    return [
        f"The insurer sent {row.amount} as a placeholder, not a real amount; confirm by phone."
        for row in rows
        if is_placeholder(row.amount)
    ]
