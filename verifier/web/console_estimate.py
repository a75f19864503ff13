"""The IOP course estimate and the phone-verified facts, as the console and the VOB show them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict

from schemas.estimate import EstimateRequestSchema
from verifier.current import current_services
from verifier.domain.estimate import Schedule
from verifier.domain.summary import money
from verifier.records import VerificationRecord
from verifier.services.reading import NotEstimable, Read, estimate_from, read_all

LEVELS = {"iop_mental_health": "Mental health IOP", "iop_substance_use": "Substance use IOP"}
NETWORKS = {"in_network": "in network", "out_of_network": "out of network"}
_COURSE = EstimateRequestSchema()


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


def _whole(text: str) -> int | str:
    """A form's whole number as one, or the text as typed for the schema to refuse."""
    return int(text) if text.strip().isdigit() else text


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
        # The API's own rules for a planned course, so the console accepts what it accepts.
        course = _COURSE.load(
            {
                "days_per_week": _whole(form["days"]),
                "weeks": _whole(form["weeks"]),
                "charge_per_day": form["charge"],
                "level": form["level"],
                "network": form["network"],
            }
        )
    except ValidationError as refused:
        messages = refused.messages if isinstance(refused.messages, dict) else {}
        result["error"] = " ".join(
            str(text) for name in _COURSE.fields if name in messages for text in messages[name]
        )
        return result
    schedule = Schedule(
        course["days_per_week"],
        course["weeks"],
        course["charge_per_day"].quantize(Decimal("0.01")),
        course["network"],
    )
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
