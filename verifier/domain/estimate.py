"""What an IOP course will cost the client, day by day, from a determination: pure, Decimal only."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from itertools import accumulate
from typing import Any

CENT, ZERO = Decimal("0.01"), Decimal("0.00")
LEVELS = {"iop_mental_health": "mental health IOP", "iop_substance_use": "substance use IOP"}
NETWORKS = {"in_network": "in network", "out_of_network": "out of network"}
_PERIODS = {"week": "per week", "calendar_year": "per calendar year", "lifetime": "per lifetime"}
_COPAY_UNITS = {"day": "per day", "visit": "per visit (counted as one visit a day)"}
_UNSAID_UNIT = "(the payer did not say per day or per visit; counted once a day)"
# Figures from rows without a network indicator (EB12), as Medicare and many Medicaid plans send.
NOT_STATED = "network_not_stated"
_NOT_STATED_STEP = "the payer does not distinguish network, so its figure for any network is used."


@dataclass(slots=True)
class Schedule:
    """A planned course: so many days a week for so many weeks, at a per-diem charge."""

    days_per_week: int
    weeks: int
    charge_per_day: Decimal
    network: str = "in_network"

    def __post_init__(self) -> None:
        if not 1 <= self.days_per_week <= 7 or self.weeks < 1 or self.charge_per_day <= 0:
            raise ValueError("A course is 1-7 days a week, 1 week or more, at a charge above 0.")
        if self.network not in NETWORKS:
            raise ValueError(f"Unknown network {self.network!r}.")


@dataclass(slots=True)
class Estimate:
    """The course's cost. `unknown` names what the payer did not give: coverage, deductible,
    cost_share, out_of_pocket; `steps` says what was assumed instead, in words."""

    total_charge: Decimal
    client_pays: Decimal
    plan_pays: Decimal
    days: int
    steps: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def money(value: Decimal) -> str:
    return f"${cents(value):,.2f}"


def percent(fraction: Decimal) -> str:
    return f"{format((fraction * 100).normalize(), 'f')}%"


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _days(count: int, unit: str = "day") -> str:
    return f"{count} {unit}{'' if count == 1 else 's'}"


def _figure(accumulators: Any, network: str, name: str) -> tuple[Decimal | None, list[str], bool]:
    """The remaining amount (individual, else family), notes on where it came from, and whether
    it was assumed (a total taken as all remaining, or no figure at all)."""
    tiers = (accumulators or {}).get(network) or {}
    fallback = []
    if not tiers and (accumulators or {}).get(NOT_STATED):
        tiers = accumulators[NOT_STATED]
        fallback = [f"{name}: {_NOT_STATED_STEP}"]
    for tier in ("individual", "family"):
        figure = tiers.get(tier) or {}
        remaining, total = _decimal(figure.get("remaining")), _decimal(figure.get("total"))
        notes = fallback + (
            [f"{name}: using the family figure (no individual one)."] if tier == "family" else []
        )
        if remaining is not None:
            return remaining, notes, False
        if total is not None:
            notes.append(f"{name}: no remaining figure; assuming all {money(total)} remains.")
            return total, notes, True
    return None, [], True


def _limits(level: Mapping[str, Any], days_per_week: int, days: int) -> list[str]:
    notes = []
    for limit in level.get("limits") or []:
        quantity, unit = _decimal(limit.get("quantity")), limit.get("unit")
        per = _PERIODS.get(str(limit.get("period")))
        planned = days_per_week if limit.get("period") == "week" else days
        if quantity is not None and unit in ("days", "visits") and per and planned > quantity:
            notes.append(
                f"The plan limits this to {quantity} {unit} {per}; days beyond that may not be "
                "covered, which this estimate does not reflect."
            )
    return notes


def _deductible_step(deductible: Decimal | None, paid: list[Decimal], charge: Decimal) -> str:
    if deductible is None:
        return (
            "Deductible: no figure from the payer; assumed unmet for the whole course, so the "
            f"client pays the full {money(charge)} a day."
        )
    if deductible == 0:
        return f"Deductible: {money(deductible)} remaining, so the cost share applies from day 1."
    went, count = sum(paid, ZERO), sum(1 for amount in paid if amount > 0)
    if went < deductible:
        return (
            f"Deductible: {money(deductible)} remaining; all {_days(count)} ({money(went)}) go "
            f"toward it, leaving {money(deductible - went)}."
        )
    if count == 1:
        return f"Deductible: {money(deductible)} remaining, paid in full on day 1."
    last = "" if paid[count - 1] == charge else f", then {money(paid[count - 1])} on day {count}"
    return (
        f"Deductible: {money(deductible)} remaining, paid in full over the first "
        f"{_days(count)} ({money(charge)} a day{last})."
    )


def _share_steps(
    paid: list[Decimal], shares: list[Decimal], charge: Decimal, terms: Mapping[str, Any]
) -> list[str]:
    copay, coinsurance = _decimal(terms.get("copay")), _decimal(terms.get("coinsurance"))
    steps = [
        f"On day {day}, the {money(charge - owed)} left after the deductible costs the client "
        f"{money(share)}."
        for day, (owed, share) in enumerate(zip(paid, shares, strict=True), start=1)
        if 0 < owed < charge
    ]
    after = [share for owed, share in zip(paid, shares, strict=True) if owed == 0]
    if not after:
        return steps
    count, subtotal = _days(len(after)), money(sum(after, ZERO))
    if copay is not None:
        how = _COPAY_UNITS.get(terms.get("copay_unit") or "", _UNSAID_UNIT)
        steps.append(f"Then {money(copay)} copay {how} for {count} = {subtotal}.")
        if coinsurance is not None:
            steps.append(
                f"The payer also lists {percent(coinsurance)} coinsurance; this estimate applies "
                "the copay alone."
            )
    elif coinsurance is not None:
        rate = f"{percent(coinsurance)} coinsurance ({money(after[0])} a day)"
        steps.append(f"Then {rate} for {count} = {subtotal}.")
    else:
        steps.append(f"Then the full charge ({money(after[0])} a day) for {count} = {subtotal}.")
    return steps


def _unconfirmed(determination: Mapping[str, Any], what: str) -> str:
    admin = determination.get("behavioral_health_administrator") or {}
    ask = f"; ask {admin['name']}, who administers these benefits" if admin.get("name") else ""
    return f"Coverage of {what} is not confirmed{ask}."


def estimate_course(
    determination: Mapping[str, Any], level: str = "iop_mental_health", *, schedule: Schedule
) -> Estimate:
    """Walk the course day by day: deductible first, then the cost share, capped at the
    remaining out-of-pocket maximum. Unknown figures are flagged and assumed the costly way."""
    if level not in LEVELS:
        raise ValueError(f"Unknown level of care {level!r}.")
    charge, network = cents(schedule.charge_per_day), schedule.network
    days = schedule.days_per_week * schedule.weeks
    total = charge * days
    loc: Mapping[str, Any] = (determination.get("levels_of_care") or {}).get(level) or {}
    terms: Mapping[str, Any] = loc.get(network) or {}
    unstated = not terms and bool(loc.get(NOT_STATED))
    if unstated:
        terms = loc[NOT_STATED]
    what, inactive = (
        f"{LEVELS[level]} {NETWORKS[network]}",
        determination.get("status") == "inactive",
    )
    steps = [
        f"Course: {_days(schedule.days_per_week)} a week for {_days(schedule.weeks, 'week')} = "
        f"{_days(days)} at {money(charge)} a day = {money(total)} ({what})."
    ]
    unknown: list[str] = []
    if network == "out_of_network":
        steps.append(
            f"Out of network, {money(charge)} is taken as the plan's allowed amount; the provider "
            "may also bill the client the difference between its charge and that amount."
        )
    if inactive or False in (loc.get("covered"), terms.get("covered")):
        why = " (the plan is inactive)" if inactive else ""
        steps.append(
            f"{what[0].upper()}{what[1:]} is not covered{why}, "
            f"so the client pays the full charge: {_days(days)} × {money(charge)} = {money(total)}."
        )
        return Estimate(total, total, ZERO, days, steps, unknown)
    if unstated:
        steps.append(f"Cost share: {_NOT_STATED_STEP}")
    if terms.get("basis") in ("general_service_type", "plan"):
        steps.append(
            "Cost share: the payer states it for a general benefit, not for IOP itself; "
            "confirm the IOP price by phone."
        )
    if loc.get("covered") is None:
        unknown.append("coverage")
        steps.append(_unconfirmed(determination, what))
    if loc.get("prior_auth_required"):
        steps.append("Prior authorization is required; without it the plan may pay nothing.")
    steps.extend(_limits(loc, schedule.days_per_week, days))
    steps.append(
        "Assumed: the deductible applies to IOP days, copays do not count toward it (true of most "
        "plans), and all the client pays counts toward the out-of-pocket maximum."
    )
    deductible, notes, assumed = _figure(determination.get("deductible"), network, "Deductible")
    unknown.extend(["deductible"] if assumed else [])
    steps.extend(notes)
    copay, coinsurance = _decimal(terms.get("copay")), _decimal(terms.get("coinsurance"))
    if copay is None and coinsurance is None:
        unknown.append("cost_share")
        steps.append(
            f"Cost share: the payer gave no copay or coinsurance for {what}; assuming the client "
            "pays the full charge after the deductible."
        )

    def share(rest: Decimal) -> Decimal:
        if copay is not None:
            return min(copay, rest)
        return rest if coinsurance is None else cents(coinsurance * rest)

    left, paid, shares = deductible, [], []
    for _ in range(days):
        owed = charge if left is None else min(charge, left)
        left = None if left is None else left - owed
        paid.append(owed)
        shares.append(share(charge - owed))
    steps.append(_deductible_step(deductible, paid, charge))
    steps.extend(_share_steps(paid, shares, charge, terms))

    daily = [owed + share for owed, share in zip(paid, shares, strict=True)]
    uncapped = sum(daily, ZERO)
    oop, notes, assumed = _figure(determination.get("out_of_pocket"), network, "Out-of-pocket")
    unknown.extend(["out_of_pocket"] if assumed else [])
    steps.extend(notes)
    if oop is None:
        steps.append("Out-of-pocket maximum: no figure from the payer, so no cap is applied.")
    elif uncapped <= oop:
        steps.append(f"Out-of-pocket maximum {money(oop)} remaining is not reached.")
    else:
        day = next(n for n, spent in enumerate(accumulate(daily), start=1) if spent >= oop)
        when = "already met" if oop <= 0 else f"reached on day {day}"
        steps.append(
            f"Out-of-pocket maximum {money(oop)} remaining is {when}; the plan pays in full "
            f"after that, so the client pays {money(oop)} instead of {money(uncapped)}."
        )
    client = cents(uncapped if oop is None else max(ZERO, min(uncapped, oop)))
    steps.append(
        f"Estimate: the client pays {money(client)} and the plan pays {money(total - client)} "
        f"of {money(total)}."
    )
    return Estimate(total, client, total - client, days, steps, unknown)
