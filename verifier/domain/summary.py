"""Say a determination in plain language for a prospective client or an admissions coordinator."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from verifier.domain.determination import (
    Accumulator,
    Accumulators,
    Determination,
    LevelOfCare,
    Limit,
    NetworkTerms,
)

DISCLAIMER = (
    "Benefits quoted are what the insurer reported electronically; they are not a guarantee of "
    "payment, which depends on eligibility on the date of service, medical necessity and the "
    "plan's terms."
)

_STATUS = {
    "not_found": "The insurer could not find this member",
    "rejected": "The insurer rejected the inquiry",
    "payer_unavailable": "The insurer could not answer right now",
}
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


@dataclass(frozen=True, slots=True)
class Contact:
    """Who to call, and how."""

    name: str | None
    phone: str | None

    def text(self) -> str:
        name = self.name or "the insurer"
        return f"{name} at {phone(self.phone)}" if self.phone else name


def money(value: Decimal) -> str:
    return f"${value:,.0f}" if value == value.to_integral() else f"${value:,.2f}"


def percent(value: Decimal) -> str:
    return f"{(value * 100).normalize():f}%"


def phone(number: str | None) -> str:
    digits = "".join(c for c in number or "" if c.isdigit())
    if len(digits) == 10:
        return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"
    return number or ""


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
    return f"{' and '.join(parts)} {where}"


def _level(name: str, level: LevelOfCare) -> str:
    if level.covered is None:
        if level.basis in ("procedure", "service_type"):
            return f"{name}: the insurer refers questions about this benefit elsewhere (see below)."
        return f"{name}: not stated by the insurer; confirm by phone."
    if level.covered is False:
        return f"{name}: not covered."
    pieces = [
        t
        for t in (
            _terms(level.in_network, "in network"),
            _terms(level.out_of_network, "out of network"),
        )
        if t
    ]
    sentence = f"{name}: covered"
    sentence += f"; {'; '.join(pieces)}." if pieces else ", cost share not stated."
    if level.prior_auth_required is True:
        sentence += " Prior authorization is required."
    elif level.prior_auth_required is False:
        sentence += " No prior authorization is required."
    if level.limits:
        sentence += " Limit: " + ", ".join(_limit(lim) for lim in level.limits) + "."
    return sentence


def _accumulator(label: str, acc: Accumulators) -> list[str]:
    lines = []
    for where, tiers in (("in network", acc.in_network), ("out of network", acc.out_of_network)):
        if tiers is None:
            continue
        parts = [
            _figure(who, value)
            for who, value in (("individual", tiers.individual), ("family", tiers.family))
            if value is not None
        ]
        lines.append(f"{label} {where}: {'; '.join(parts)}.")
    return lines


def _figure(who: str, value: Accumulator) -> str:
    if value.total == 0:
        return f"{who} none"
    if value.total is not None and value.remaining is not None:
        if value.remaining == 0:
            return f"{who} {money(value.total)}, already met"
        return f"{who} {money(value.remaining)} left of {money(value.total)}"
    if value.total is not None:
        return f"{who} {money(value.total)} (amount already met not stated)"
    assert value.remaining is not None
    return f"{who} {money(value.remaining)} left"


def _headline(d: Determination) -> str:
    who = " ".join(p for p in (d.member.first_name, d.member.last_name) if p) or "The member"
    payer = d.payer.name or "the insurer"
    if d.status == "active":
        plan = f" ({d.plan.name})" if d.plan.name else ""
        return f"{who}'s coverage with {payer}{plan} is active."
    if d.status == "inactive":
        ended = f"; it ended on {d.plan.coverage_end.isoformat()}" if d.plan.coverage_end else ""
        return f"{who}'s coverage with {payer} is not active{ended}. The plan covers no treatment."
    reason = d.rejection.reason if d.rejection and d.rejection.reason else "no reason given"
    line = f"{_STATUS.get(d.status, 'No usable answer')} ({reason})."
    if d.rejection and d.rejection.retryable:
        line += " Try again later or call the insurer."
    elif d.rejection and d.rejection.follow_up:
        line += f" The insurer says: {d.rejection.follow_up}."
    return line + " Coverage is unknown until this is resolved."


def summarize(
    d: Determination,
    *,
    demographics_corrected: bool = False,
    prior_auth_contact: Contact | None = None,
) -> str:
    """A short text: status, IOP and PHP, costs, deductibles, whom to call, what is unknown."""
    lines = [_headline(d)]
    if demographics_corrected:
        lines.append(
            "The insurer corrected the member's details: use the name and birth date it returned."
        )
    if d.status == "active":
        levels = d.levels_of_care
        lines.append("Intensive outpatient (IOP):")
        lines.append("- " + _level("Mental health", levels["iop_mental_health"]))
        lines.append("- " + _level("Substance use", levels["iop_substance_use"]))
        lines.append("- Both together (dual diagnosis): " + d.dual_diagnosis.explanation)
        lines.append("Partial hospitalization (PHP):")
        lines.append("- " + _level("Mental health", levels["php_mental_health"]))
        lines.append("- " + _level("Substance use", levels["php_substance_use"]))
        lines += _accumulator("Deductible", d.deductible)
        lines += _accumulator("Out-of-pocket maximum", d.out_of_pocket)
        lines += _calls(d, prior_auth_contact)
    lines.append(DISCLAIMER)
    return "\n".join(lines)


def _calls(d: Determination, contact: Contact | None) -> list[str]:
    lines = []
    admin = d.behavioral_health_administrator
    if admin is not None:
        reach = Contact(admin.name, admin.phone).text()
        lines.append(
            f"Behavioral health benefits are managed by {reach}: verify IOP and PHP with them."
        )
    iop = [d.levels_of_care["iop_mental_health"], d.levels_of_care["iop_substance_use"]]
    if any(level.prior_auth_required for level in iop):
        lines.append(f"For prior authorization, call {(contact or Contact(None, None)).text()}.")
    unknown = []
    if d.deductible.in_network is None:
        unknown.append("the deductible")
    if d.out_of_pocket.in_network is None:
        unknown.append("the out-of-pocket maximum")
    if any(level.covered and level.prior_auth_required is None for level in iop):
        unknown.append("whether prior authorization is needed")
    for label, level in zip(("mental health", "substance use"), iop, strict=True):
        if level.covered is None:
            unknown.append(f"whether {label} IOP is covered")
    if unknown:
        lines.append("Worth a phone call to confirm: " + ", ".join(unknown) + ".")
    return lines
