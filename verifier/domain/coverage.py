"""Interpret a payer answer into a determination: pure functions, no I/O."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from verifier.domain import codes
from verifier.domain.accumulators import accumulators, placeholders
from verifier.domain.dates import coverage_date, is_window
from verifier.domain.determination import (
    LEVELS_OF_CARE,
    Administrator,
    Determination,
    DualDiagnosis,
    LevelOfCare,
    Member,
    Payer,
    Plan,
    RejectionInfo,
)
from verifier.domain.levels import BEHAVIORAL_TYPES, decide_levels
from verifier.domain.model import Benefit, PayerAnswer, Rejection
from verifier.domain.others import MEDICARE, OTHER_PAYER, other_payers
from verifier.domain.plans import behavioral_plan, coverage_rows, split_plans
from verifier.domain.rows import ACTIVE, CONTACT, COVERING, INACTIVE, plan_level
from verifier.domain.summary import Contact, summarize

__all__ = ["carve_out_administrator", "interpret"]

UNAVAILABLE = frozenset({"42", "80"})
NOT_FOUND = frozenset({"64", "65", "67", "71", "72", "73", "75", "76", "77", "78"})
MEMBER_LOOPS = frozenset({"2000A", "2100A", "2100B", "2100C", "2100D"})


def _status(answer: PayerAnswer, plan_rows: list[Benefit]) -> tuple[str, RejectionInfo | None]:
    rejections = [r for r in answer.rejections if r.loop in MEMBER_LOOPS]
    if rejections:
        return _rejected(rejections)
    benefits = answer.benefits
    plan_codes = {b.code for b in plan_rows}
    if not INACTIVE.isdisjoint(plan_codes) and ACTIVE.isdisjoint(plan_codes):
        return "inactive", None
    codes_given = {b.code for b in benefits}
    if not COVERING.isdisjoint(codes_given):
        return "active", None
    if not INACTIVE.isdisjoint(codes_given):
        return "inactive", None
    if benefits:
        return "active", None
    # An answer that states neither coverage nor a rejection (a FHIR response "complete" with
    # no insurance, an empty 271) is not a rejection: what it means is unknown.
    return "unknown", None


def _rejected(rejections: Sequence[Rejection]) -> tuple[str, RejectionInfo]:
    def info(r: Rejection, retryable: bool) -> RejectionInfo:
        return RejectionInfo(
            code=r.code,
            reason=(
                codes.describe(codes.REJECTION_REASONS, r.code)
                if r.code in codes.REJECTION_REASONS or not r.description
                else r.description
            ),
            follow_up=codes.describe(codes.FOLLOW_UP_ACTIONS, r.follow_up),
            retryable=retryable,
        )

    for r in rejections:
        if r.code in UNAVAILABLE:
            return "payer_unavailable", info(r, True)
    for r in rejections:
        if r.code in NOT_FOUND:
            return "not_found", info(r, False)
    return "rejected", info(rejections[0], False)


# Which DTP qualifiers give the plan's dates, by preference: eligibility (356/357, and a 307
# range) before plan dates (346/347, a 291 range). Benefit dates (292, 348, 349) belong to a
# benefit, a deductible's period for instance, never to the plan.
_BEGINS = ("356", "307", "346", "291")
_ENDS = ("357", "307", "347", "291")


def _dates(pairs: Sequence[tuple[str, str]]) -> tuple[date | None, date | None]:
    begins: dict[str, date | None] = {}
    ends: dict[str, date | None] = {}
    for qualifier, value in pairs:
        first, _, last = value.partition("-")
        if qualifier in ("307", "291"):
            start, stop = coverage_date(first), coverage_date(last) if last else None
            if last and is_window(start, stop):
                continue  # the window the payer answered for, not the plan's dates
            begins.setdefault(qualifier, start)
            if last:  # a far-future placeholder reads as None: open-ended
                ends.setdefault(qualifier, stop)
        elif qualifier in ("356", "346"):
            begins.setdefault(qualifier, coverage_date(first))
        elif qualifier in ("357", "347"):
            ends.setdefault(qualifier, coverage_date(first))
    begin = next((begins[q] for q in _BEGINS if q in begins), None)
    end = next((ends[q] for q in _ENDS if q in ends), None)
    return begin, end


def _plan(answer: PayerAnswer, medical: Sequence[Benefit]) -> Plan:
    """The plan from the behavioral plan's medical coverage rows only (never a rider's,
    a limitation's or another payer's row); dates from the patient, then those rows."""
    named = next((b for b in medical if b.plan_description), None)
    typed = next((b for b in medical if b.insurance_type), None)
    own = [d for p in (answer.patient,) if p for d in p.dates]
    begin, end = _dates(own + [d for b in medical for d in b.dates])
    if answer.dependent and begin is None and end is None and answer.subscriber:
        begin, end = _dates(answer.subscriber.dates)
    groups = [p.group_number for p in (answer.patient, answer.subscriber) if p and p.group_number]
    return Plan(
        name=named.plan_description if named else None,
        group_number=groups[0] if groups else None,
        insurance_type=codes.describe(codes.INSURANCE_TYPES, typed.insurance_type)
        if typed
        else None,
        coverage_begin=begin,
        coverage_end=end,
    )


def _member(answer: PayerAnswer) -> Member:
    patient = answer.patient
    if patient is None:
        return Member()
    return Member(
        relationship="dependent" if answer.dependent else "subscriber",
        first_name=patient.first_name,
        last_name=patient.last_name,
        member_id=patient.member_id,
        date_of_birth=patient.date_of_birth,
        corrected=any(p.corrected for p in (answer.subscriber, answer.dependent) if p),
    )


def _administrator(benefits: Sequence[Benefit]) -> Administrator | None:
    for row in benefits:
        if row.code != CONTACT or not row.entities:
            continue
        if row.service_types and not BEHAVIORAL_TYPES.intersection(row.service_types):
            continue
        entity = row.entities[0]
        return Administrator(name=entity.name, id=entity.id, phone=entity.phone)
    return None


def carve_out_administrator(answer: PayerAnswer) -> Administrator | None:
    """The organisation the payer says administers behavioral health, if any."""
    return _administrator(answer.benefits)


_LABELS = {
    "iop_mental_health": "mental health intensive outpatient treatment",
    "iop_substance_use": "substance use intensive outpatient treatment",
}


def _dual(status: str, levels: dict[str, LevelOfCare]) -> DualDiagnosis:
    mh, sud = levels["iop_mental_health"].covered, levels["iop_substance_use"].covered
    if status == "inactive":
        return DualDiagnosis(False, "The plan is not active, so neither IOP benefit applies.")
    if status != "active":
        return DualDiagnosis(
            None, "The payer gave no usable answer, so coverage for both together is unknown."
        )
    if mh and sud:
        return DualDiagnosis(
            True,
            "The plan covers intensive outpatient treatment for both mental health and substance "
            "use, so a program treating both together (dual diagnosis) is covered.",
        )
    missing = [
        _LABELS[k] for k, v in (("iop_mental_health", mh), ("iop_substance_use", sud)) if v is False
    ]
    if missing:
        return DualDiagnosis(
            False,
            f"The plan does not cover {' or '.join(missing)}, so treatment for both together "
            "(dual diagnosis) is not fully covered.",
        )
    unknown = [
        _LABELS[k] for k, v in (("iop_mental_health", mh), ("iop_substance_use", sud)) if v is None
    ]
    return DualDiagnosis(
        None,
        f"The payer's answer does not say whether it covers {' or '.join(unknown)}; "
        "confirm both by phone before treating both together (dual diagnosis).",
    )


def _um_organisation(answer: PayerAnswer) -> Contact | None:
    """A utilization-management organisation (2120 NM101 X3) wherever the answer names it,
    an other payer's row included (a Medicare Advantage plan's UM vendor)."""
    for row in answer.benefits:
        for entity in row.entities:
            if entity.role == "X3":
                return Contact(entity.name, entity.phone)
    return None


def _prior_auth_contact(answer: PayerAnswer, admin: Administrator | None) -> Contact:
    """Whom to call for authorization: a UM organisation the answer names, else the BH
    administrator, else the payer."""
    um = _um_organisation(answer)
    if um is not None:
        return um
    rows = [row for row in answer.benefits if row.code != OTHER_PAYER]
    for row in rows:
        for entity in row.entities:
            if entity.phone and BEHAVIORAL_TYPES.intersection(row.service_types):
                return Contact(entity.name, entity.phone)
    if admin is not None:
        return Contact(admin.name, admin.phone)
    return Contact(answer.payer_name, answer.payer_phone)


def interpret(answer: PayerAnswer) -> Determination:
    """Decide what one payer answer means for IOP and PHP; unknown stays None."""
    chosen = behavioral_plan(split_plans(answer.benefits))
    rows = chosen.rows if chosen is not None else []
    medical = coverage_rows(chosen)
    plan_rows = plan_level(rows)
    status, rejection = _status(answer, plan_rows or plan_level(answer.benefits))
    usable = status in ("active", "inactive")
    benefits = rows if usable else []
    # deductibles and out-of-pocket maximums are plan-level rows: sought among those alone
    plan_benefits = plan_rows if usable else []
    if usable:
        levels = decide_levels(benefits, plan_rows, plan_inactive=status == "inactive")
    else:
        levels = {name: LevelOfCare() for name in LEVELS_OF_CARE}
    medicare = any(b.insurance_type in MEDICARE for b in medical)
    determination = Determination(
        status=status,
        rejection=rejection,
        member=_member(answer),
        plan=_plan(answer, medical),
        payer=Payer(name=answer.payer_name, id=answer.payer_id),
        behavioral_health_administrator=_administrator(answer.benefits if usable else []),
        levels_of_care=levels,
        dual_diagnosis=_dual(status, levels),
        deductible=accumulators(plan_benefits, "C"),
        out_of_pocket=accumulators(plan_benefits, "G"),
        other_payers=other_payers(answer.benefits, medicare) if usable else [],
    )
    corrected = any(p.corrected for p in (answer.subscriber, answer.dependent) if p)
    determination.summary = summarize(
        determination,
        demographics_corrected=corrected,
        prior_auth_contact=_prior_auth_contact(
            answer, determination.behavioral_health_administrator
        ),
        um_named=_um_organisation(answer) is not None,
        placeholders={
            "deductible": placeholders(plan_benefits, "C"),
            "out-of-pocket maximum": placeholders(plan_benefits, "G"),
        },
    )
    return determination
