"""Decide each level of care (IOP and PHP, mental health and substance use) from benefit rows."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
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
    is_placeholder,
    tier_of,
    unique,
)
from verifier.domain.terms import NOT_STATED, Tier, by_network, network_terms, placeholder_notes


@dataclass(frozen=True, slots=True)
class CareFamily:
    """The codes a payer may use to answer for one level of care, most specific first;
    `facility` are the outpatient facility types among them (the rest are general)."""

    procedures: frozenset[str]
    service_types: tuple[str, ...]
    facility: frozenset[str] = frozenset()


SUBSTANCE_USE_TYPES = ("CJ", "AI", "AJ", "AK")
FAMILIES: dict[str, CareFamily] = {
    "iop_mental_health": CareFamily(
        frozenset({"S9480", "0905"}), ("CH", "CF", "A8", "MH", "A4"), frozenset({"CH"})
    ),
    "iop_substance_use": CareFamily(
        frozenset({"H0015", "0906"}), SUBSTANCE_USE_TYPES, frozenset({"CJ"})
    ),
    # BB is Partial Hospitalization (Psychiatric): mental health only.
    "php_mental_health": CareFamily(
        frozenset({"H0035", "0912", "0913"}), ("BB",), frozenset({"BB"})
    ),
    # No service type names substance-use PHP: it rests on the substance-use rows, and a
    # partial-hospitalization procedure row counts only beside them (_candidates).
    "php_substance_use": CareFamily(
        frozenset({"0912", "0913"}), SUBSTANCE_USE_TYPES, frozenset({"CJ"})
    ),
}

BEHAVIORAL_TYPES = frozenset(
    stc for family in FAMILIES.values() for stc in family.service_types
) | {"A6", "A7", "CG", "CI", "RT", "BC"}

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
# A message that speaks for the whole plan wherever the payer put it ("Plan Requires PreCert").
_PLAN_WIDE = re.compile(rf"PLAN\s+REQUIRES\s+{_AUTH_WORDS}")

# Rows that decide a level of care at their basis: anything but a note without a benefit.
_DECISIVE = COVERING | DENYING | {CONTACT}
_STANDING = ACTIVE | INACTIVE  # plan-level rows that speak for every level of care
_FALLS_THROUGH = COVERING | DENYING | {"F"}  # plan-level rows a covered level reads
# Which levels of care a procedure code speaks for, and the service types each level reads.
_BY_PROCEDURE: dict[str, list[str]] = {}
for _name, _family in FAMILIES.items():
    for _code in _family.procedures:
        _BY_PROCEDURE.setdefault(_code, []).append(_name)
_FAMILY_TYPES = {name: frozenset(family.service_types) for name, family in FAMILIES.items()}
_ANY_FAMILY_TYPE = frozenset().union(*_FAMILY_TYPES.values())
_SUBSTANCE_USE = frozenset(SUBSTANCE_USE_TYPES)
# A level read from the same service types, the same facility types among them, as an
# earlier one (substance-use PHP, which no service type names, reads substance-use IOP's):
# _candidates files the same rows in the same tiers for both, so when no procedure row tells
# them apart the later one is decided alike and need not be decided again.
_READS_LIKE = {
    name: earlier
    for index, name in enumerate(FAMILIES)
    for earlier in list(FAMILIES)[:index]
    if FAMILIES[name].service_types == FAMILIES[earlier].service_types
    and FAMILIES[name].facility == FAMILIES[earlier].facility
}
# The order of a family's service types, most specific first, to rank competing rows.
_RANKS = {
    name: {stc: index for index, stc in enumerate(family.service_types)}
    for name, family in FAMILIES.items()
}


@dataclass(slots=True)
class _Candidates:
    """The rows that speak for one level of care, by the tier they would give it, in order:
    a procedure, one of the family's outpatient facility types, only its general types."""

    procedure: list[Benefit]
    facility: list[Benefit]
    general: list[Benefit]


def _candidates(benefits: Sequence[Benefit]) -> dict[str, _Candidates]:
    """Sort the rows among the levels of care and their tiers in one pass. A row with a
    procedure speaks only by its procedure code; one without, by any of its service types."""
    found = {name: _Candidates([], [], []) for name in FAMILIES}
    substance_use = any(not _SUBSTANCE_USE.isdisjoint(r.service_types) for r in benefits)
    for row in benefits:
        if row.procedure:
            for name in _BY_PROCEDURE.get(row.procedure.split(":", 1)[-1], ()):
                if name != "php_substance_use" or substance_use:
                    found[name].procedure.append(row)
            continue
        if _ANY_FAMILY_TYPE.isdisjoint(row.service_types):
            continue  # most rows: the plan's own, or a medical service
        # a row speaks for every level one of its types belongs to, once however many
        for name, types in _FAMILY_TYPES.items():
            if not types.isdisjoint(row.service_types):
                candidates = found[name]
                if FAMILIES[name].facility.isdisjoint(row.service_types):
                    candidates.general.append(row)
                else:
                    candidates.facility.append(row)
    return found


def _decisive(rows: Sequence[Benefit]) -> bool:
    return any(row.code in _DECISIVE for row in rows)


def _limits(rows: Sequence[Benefit]) -> list[Limit]:
    limits: list[Limit] = []
    stated = [r for r in rows if r.code == "F"]
    plain = [r for r in stated if not tier_of(r)] or stated
    for row in plain:
        period = LIMIT_PERIODS.get(row.time_period or "")
        if row.quantity is not None:
            unit = LIMIT_UNITS.get(row.quantity_qualifier or "", row.quantity_qualifier)
            limits.append(Limit(row.quantity, unit, period))
        elif row.amount and not is_placeholder(row.amount):
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


def _plan_prior_auth(plan_rows: Sequence[Benefit], every: Sequence[Benefit]) -> bool | None:
    """Prior authorization the answer states for the whole plan: EB11 or an MSG on a
    plan-level row, or a message saying the plan requires it wherever it stands."""
    said = _prior_auth(plan_rows)
    if said is not None:
        return said
    text = " ".join(m.upper() for row in every for m in row.messages)
    return True if _PLAN_WIDE.search(text) else None


def _covered(rows: Sequence[Benefit]) -> bool | None:
    said = {r.code for r in rows}
    if not COVERING.isdisjoint(said):
        return True
    if not DENYING.isdisjoint(said):
        return False
    return None


@dataclass(frozen=True, slots=True)
class _PlanWide:
    """What the plan as a whole says, read once for every level of care."""

    # The plan-level rows (EB03 30 or none) a covered level's figures fall through to: those
    # that grant, deny or share cost, and limitations (F) for the placeholders they may hold.
    # Deductibles and out-of-pocket rows (most of them) play no part.
    speaking: list[Benefit]
    standing: list[Benefit]  # those that state coverage: they speak for every level
    auth: bool | None
    inactive: bool
    # A B or F row with a placeholder amount (nines): rare, so a level seeks them only then.
    placeholders: bool


def _tiers(name: str, found: _Candidates) -> list[Tier]:
    """The level's own rows by specificity: procedure, facility type, general type."""
    tiers: list[Tier] = [
        ("procedure", found.procedure),
        ("facility_service_type", found.facility),
        ("general_service_type", found.general),
    ]
    return [(basis, rows) for basis, rows in tiers if rows]


def _plan_tier(name: str, plan: _PlanWide) -> list[Tier]:
    """The plan tier, less specific than any of the level's own: the plan-level rows that do
    not also name one of the family's types (those are already in a tier of their own)."""
    types = _FAMILY_TYPES[name]
    rows = [r for r in plan.speaking if types.isdisjoint(r.service_types)]
    return [("plan", rows)] if rows else []


def _decide(name: str, found: _Candidates, plan: _PlanWide) -> LevelOfCare:
    """One level of care: the most specific rows that decide it win (procedure > type > plan);
    each figure then comes from the most specific row that states it."""
    tiers = _tiers(name, found)
    deciding = next((i for i, (_, rows) in enumerate(tiers) if _decisive(rows)), None)
    if deciding is None:  # the level's own rows decide nothing: the plan speaks for it
        level = LevelOfCare(basis="plan" if plan.standing else "none")
        if plan.inactive:
            level.covered = False
            level.evidence = [r.cited() for r in plan.standing if r.code in INACTIVE]
        elif level.basis == "plan":
            level.prior_auth_required = plan.auth
        return level
    basis, rows = tiers[deciding]
    rank = _RANKS[name]

    def order(row: Benefit) -> int:  # the row's most specific service type for this family
        # a plain loop: min() costs several times as much, and pick() asks this of every
        # row it weighs
        best = 99
        for stc in row.service_types:
            index = rank.get(stc, 99)
            if index < best:
                best = index
        return best

    covered = False if plan.inactive else _covered(rows)
    # A covered level's figures fall through to less specific tiers, the plan's included;
    # otherwise only the deciding tier speaks.
    cascade = covered is True
    speaking = [*tiers[deciding:], *_plan_tier(name, plan)] if cascade else [tiers[deciding]]
    split = by_network(speaking)
    blocks: dict[str, NetworkTerms | None] = {}
    figure_rows: list[Benefit] = []
    figure_notes: list[str] = []
    for network in ("Y", "N", NOT_STATED):
        terms, used, notes = network_terms(split, network, order, cascade)
        blocks[network] = terms
        figure_rows += used
        figure_notes += notes
    placeholders: list[str] = []
    if plan.placeholders:
        spoken = [r for _, tier in speaking for r in tier]
        placeholders = placeholder_notes([r for r in spoken if r.code in ("B", "F")])
    rejections = [
        f"The payer flagged this benefit: {codes.describe(codes.REJECTION_REASONS, a.code)}"
        for r in rows
        for a in r.rejections
    ]
    auth = _prior_auth(rows)
    level = LevelOfCare(
        covered=covered,
        basis=basis,
        prior_auth_required=auth if auth is not None or covered is False else plan.auth,
        in_network=blocks["Y"],
        out_of_network=blocks["N"],
        network_not_stated=blocks[NOT_STATED],
        limits=_limits(rows),
        notes=unique(
            [m for r in rows for m in r.messages] + figure_notes + rejections + placeholders
        ),
        evidence=unique([r.cited() for r in rows] + [r.cited() for r in figure_rows]),
    )
    if plan.inactive:
        level.in_network = level.out_of_network = level.network_not_stated = None
    return level


def decide_levels(
    benefits: Sequence[Benefit], plan_rows: Sequence[Benefit], plan_inactive: bool
) -> dict[str, LevelOfCare]:
    """Every level of care, from the behavioral plan's rows and those of them about the
    whole plan."""
    found = _candidates(benefits)
    plan = _PlanWide(
        speaking=[r for r in plan_rows if r.code in _FALLS_THROUGH],
        standing=[r for r in plan_rows if r.code in _STANDING],
        auth=_plan_prior_auth(plan_rows, benefits),
        inactive=plan_inactive,
        placeholders=any(r.code in ("B", "F") and is_placeholder(r.amount) for r in benefits),
    )
    levels: dict[str, LevelOfCare] = {}
    for name in LEVELS_OF_CARE:
        alike = _READS_LIKE.get(name)
        if alike in levels and not found[name].procedure and not found[alike].procedure:
            # no procedure row tells them apart: the same rows in the same tiers
            levels[name] = _copy(levels[alike])
        else:
            levels[name] = _decide(name, found[name], plan)
    return levels


def _copy(level: LevelOfCare) -> LevelOfCare:
    """A level of care of its own, equal to `level`: no two levels share a mutable part.
    dataclasses.replace, not copy.copy (twice as slow on slotted dataclasses), and not field
    by field, which a new field would slip through."""
    blocks = (level.in_network, level.out_of_network, level.network_not_stated)
    inn, out, unstated = (None if block is None else replace(block) for block in blocks)
    return replace(
        level,
        in_network=inn,
        out_of_network=out,
        network_not_stated=unstated,
        limits=[replace(limit) for limit in level.limits],
        notes=list(level.notes),
        evidence=list(level.evidence),
    )


def quantity_text(value: Decimal) -> str:
    """A count without trailing zeros: 30, not 30.00."""
    return format(value.normalize(), "f") if value == value.to_integral() else str(value)
