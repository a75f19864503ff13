"""Decide each level of care (IOP and PHP, mental health and substance use) from benefit rows."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from verifier.domain import codes
from verifier.domain.determination import LEVELS_OF_CARE, LevelOfCare, Limit, NetworkTerms
from verifier.domain.model import Benefit
from verifier.domain.rows import (
    ACTIVE,
    CENT,
    CONTACT,
    COVERING,
    DENYING,
    INACTIVE,
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

# Rows that decide a level of care at their basis: anything but a note without a benefit.
_DECISIVE = COVERING | DENYING | {CONTACT}
_STANDING = ACTIVE | INACTIVE  # plan-level rows that speak for every level of care
# Which levels of care a procedure code, or a service type, speaks for.
_BY_PROCEDURE: dict[str, list[str]] = {}
_BY_SERVICE_TYPE: dict[str, list[str]] = {}
for _name, _family in FAMILIES.items():
    for _code in _family.procedures:
        _BY_PROCEDURE.setdefault(_code, []).append(_name)
    for _stc in _family.service_types:
        _BY_SERVICE_TYPE.setdefault(_stc, []).append(_name)
# The order of a family's service types, most specific first, to rank competing rows.
_RANKS = {
    name: {stc: index for index, stc in enumerate(family.service_types)}
    for name, family in FAMILIES.items()
}


@dataclass(slots=True)
class _Candidates:
    """The rows that speak for one level of care, by the basis they would give it, in order."""

    procedure: list[Benefit]
    service_type: list[Benefit]


def _candidates(benefits: Sequence[Benefit]) -> dict[str, _Candidates]:
    """Sort the rows among the levels of care in one pass. A row with a procedure speaks
    only by its procedure code; one without, by any of its service types."""
    found = {name: _Candidates([], []) for name in FAMILIES}
    for row in benefits:
        if row.procedure:
            for name in _BY_PROCEDURE.get(row.procedure.split(":", 1)[-1], ()):
                found[name].procedure.append(row)
            continue
        taken: list[str] = []  # a row counts once, however many of its types match
        for stc in row.service_types:
            for name in _BY_SERVICE_TYPE.get(stc, ()):
                if name not in taken:
                    taken.append(name)
                    found[name].service_type.append(row)
    return found


def _decisive(rows: Sequence[Benefit]) -> bool:
    return any(row.code in _DECISIVE for row in rows)


def _network_covered(rows: Sequence[Benefit], network: str) -> bool | None:
    for wanted in (network, "W"):
        said = {r.code for r in rows if r.network == wanted}
        if not DENYING.isdisjoint(said):
            return False
        if not COVERING.isdisjoint(said):
            return True
    return None


def _copay(row: Benefit) -> Decimal | None:
    return row.amount


def _coinsurance(row: Benefit) -> Decimal | None:
    return row.percent


def _terms(
    rows: Sequence[Benefit], network: str, rank: dict[str, int]
) -> tuple[NetworkTerms | None, list[str]]:
    """In or out of network (Y, N): covered, and the copay and coinsurance rows B and A say."""
    covered = _network_covered(rows, network)

    def order(row: Benefit) -> int:  # the row's most specific service type for this family
        return min([rank.get(stc, 99) for stc in row.service_types], default=99)

    copays = [r for r in rows if r.code == "B"]
    coins = [r for r in rows if r.code == "A"]
    copay, copay_row, notes = pick(copays, _copay, network, order, "copay")
    coinsurance, _, more = pick(coins, _coinsurance, network, order, "coinsurance")
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
    stated = [r for r in rows if r.code == "F"]
    plain = [r for r in stated if not tier_of(r)] or stated
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
    if not text:
        return None
    if _AUTH_NOT_REQUIRED.search(text):
        return False
    return True if _AUTH_REQUIRED.search(text) else None


def _covered(rows: Sequence[Benefit]) -> bool | None:
    said = {r.code for r in rows}
    if not COVERING.isdisjoint(said):
        return True
    if not DENYING.isdisjoint(said):
        return False
    return None


def _decide(
    name: str, found: _Candidates, standing: list[Benefit], plan_inactive: bool
) -> LevelOfCare:
    """One level of care: the most specific rows that decide it win (procedure > type > plan)."""
    if _decisive(found.procedure):
        basis, rows = "procedure", found.procedure
    elif _decisive(found.service_type):
        basis, rows = "service_type", found.service_type
    else:
        level = LevelOfCare(basis="plan" if standing else "none")
        if plan_inactive:
            level.covered = False
            level.evidence = [r.cited() for r in standing if r.code in INACTIVE]
        return level
    rank = _RANKS[name]
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
        evidence=unique([r.cited() for r in rows]),
    )
    if plan_inactive:
        level.in_network = level.out_of_network = None
    return level


def decide_levels(
    benefits: Sequence[Benefit], plan_rows: Sequence[Benefit], plan_inactive: bool
) -> dict[str, LevelOfCare]:
    """Every level of care, from the answer's rows and those of them about the whole plan."""
    found = _candidates(benefits)
    standing = [r for r in plan_rows if r.code in _STANDING]
    return {name: _decide(name, found[name], standing, plan_inactive) for name in LEVELS_OF_CARE}


def quantity_text(value: Decimal) -> str:
    """A count without trailing zeros: 30, not 30.00."""
    return format(value.normalize(), "f") if value == value.to_integral() else str(value)
