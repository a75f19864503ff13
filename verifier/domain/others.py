"""Other payers an answer names (EB01 R with its loop 2120), and who pays first.

X12 005010X279A1: EB01 `R` is "Other or Additional Payor"; the 2120 entity that follows it
(NM101 `PRP` primary, `SEP` secondary, `TTP` tertiary, `PR`/`P4`/`Y2` unordered) names it,
`DTP*290` (coordination of benefits) dates it, `REF*18`/`IG` identify its plan and policy.
On a Medicare answer an `R` row on STC 30 with an HMO/PPO type (HN, HM, PR, PS, ...) is Medicare
Advantage enrollment (bill the plan, not Medicare), and one with a Medicare Secondary Payer type
(EB04 12-16, 41-43, 47, AP, LT) names the insurer that pays before Medicare.
"""

from __future__ import annotations

from collections.abc import Sequence

from verifier.domain import codes
from verifier.domain.dates import coverage_date
from verifier.domain.determination import OtherPayer
from verifier.domain.model import Benefit, Entity
from verifier.domain.plans import rider_kind

__all__ = ["BILLED_FIRST", "other_payers"]

OTHER_PAYER = "R"
_ORDER = {"PRP": "primary", "SEP": "secondary", "TTP": "tertiary"}
_PAYER_ENTITIES = frozenset({"PRP", "SEP", "TTP", "PR", "P4", "Y2", "IN", "GP"})
MEDICARE = frozenset({"MA", "MB"})
MSP_TYPES = frozenset({"12", "13", "14", "15", "16", "41", "42", "43", "47", "AP", "LT"})
# EB04 on an R row of a Medicare answer that names a managed-care (Part C) plan
MANAGED_TYPES = frozenset({"HN", "HM", "PR", "PS", "EP", "IN"})
BILLED_FIRST = frozenset({"primary", "medicare_advantage"})
_MEMBER_REFS = ("IG", "1W", "49", "SY")
_COB_DATES = ("290", "346", "356", "292", "307", "291")


def _role(row: Benefit, entity: Entity | None, medicare: bool) -> str:
    if rider_kind(row):  # a drug (Part D), dental or vision plan is never billed for IOP
        return "other"
    plan = (row.plan_description or "").upper()
    if "MEDICARE ADVANTAGE" in plan or (
        medicare
        and row.insurance_type in MANAGED_TYPES
        and ("30" in row.service_types or not row.service_types)
    ):
        return "medicare_advantage"
    if entity is not None and entity.role in _ORDER:
        return _ORDER[entity.role]
    if medicare and row.insurance_type in MSP_TYPES:
        return "primary"  # Medicare is secondary to this insurer
    return "other"


def _dates(row: Benefit) -> tuple[str | None, str | None]:
    for wanted in _COB_DATES:
        for qualifier, value in row.dates:
            if qualifier == wanted:
                first, _, last = value.partition("-")
                return first, last or None
    return None, None


def _one(row: Benefit, entity: Entity | None, medicare: bool) -> OtherPayer:
    refs = dict(reversed(row.refs))
    first, last = _dates(row)
    member_id = next((refs[q] for q in _MEMBER_REFS if refs.get(q)), None)
    if entity is not None and entity.id_qualifier == "MI":
        member_id = entity.id or member_id
    kind = codes.INSURANCE_TYPES.get(row.insurance_type or "") if row.insurance_type else None
    notes = list(row.messages)
    if rider_kind(row):
        notes.append(f"{rider_kind(row)} plan")
    if refs.get("18"):
        notes.append(f"plan number {refs['18']}")
    if medicare and row.insurance_type in MSP_TYPES:
        notes.append(f"Medicare is secondary: {kind}")
    return OtherPayer(
        role=_role(row, entity, medicare),
        name=entity.name if entity else None,
        id=entity.id if entity and entity.id_qualifier != "MI" else None,
        phone=entity.phone if entity else None,
        member_id=member_id,
        plan=row.plan_description or (kind if row.insurance_type not in MSP_TYPES else None),
        coverage_begin=coverage_date(first),
        coverage_end=coverage_date(last),
        notes=notes,
    )


def other_payers(benefits: Sequence[Benefit], medicare: bool) -> list[OtherPayer]:
    """Every other payer the answer names, in order; `medicare` when the answer is Medicare's
    own (EB04 MA/MB on its coverage rows), which gives EB04 on R rows its Medicare meaning."""
    found: list[OtherPayer] = []
    for row in benefits:
        if row.code != OTHER_PAYER:
            continue
        named = [e for e in row.entities if e.role in _PAYER_ENTITIES] or row.entities[:1]
        payers: list[Entity | None] = list(named) or [None]
        for entity in payers:
            other = _one(row, entity, medicare)
            if other not in found:
                found.append(other)
    return found
