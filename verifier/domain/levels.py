"""Decide each level of care (IOP and PHP, mental health and substance use) from benefit rows."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from verifier.domain import codes
from verifier.domain.determination import LevelOfCare, Limit, NetworkTerms
from verifier.domain.model import Benefit
from verifier.domain.rows import (
    ACTIVE,
    CENT,
    CONTACT,
    COST_SHARE,
    INACTIVE,
    NOT_COVERED,
    is_plan_level,
    pick,
    tier_of,
    unique,
)


@dataclass(frozen=True, slots=True)
class CareFamily:
    """The codes a payer may use to answer for one level of care, most specific first."""

    procedures: frozenset[str]
    service_types: tuple[str, ...]


FAMILIES: dict[str, CareFamily] = {
    "iop_mental_health": CareFamily(frozenset({"S9480", "0905"}), ("CH", "CF", "A8", "MH", "A4")),
    "iop_substance_use": CareFamily(frozenset({"H0015", "0906"}), ("CJ", "AI", "AJ", "AK")),
    "php_mental_health": CareFamily(frozenset({"H0035", "0912", "0913"}), ("BB",)),
    "php_substance_use": CareFamily(frozenset({"0912", "0913"}), ("BB",)),
}

BEHAVIORAL_TYPES = frozenset(
    stc for family in FAMILIES.values() for stc in family.service_types
) | {"A6", "A7", "CG", "CI", "RT", "BC"}

COPAY_UNITS = {"27": "visit", "7": "day"}
LIMIT_UNITS = {"VS": "visits", "DY": "days", "HS": "hours", "MN": "months", "YY": "years"}
LIMIT_PERIODS = {
    "6": "hour",
    "7": "day",
    "13": "day",
    "21": "year",
    "22": "service_year",
    "23": "calendar_year",
    "24": "year_to_date",
    "25": "contract",
    "26": "episode",
    "27": "visit",
    "29": "remaining",
    "32": "lifetime",
    "33": "lifetime_remaining",
    "34": "month",
    "35": "week",
    "36": "admission",
}
_AUTH_WORDS = r"(PRE-?CERT|PRIOR AUTH|PRE-?AUTH|AUTHORI[SZ]ATION)"
_AUTH_REQUIRED = re.compile(rf"{_AUTH_WORDS}\w*\s*(IS\s+)?REQUIRED|REQUIRES\s+{_AUTH_WORDS}")
_AUTH_NOT_REQUIRED = re.compile(r"NO\s+(PRE-?CERT|PRIOR AUTH|PRE-?AUTH|AUTHORI[SZ]ATION)")


def _matches(family: CareFamily, row: Benefit) -> str | None:
    """Which basis a row would give this level of care, if it speaks for it at all."""
    if row.procedure:
        code = row.procedure.split(":", 1)[-1]
        return "procedure" if code in family.procedures else None
    if any(stc in family.service_types for stc in row.service_types):
        return "service_type"
    return None


def _decisive(rows: Sequence[Benefit]) -> bool:
    decisive = ACTIVE | INACTIVE | NOT_COVERED | COST_SHARE | {CONTACT}
    return any(row.code in decisive for row in rows)


def _rank(family: CareFamily) -> dict[str, int]:
    return {stc: index for index, stc in enumerate(family.service_types)}


def _network_covered(rows: Sequence[Benefit], network: str) -> bool | None:
    for wanted in (network, "W"):
        if any(r.code in NOT_COVERED | INACTIVE and r.network == wanted for r in rows):
            return False
        if any(r.code in ACTIVE | COST_SHARE and r.network == wanted for r in rows):
            return True
    return None


def _terms(
    rows: Sequence[Benefit], network: str, rank: dict[str, int]
) -> tuple[NetworkTerms | None, list[str]]:
    covered = _network_covered(rows, network)

    def order(row: Benefit) -> int:
        return min((rank.get(stc, 99) for stc in row.service_types), default=99)

    copays = [r for r in rows if r.code == "B"]
    coins = [r for r in rows if r.code == "A"]
    copay, copay_row, notes = pick(copays, lambda r: r.amount, network, order, "copay")
    coinsurance, _, more = pick(coins, lambda r: r.percent, network, order, "coinsurance")
    if covered is None and copay is None and coinsurance is None:
        return None, []
    if covered is False:
        return NetworkTerms(covered=False), []
    unit = COPAY_UNITS.get(copay_row.time_period or "") if copay_row else None
    terms = NetworkTerms(
        covered=covered if covered is not None else True,
        copay=copay.quantize(CENT) if copay is not None else None,
        copay_unit=unit,
        coinsurance=coinsurance,
    )
    return terms, notes + more


def _limits(rows: Sequence[Benefit]) -> list[Limit]:
    limits: list[Limit] = []
    plain = [r for r in rows if r.code == "F" and not tier_of(r)] or [
        r for r in rows if r.code == "F"
    ]
    for row in plain:
        period = LIMIT_PERIODS.get(row.time_period or "")
        if row.quantity is not None:
            unit = LIMIT_UNITS.get(row.quantity_qualifier or "", row.quantity_qualifier)
            limits.append(Limit(row.quantity, unit, period))
        elif row.amount:
            limits.append(Limit(row.amount.quantize(CENT), "dollars", period))
    for row in rows:
        for hsd in row.deliveries:
            unit = LIMIT_UNITS.get(hsd.qualifier or "", hsd.qualifier)
            limits.append(Limit(hsd.quantity, unit, LIMIT_PERIODS.get(hsd.period or "")))
    unique_limits: list[Limit] = []
    for limit in limits:
        if limit not in unique_limits:
            unique_limits.append(limit)
    return unique_limits


def _prior_auth(rows: Sequence[Benefit]) -> bool | None:
    flags = {row.auth_required for row in rows}
    if "Y" in flags:
        return True
    if "N" in flags:
        return False
    text = " ".join(m.upper() for row in rows for m in row.messages)
    if _AUTH_NOT_REQUIRED.search(text):
        return False
    return True if _AUTH_REQUIRED.search(text) else None


def _covered(rows: Sequence[Benefit]) -> bool | None:
    if any(r.code in ACTIVE | COST_SHARE for r in rows):
        return True
    if any(r.code in NOT_COVERED | INACTIVE for r in rows):
        return False
    return None


def decide_level(
    family: CareFamily, benefits: Sequence[Benefit], plan_inactive: bool
) -> LevelOfCare:
    """One level of care: the most specific rows that decide it win (procedure > type > plan)."""
    by_basis: dict[str, list[Benefit]] = {"procedure": [], "service_type": []}
    for row in benefits:
        basis = _matches(family, row)
        if basis:
            by_basis[basis].append(row)
    basis = next((b for b, rows in by_basis.items() if _decisive(rows)), None)
    if basis is None:
        plan_rows = [r for r in benefits if is_plan_level(r) and r.code in ACTIVE | INACTIVE]
        level = LevelOfCare(basis="plan" if plan_rows else "none")
        if plan_inactive:
            level.covered = False
            level.evidence = [r.cited() for r in plan_rows if r.code in INACTIVE]
        return level
    rows = by_basis[basis]
    rank = _rank(family)
    in_network, notes_in = _terms(rows, "Y", rank)
    out_network, notes_out = _terms(rows, "N", rank)
    rejections = [
        f"The payer flagged this benefit: {codes.describe(codes.REJECTION_REASONS, a.code)}"
        for r in rows
        for a in r.rejections
    ]
    level = LevelOfCare(
        covered=False if plan_inactive else _covered(rows),
        basis=basis,
        prior_auth_required=_prior_auth(rows),
        in_network=in_network,
        out_of_network=out_network,
        limits=_limits(rows),
        notes=unique([m for r in rows for m in r.messages] + notes_in + notes_out + rejections),
        evidence=unique(r.cited() for r in rows),
    )
    if plan_inactive:
        level.in_network = level.out_of_network = None
    return level


def quantity_text(value: Decimal) -> str:
    """A count without trailing zeros: 30, not 30.00."""
    return format(value.normalize(), "f") if value == value.to_integral() else str(value)
