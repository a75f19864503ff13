"""Overlay what a payer representative confirmed by phone on the electronic determination."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

# Facts a call can settle, per level of care; the electronic answer keeps its own values.
LEVEL_FIELDS = ("covered", "prior_auth_required", "prior_auth_phone", "day_limit", "visit_limit")


def with_phone_facts(
    determination: Mapping[str, Any], facts: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """The determination with, per level of care, `confirmed_by_phone`: each value a call gave,
    who recorded it, when, the representative and the call reference. Later calls win.
    Where a call settled `covered` or prior auth, the level's value is the call's and
    `source` says so; otherwise `source` is "electronic"."""
    # Copies of only what is changed below: a deep copy of the whole determination cost
    # more than the rest of presenting a record.
    result = dict(determination)
    levels: dict[str, Any] = {
        name: dict(level) for name, level in (result.get("levels_of_care") or {}).items()
    }
    if "levels_of_care" in result:
        result["levels_of_care"] = levels
    if isinstance(result.get("dual_diagnosis"), dict):
        result["dual_diagnosis"] = dict(result["dual_diagnosis"])
    for each in levels.values():
        each["source"] = {"covered": "electronic", "prior_auth_required": "electronic"}
        each["confirmed_by_phone"] = {}
    for entry in facts:
        fact = entry["facts"]
        level = levels.get(fact.get("level"))
        if level is None:
            continue
        who = {
            "recorded_by": entry.get("added_by_name") or entry.get("added_by"),
            "recorded_at": entry["added_at"].isoformat(),
            "representative": fact.get("rep_name"),
            "call_reference": fact.get("call_reference"),
        }
        for name in LEVEL_FIELDS:
            if fact.get(name) is None:
                continue
            level["confirmed_by_phone"][name] = {"value": fact[name], **who}
            if name in ("covered", "prior_auth_required"):
                level[name] = fact[name]
                level["source"][name] = "phone"
    _recheck_dual(result)
    return result


def _recheck_dual(result: dict[str, Any]) -> None:
    levels = result.get("levels_of_care") or {}
    mh, sud = (levels.get(k, {}) for k in ("iop_mental_health", "iop_substance_use"))
    if "phone" not in (*mh.get("source", {}).values(), *sud.get("source", {}).values()):
        return
    both = (mh.get("covered"), sud.get("covered"))
    covered = True if both == (True, True) else False if False in both else None
    if result.get("status") == "inactive":
        return
    dual = result.setdefault("dual_diagnosis", {})
    if dual.get("covered") != covered:
        dual["covered"] = covered
        dual["explanation"] = (
            "As confirmed by phone: "
            + {
                True: "both IOP benefits are covered.",
                False: "one IOP benefit is not covered.",
                None: "coverage for both together is still unknown.",
            }[covered]
        )
