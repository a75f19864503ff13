"""Deductible and out-of-pocket: total and remaining, individual and family, by network."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from verifier.domain.determination import Accumulator, Accumulators, Tiers
from verifier.domain.model import Benefit
from verifier.domain.rows import CENT, is_placeholder, is_plan_level, tier_of

_WHO = {
    # Medicare sends no EB02 on its deductibles: a beneficiary's own figure (individual).
    **dict.fromkeys(("IND", "EMP", ""), "individual"),
    **dict.fromkeys(("FAM", "ESP", "ECH", "SPC"), "family"),
}
# What an amount states, by EB06: absent, or a yearly or contract period, states the full amount.
_STATES = {
    **dict.fromkeys(("", "21", "22", "23", "25", "32"), "total"),
    **dict.fromkeys(("29", "33"), "remaining"),
    "24": "met",
}
# (who, what, EB12) -> the rows that state that amount, in order
_Figures = dict[tuple[str, str, str | None], list[Benefit]]
# EB12 absent or U (unknown): the payer does not say which network the amount is for.
_UNSTATED = "-"
_NETWORKS = (("Y", "in_network"), ("N", "out_of_network"), (_UNSTATED, "network_not_stated"))


def _figure(figures: _Figures, who: str, what: str, network: str) -> Decimal | None:
    """The amount for the network itself, else one for both (W); an untiered row's first
    (as rows.pick chooses, without its notes, which these figures do not carry)."""
    for wanted in (network,) if network == _UNSTATED else (network, "W"):
        rows = figures.get((who, what, wanted))
        if rows:
            for row in rows:
                if not tier_of(row):
                    return row.amount
            return rows[0].amount
    return None


def _accumulator(figures: _Figures, who: str, network: str) -> Accumulator | None:
    total = _figure(figures, who, "total", network)
    remaining = _figure(figures, who, "remaining", network)
    met = _figure(figures, who, "met", network)
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
    figures: _Figures = {}
    for row in benefits:
        if row.code != code or row.amount is None or not is_plan_level(row):
            continue
        if is_placeholder(row.amount):  # "no figure", never money (placeholders() says so)
            continue
        who = _WHO.get(row.coverage_level or "")
        what = _STATES.get(row.time_period or "")
        if who and what:
            network = _UNSTATED if row.network in (None, "U") else row.network
            figures.setdefault((who, what, network), []).append(row)
    result = Accumulators()
    if not figures:
        return result
    stated = {network for _, _, network in figures}
    for network, attribute in _NETWORKS:
        if network not in stated and (network == _UNSTATED or "W" not in stated):
            continue  # no row for this network, nor for both: nothing to read
        individual = _accumulator(figures, "individual", network)
        family = _accumulator(figures, "family", network)
        if individual or family:
            setattr(result, attribute, Tiers(individual=individual, family=family))
    return result


def placeholders(benefits: Sequence[Benefit], code: str) -> list[str]:
    """Which accumulators the payer filled with a placeholder of nines, in words."""
    found = []
    for row in benefits:
        if row.code == code and is_placeholder(row.amount) and is_plan_level(row):
            who = _WHO.get(row.coverage_level or "", "")
            where = {"Y": "in network", "N": "out of network", "W": ""}.get(row.network or "", "")
            found.append(" ".join(p for p in (who, where) if p) or "plan")
    return found
