"""Split one answer's rows into the plans it describes (medical, riders, a second medical plan).

One 271 may describe several plans, each opened by its coverage row (EB01 1-8) and followed by
its own rows, most reliably told apart by EB05 (plan name) and EB04 (insurance type); see
medicare-cob-and-connectivity.md §4.1. Figures are never merged across plans: only the plan
that covers behavioral health feeds the levels of care, the accumulators and `plan`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from verifier.domain.model import Benefit
from verifier.domain.rows import ACTIVE, INACTIVE

__all__ = ["PlanRows", "behavioral_plan", "coverage_rows", "split_plans"]

# EB03 service types of riders that are never the behavioral-health plan (element 1365).
DENTAL = frozenset({"23", "24", "25", "26", "27", "28", "35", "36", "37", "38", "39", "40", "41"})
VISION = frozenset({"AL", "AM", "AN", "AO", "BR", "CP"})
PHARMACY = frozenset({"88", "89", "90", "91", "92", "B2", "B3", "BW", "BX", "GF", "GN"})
_RIDERS = (("dental", DENTAL), ("vision", VISION), ("pharmacy", PHARMACY))
# Plan names that say which rider they are (EB05 is free text).
_RIDER_NAMES = (
    ("dental", re.compile(r"\bDENTAL\b")),
    ("vision", re.compile(r"\bVISION\b|\bOPTICAL\b|\bEYE ?(CARE|WEAR)\b")),
    ("pharmacy", re.compile(r"\bPHARMACY\b|\bRX\b|\bDRUG\b|\bPART D\b")),
)
# Types that say a row is about behavioral health, so never about a rider.
_BEHAVIORAL = frozenset(
    {"MH", "A4", "A5", "A6", "A7", "A8", "AI", "AJ", "AK", "BB", "BC", "CE", "CF", "CG", "CH"}
    | {"CI", "CJ", "RT"}
)
# The service types the IOP and PHP levels of care read: a plan naming them covers IOP/PHP.
_IOP_TYPES = frozenset({"CH", "CF", "A8", "MH", "A4", "CJ", "AI", "AJ", "AK", "BB"})
_COVERAGE = ACTIVE | INACTIVE


@dataclass(slots=True)
class PlanRows:
    """One plan of an answer: its coverage rows and every row that belongs to it."""

    kind: str  # medical | dental | vision | pharmacy
    name: str | None = None
    insurance_type: str | None = None
    rows: list[Benefit] = field(default_factory=list)
    coverage: list[Benefit] = field(default_factory=list)


def rider_kind(row: Benefit) -> str | None:
    """Which rider a coverage row opens, by its plan name or by service types that all
    belong to one rider; None for a medical row."""
    name = (row.plan_description or "").upper()
    for kind, pattern in _RIDER_NAMES:
        if name and pattern.search(name):
            return kind
    types = set(row.service_types)
    if types and not types & _BEHAVIORAL:
        for kind, codes in _RIDERS:
            if types <= codes:
                return kind
    return None


def _is_plan_row(row: Benefit) -> bool:
    return not row.procedure and (not row.service_types or "30" in row.service_types)


def _matches(plan: PlanRows, row: Benefit, kind: str) -> bool:
    """Whether a coverage row continues a plan already open: same kind, and no plan name
    or insurance type of its own that differs from the plan's."""
    if plan.kind != kind:
        return False
    if row.plan_description and plan.name and row.plan_description != plan.name:
        return False
    # EB04 tells plans apart only on a plan-level row (Medicare Part A vs Part B rows);
    # a service row of the same plan may carry a narrower type.
    if _is_plan_row(row) and row.insurance_type and plan.insurance_type:
        return row.insurance_type == plan.insurance_type
    return True


def _owner(plans: list[PlanRows], row: Benefit, current: PlanRows | None) -> PlanRows | None:
    """The plan a non-coverage row names by EB05 or EB04, when that is not the current one."""
    if row.plan_description:
        for plan in plans:
            if plan.name == row.plan_description:
                return plan
    if not row.insurance_type:
        return None  # most rows name neither
    if current is not None and current.insurance_type not in (None, row.insurance_type):
        named = [p for p in plans if p.insurance_type == row.insurance_type]
        if len(named) == 1:
            return named[0]
    return None


def split_plans(benefits: Sequence[Benefit]) -> list[PlanRows]:
    """The plans of an answer in order of appearance. Rows before any coverage row, and an
    answer with no coverage row at all, belong to the first plan. Other-payer rows (EB01 R)
    open no plan: they are read as other payers."""
    plans: list[PlanRows] = []
    current: PlanRows | None = None
    preamble: list[Benefit] = []
    inquiry: str | None = None
    for row in benefits:
        if row.inquiry != inquiry:  # a merged answer: each inquiry's rows start afresh
            inquiry, current = row.inquiry, None
        if row.code in _COVERAGE:
            kind = rider_kind(row) or "medical"
            if current is None or not _matches(current, row, kind):
                current = next((p for p in reversed(plans) if _matches(p, row, kind)), None)
            if current is None:
                current = PlanRows(kind, row.plan_description, row.insurance_type)
                plans.append(current)
            current.name = current.name or row.plan_description
            current.insurance_type = current.insurance_type or row.insurance_type
            current.coverage.append(row)
            current.rows.append(row)
            continue
        target = _owner(plans, row, current) or current
        if target is not None and target.kind != "medical" and _BEHAVIORAL & set(row.service_types):
            # a row naming behavioral health never belongs to a dental, vision or drug rider
            target = next((p for p in reversed(plans) if p.kind == "medical"), None)
        if target is None:
            preamble.append(row)
        else:
            target.rows.append(row)
    if not plans:
        return [PlanRows("medical", rows=list(preamble))] if preamble else []
    first = next((p for p in plans if p.kind == "medical"), plans[0])
    first.rows[:0] = preamble
    return plans


def _iop_types(plan: PlanRows) -> int:
    """How many IOP/PHP service types the plan itself answers for: rows that say "ask
    another entity" (EB01 U) or "another payer" (R) answer for nothing."""
    answered = {t for row in plan.rows if row.code not in ("U", "R") for t in row.service_types}
    return len(answered & _IOP_TYPES)


def behavioral_plan(plans: Sequence[PlanRows]) -> PlanRows | None:
    """The plan that covers behavioral health: the medical plan answering for most IOP/PHP
    service types (a carve-out administrator's plan, in a merged answer); on a tie, Medicare
    Part B (outpatient care, IOP included since 2024) before other parts, then the first.
    None when the answer holds riders only."""
    medical = [p for p in plans if p.kind == "medical"]
    if len(medical) < 2:
        return medical[0] if medical else None  # most answers: nothing to weigh
    return max(
        medical,
        key=lambda p: (_iop_types(p), p.insurance_type == "MB", -plans.index(p)),
    )


def coverage_rows(plan: PlanRows | None) -> list[Benefit]:
    """The plan's medical coverage rows: EB01 1-8 on STC 30 (or none) or a behavioral type,
    never a limitation, cost or other-payer row."""
    if plan is None:
        return []
    return [
        row
        for row in plan.coverage
        if not row.procedure
        and (
            not row.service_types
            or "30" in row.service_types
            or _BEHAVIORAL & set(row.service_types)
        )
    ]
