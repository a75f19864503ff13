"""Say a determination in plain language for a prospective client or an admissions coordinator."""

from __future__ import annotations

from dataclasses import dataclass

from verifier.domain.determination import (
    Accumulator,
    Accumulators,
    Determination,
    OtherPayer,
)
from verifier.domain.summary_levels import PERIOD_WORDS, level_sentence, money, percent

__all__ = ["DISCLAIMER", "PERIOD_WORDS", "Contact", "money", "percent", "phone", "summarize"]

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
_NOT_STATED = "(the insurer does not distinguish network)"


@dataclass(frozen=True, slots=True)
class Contact:
    """Who to call, and how."""

    name: str | None
    phone: str | None

    def text(self) -> str:
        name = self.name or "the insurer"
        return f"{name} at {phone(self.phone)}" if self.phone else name


def phone(number: str | None) -> str:
    digits = "".join(c for c in number or "" if c.isdigit())
    if len(digits) == 10:
        return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"
    return number or ""


def _accumulator(label: str, acc: Accumulators) -> list[str]:
    lines = []
    for where, tiers in (
        ("in network", acc.in_network),
        ("out of network", acc.out_of_network),
        (_NOT_STATED, acc.network_not_stated),
    ):
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
    if d.status == "unknown":
        return (
            f"{payer[0].upper()}{payer[1:]}'s answer states neither coverage nor a rejection, so "
            "coverage is unknown: confirm by phone."
        )
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
    placeholders: dict[str, list[str]] | None = None,
    um_named: bool = False,
) -> str:
    """A short text: status, IOP and PHP, costs, deductibles, whom to call, what is unknown."""
    lines = [_headline(d)]
    lines += [_other_payer(d, other) for other in d.other_payers]
    if demographics_corrected:
        lines.append(
            "The insurer corrected the member's details: use the name and birth date it returned."
        )
    if d.status == "active":
        levels = d.levels_of_care
        lines.append("Intensive outpatient (IOP):")
        mh, sud = ("Mental health", "mental-health"), ("Substance use", "substance-use")
        lines.append("- " + level_sentence(*mh, levels["iop_mental_health"], "IOP"))
        lines.append("- " + level_sentence(*sud, levels["iop_substance_use"], "IOP"))
        lines.append("- Both together (dual diagnosis): " + d.dual_diagnosis.explanation)
        lines.append("Partial hospitalization (PHP):")
        lines.append("- " + level_sentence(*mh, levels["php_mental_health"], "PHP"))
        lines.append("- " + level_sentence(*sud, levels["php_substance_use"], "PHP"))
        lines += _accumulator("Deductible", d.deductible)
        lines += _accumulator("Out-of-pocket maximum", d.out_of_pocket)
        for label, which in (placeholders or {}).items():
            lines += [
                f"The insurer sent a placeholder of nines, not a figure, for the {w} {label}; "
                "confirm it by phone."
                for w in which
            ]
        lines += _calls(d, prior_auth_contact, um_named)
    lines.append(DISCLAIMER)
    return "\n".join(lines)


def _calls(d: Determination, contact: Contact | None, um_named: bool = False) -> list[str]:
    lines = []
    admin = d.behavioral_health_administrator
    if admin is not None:
        reach = Contact(admin.name, admin.phone).text()
        lines.append(
            f"Behavioral health benefits are managed by {reach}: verify IOP and PHP with them."
        )
    iop = [d.levels_of_care["iop_mental_health"], d.levels_of_care["iop_substance_use"]]
    # a UM organisation the answer names is the number for prior authorization even when
    # no row says authorization is required
    if any(level.prior_auth_required for level in iop) or um_named:
        lines.append(f"For prior authorization, call {(contact or Contact(None, None)).text()}.")
    unknown = []
    if d.deductible.in_network is None and d.deductible.network_not_stated is None:
        unknown.append("the deductible")
    if d.out_of_pocket.in_network is None and d.out_of_pocket.network_not_stated is None:
        unknown.append("the out-of-pocket maximum")
    if any(level.covered and level.prior_auth_required is None for level in iop):
        unknown.append("whether prior authorization is needed")
    for label, level in zip(("mental health", "substance use"), iop, strict=True):
        if level.covered is None:
            unknown.append(f"whether {label} IOP is covered")
    if unknown:
        lines.append("Worth a phone call to confirm: " + ", ".join(unknown) + ".")
    return lines


_ROLE_WORDS = {"secondary": "the secondary payer", "tertiary": "the third payer"}


def _other_payer(d: Determination, other: OtherPayer) -> str:
    """Who pays first, in the summary's first lines: a Medicare Advantage plan or a primary
    payer is billed before the insurer that answered."""
    payer = d.payer.name or "the insurer"
    name = other.name or "another payer (not named)"
    reach = f" ({phone(other.phone)})" if other.phone else ""
    span = ""
    if other.coverage_begin or other.coverage_end:
        since = other.coverage_begin.isoformat() if other.coverage_begin else "?"
        until = f" to {other.coverage_end.isoformat()}" if other.coverage_end else ""
        span = f" Reported from {since}{until}; check it covers the date of service."
    if other.role == "medicare_advantage":
        return (
            f"Bill {name}{reach} first: the member is enrolled in a Medicare Advantage plan, "
            f"which pays instead of {payer}; verify benefits with that plan.{span}"
        )
    if other.role == "primary":
        return (
            f"Bill {name}{reach} first: it is the primary payer, and {payer} pays after it.{span}"
        )
    if other.role in _ROLE_WORDS:
        return f"{name}{reach} is {_ROLE_WORDS[other.role]}, after {payer}.{span}"
    return f"Other coverage reported: {name}{reach}; confirm which pays first.{span}"
