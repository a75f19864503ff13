"""The IOP course estimate and the phone-verified facts, as the console and the VOB show them."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from werkzeug.datastructures import MultiDict

from verifier.current import current_services
from verifier.domain.estimate import Schedule
from verifier.domain.summary import money
from verifier.records import VerificationRecord
from verifier.services.reading import NotEstimable, Read, estimate_from, read_all

LEVELS = {"iop_mental_health": "Mental health IOP", "iop_substance_use": "Substance use IOP"}
NETWORKS = {"in_network": "in network", "out_of_network": "out of network"}


def seen(record: VerificationRecord) -> Read:
    """The record as staff see it: with what was confirmed by phone laid over its answer."""
    return read_all(current_services().phone, [record])[0]


def fact_lines(facts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each call's facts without empty values, with who recorded them."""
    return [
        {
            **{k: v for k, v in entry["facts"].items() if v is not None},
            "recorded by": entry.get("added_by_name"),
        }
        for entry in facts
    ]


def course_estimate(looked_at: Read, args: MultiDict[str, str]) -> dict[str, Any]:
    """The form's values and, when they are complete and valid, the estimate (or why not)."""
    form = {
        "days": args.get("days", "3"),
        "weeks": args.get("weeks", "8"),
        "charge": args.get("charge", ""),
        "level": args.get("level", "iop_mental_health"),
        "network": args.get("network", "in_network"),
    }
    result: dict[str, Any] = {"form": form, "levels": LEVELS, "networks": NETWORKS}
    if not form["charge"]:
        return result
    try:
        days, weeks = int(form["days"]), int(form["weeks"])
        charge = Decimal(form["charge"])
        if not (1 <= days <= 7 and 1 <= weeks <= 52 and charge.is_finite() and charge > 0):
            raise ValueError
        if form["level"] not in LEVELS or form["network"] not in NETWORKS:
            raise ValueError
    except (ValueError, InvalidOperation):
        result["error"] = "Enter 1-7 days a week, 1-52 weeks and a charge per day above $0."
        return result
    schedule = Schedule(days, weeks, charge.quantize(Decimal("0.01")), form["network"])
    try:
        estimate = estimate_from(looked_at, form["level"], schedule)
    except NotEstimable:
        result["error"] = "There is no usable payer answer to estimate from."
        return result
    result["estimate"] = {
        "client_pays": money(estimate.client_pays),
        "plan_pays": money(estimate.plan_pays),
        "total": money(estimate.total_charge),
        "days": estimate.days,
        "steps": estimate.steps,
        "unknown": estimate.unknown,
        "label": f"{LEVELS[form['level']]}, {NETWORKS[form['network']]}",
    }
    return result
