"""Cost share by network for one level of care, each figure from the most specific row stating it.

The tiers of an answer, most specific first: a procedure (EB13), an outpatient facility service
type (EB03 CH, CJ; BB for partial hospitalization), a general behavioral type (MH, A4, A6, A8,
CF, AI, AJ, AK) and the plan as a whole (EB03 30). EB12 `Y`/`N` name the network, `W` both;
a row without EB12 (or `U`) does not say, and feeds `network_not_stated`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from decimal import Decimal

from verifier.domain.determination import NetworkTerms
from verifier.domain.model import Benefit
from verifier.domain.rows import CENT, COVERING, DENYING, is_placeholder, pick

__all__ = [
    "BASES",
    "NOT_STATED",
    "NetworkTier",
    "Tier",
    "by_network",
    "network_terms",
    "placeholder_notes",
]

Tier = tuple[str, Sequence[Benefit]]
BASES = ("procedure", "facility_service_type", "general_service_type", "plan")
NOT_STATED = "not_stated"  # the key for rows without EB12
COPAY_UNITS = {"27": "visit", "7": "day"}


# Only these rows bear on a network block: a grant or a denial decides it, and the copay (B)
# and coinsurance (A) rows are among the grants.
_BEARING = COVERING | DENYING


# Made afresh for every tier of every answer, hence not frozen (a frozen dataclass costs three
# times as much to make); nothing changes one once made.
@dataclass(slots=True)
class _Said:
    """A tier's rows that name one network (or, for NOT_STATED, none), their EB01 codes, and
    what they say on their own: a denial wins, then a grant. An empty one stands for every
    network a tier has no rows for."""

    rows: Sequence[Benefit]
    codes: AbstractSet[str]
    covered: bool | None


def _said(rows: Sequence[Benefit], codes: AbstractSet[str]) -> _Said:
    if not DENYING.isdisjoint(codes):
        return _Said(rows, codes, False)
    return _Said(rows, codes, True if not COVERING.isdisjoint(codes) else None)


_NOTHING = _said((), frozenset())


@dataclass(slots=True)
class NetworkTier:
    """One tier's rows that bear on cost share, split by the network they name.

    Split once a tier, so that the three network blocks and each of their figures read their
    own rows instead of filtering the tier's rows again (the cost of the second edition's
    per-figure fall-through). Rows keep their order within each network.
    """

    basis: str
    by_network: Mapping[str, _Said]


def by_network(tiers: Sequence[Tier]) -> list[NetworkTier]:
    """Each tier's bearing rows by EB12: Y, N and W as named, NOT_STATED for none or U.
    Any other value (a malformed EB12) speaks for no network block."""
    split: list[NetworkTier] = []
    for basis, rows in tiers:
        found: dict[str, tuple[list[Benefit], set[str]]] = {}
        for row in rows:
            if row.code in _BEARING:
                key = NOT_STATED if row.network is None or row.network == "U" else row.network
                group = found.get(key)
                if group is None:
                    group = found[key] = ([], set())
                group[0].append(row)
                group[1].add(row.code)
        said = {key: _said(group, codes) for key, (group, codes) in found.items()}
        split.append(NetworkTier(basis, said))
    return split


def _rows(own: _Said, both: _Said) -> list[Benefit]:
    """The rows a figure is chosen among: the network's own before W rows. pick() ranks its
    own first anyway and keeps the order within each, so this is the answer's order."""
    return [*own.rows, *both.rows]


def _copay(row: Benefit) -> Decimal | None:
    return None if row.code != "B" or is_placeholder(row.amount) else row.amount


def _coinsurance(row: Benefit) -> Decimal | None:
    return row.percent if row.code == "A" else None


def network_terms(
    tiers: Sequence[NetworkTier], network: str, rank: Callable[[Benefit], int], cascade: bool
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
    # pick() tells a network's own rows from W rows; rows that name none all rank alike
    named = None if network == NOT_STATED else network
    for tier in tiers if cascade else tiers[:1]:
        own = tier.by_network.get(network, _NOTHING)
        # W rows speak for both networks; rows that name none have no such partner
        both = _NOTHING if named is None else tier.by_network.get("W", _NOTHING)
        # the network's own rows before those for both
        said = own.covered
        if said is None:
            said = both.covered
        if covered is None and said is not None:
            covered, decided_at = said, tier.basis
        if covered is False:
            break
        if copay is None and ("B" in own.codes or "B" in both.codes):
            copay, copay_row, more = pick(_rows(own, both), _copay, named, rank, "copay")
            notes += more
            if copay_row is not None:
                used.append((tier.basis, copay_row))
        if coinsurance is None and ("A" in own.codes or "A" in both.codes):
            coinsurance, row, more = pick(
                _rows(own, both), _coinsurance, named, rank, "coinsurance"
            )
            notes += more
            if row is not None:
                used.append((tier.basis, row))
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
