"""One level of care in words, never saying more than the answer: a figure that rests on a
general benefit or on the whole plan is named as such, and the program's own price is left to
confirm (DESIGN.md, "Contract, second edition")."""

from __future__ import annotations

from decimal import Decimal

from verifier.domain.determination import LevelOfCare, Limit, NetworkTerms

__all__ = ["PERIOD_WORDS", "level_sentence", "money", "percent"]

PERIOD_WORDS = {
    "calendar_year": "per calendar year",
    "service_year": "per benefit year",
    "year": "per year",
    "visit": "per visit",
    "day": "per day",
    "week": "per week",
    "month": "per month",
    "lifetime": "per lifetime",
    "remaining": "remaining",
    "lifetime_remaining": "remaining for life",
    "admission": "per admission",
    "episode": "per episode of care",
}
# Bases whose figures are not the program's own price.
_GENERAL = frozenset({"general_service_type", "plan"})
_ELSEWHERE = frozenset({"procedure", "facility_service_type", "general_service_type"})
NOT_STATED_WORDS = "(the insurer does not distinguish network)"


def money(value: Decimal) -> str:
    return f"${value:,.0f}" if value == value.to_integral() else f"${value:,.2f}"


def percent(value: Decimal) -> str:
    return f"{(value * 100).normalize():f}%"


def _count(value: Decimal | None) -> str:
    if value is None:
        return "an unstated number of"
    return f"{value.normalize():f}"


def _limit(limit: Limit) -> str:
    if limit.unit == "dollars" and limit.quantity is not None:
        amount = money(limit.quantity)
    else:
        amount = f"{_count(limit.quantity)} {limit.unit or 'units'}"
    period = PERIOD_WORDS.get(limit.period or "", "")
    return f"{amount} {period}".strip()


def _terms(terms: NetworkTerms | None, where: str) -> str | None:
    if terms is None:
        return None
    if terms.covered is False:
        return f"not covered {where}"
    parts = []
    if terms.copay is not None:
        unit = f" per {terms.copay_unit}" if terms.copay_unit else ""
        parts.append(f"{money(terms.copay)} copay{unit}")
    if terms.coinsurance is not None:
        parts.append(f"{percent(terms.coinsurance)} coinsurance")
    if not parts:
        return f"covered {where}, cost share not stated"
    plan_wide = " as the plan's general cost share" if terms.basis == "plan" else ""
    return f"{' and '.join(parts)}{plan_wide} {where}"


def level_sentence(name: str, subject: str, level: LevelOfCare, program: str) -> str:
    """`name`: "Mental health"; `subject`: "mental-health"; `program`: "IOP" or "PHP"."""
    if level.covered is None:
        if level.basis in _ELSEWHERE:
            return f"{name}: the insurer refers questions about this benefit elsewhere (see below)."
        sentence = f"{name}: not stated by the insurer; confirm by phone."
        if level.prior_auth_required:
            sentence += " The plan requires prior authorization."
        return sentence
    if level.covered is False:
        return f"{name}: not covered."
    blocks = (level.in_network, level.out_of_network, level.network_not_stated)
    pieces = [
        t
        for t in (
            _terms(level.in_network, "in network"),
            _terms(level.out_of_network, "out of network"),
            _terms(level.network_not_stated, NOT_STATED_WORDS),
        )
        if t
    ]
    general = level.basis == "general_service_type"
    sentence = f"{name}: covered"
    if general:
        sentence += f" under the plan's general {subject} benefit"
    if pieces and general:
        sentence += f"; that benefit's cost share is {'; '.join(pieces)}."
        sentence += f" The price of {program} itself is to be confirmed by phone."
    elif pieces and any(b is not None and b.basis in _GENERAL for b in blocks):
        sentence += f"; {'; '.join(pieces)}."
        sentence += f" The price of {program} itself is to be confirmed by phone."
    elif pieces:
        sentence += f"; {'; '.join(pieces)}."
    else:
        sentence += ", cost share not stated."
    if level.prior_auth_required is True:
        sentence += " Prior authorization is required."
    elif level.prior_auth_required is False:
        sentence += " No prior authorization is required."
    if level.limits:
        sentence += " Limit: " + ", ".join(_limit(lim) for lim in level.limits) + "."
    return sentence
