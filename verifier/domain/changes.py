"""What changed between two determinations of the same member, in words for admissions staff."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

USABLE_STATUSES = ("active", "inactive")

_IOP_LEVELS = (
    ("iop_mental_health", "iop_mental_health_changed", "Mental health IOP"),
    ("iop_substance_use", "iop_substance_use_changed", "Substance use IOP"),
)
_COVERED_WORDS = {True: "covered", False: "not covered", None: "not stated by the insurer"}
_AUTH_WORDS = {True: "required", False: "not required", None: "not stated"}
_PLAN_FIELDS = (
    ("name", "plan name"),
    ("group_number", "group number"),
    ("insurance_type", "insurance type"),
)
_PAYER_FIELDS = (("id", "payer id"), ("name", "payer name"))


@dataclass(frozen=True, slots=True)
class Change:
    """One change worth flagging: its kind, a sentence for a person, and the values either side."""

    kind: str
    summary: str
    before: Any
    after: Any


def detect_changes(previous: Mapping[str, Any] | None, current: Mapping[str, Any]) -> list[Change]:
    """The changes from `previous` to `current` (determination JSON), in a fixed order of kinds.

    Nothing is reported for a first verification (`previous` is None) or when either side is not
    a usable answer (not_found, rejected, payer_unavailable): a payer being down is no plan change.
    The `member` block is never read, so no summary can carry a name, birth date or member id.
    """
    if previous is None:
        return []
    if (
        previous.get("status") not in USABLE_STATUSES
        or current.get("status") not in USABLE_STATUSES
    ):
        return []
    changes: list[Change] = []
    _status(previous, current, changes)
    _levels(previous, current, changes)
    _prior_auth(previous, current, changes)
    _fields(previous, current, "plan", _PLAN_FIELDS, changes)
    _fields(previous, current, "payer", _PAYER_FIELDS, changes)
    _accumulator(previous, current, "deductible", "deductible", changes)
    _accumulator(previous, current, "out_of_pocket", "out-of-pocket maximum", changes)
    return changes


def _block(determination: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = determination.get(key)
    return value if isinstance(value, Mapping) else {}


def _status(previous: Mapping[str, Any], current: Mapping[str, Any], out: list[Change]) -> None:
    before, after = previous.get("status"), current.get("status")
    if before == "active" and after == "inactive":
        out.append(
            Change("coverage_lost", "Coverage ended: the plan is no longer active.", before, after)
        )
    elif before == "inactive" and after == "active":
        out.append(
            Change(
                "coverage_regained", "Coverage is active again (it was inactive).", before, after
            )
        )


def _level(determination: Mapping[str, Any], level: str) -> Mapping[str, Any]:
    value = _block(determination, "levels_of_care").get(level)
    return value if isinstance(value, Mapping) else {}


def _levels(previous: Mapping[str, Any], current: Mapping[str, Any], out: list[Change]) -> None:
    for level, kind, label in _IOP_LEVELS:
        before, after = (
            _level(previous, level).get("covered"),
            _level(current, level).get("covered"),
        )
        if before != after:
            out.append(Change(kind, _covered_sentence(label, before, after), before, after))
    before = _block(previous, "dual_diagnosis").get("covered")
    after = _block(current, "dual_diagnosis").get("covered")
    if before != after:
        label = "IOP for mental health and substance use together (dual diagnosis)"
        out.append(
            Change("dual_diagnosis_changed", _covered_sentence(label, before, after), before, after)
        )


def _covered_sentence(label: str, before: Any, after: Any) -> str:
    now, was = _COVERED_WORDS.get(after, "unclear"), _COVERED_WORDS.get(before, "unclear")
    return f"{label} is now {now} (it was {was})."


def _prior_auth(previous: Mapping[str, Any], current: Mapping[str, Any], out: list[Change]) -> None:
    levels = [level for level, _, _ in _IOP_LEVELS]
    before = {level: _level(previous, level).get("prior_auth_required") for level in levels}
    after = {level: _level(current, level).get("prior_auth_required") for level in levels}
    if before == after:
        return
    parts = [
        f"{label[0].lower()}{label[1:]} now {_AUTH_WORDS.get(after[level], 'unclear')}"
        f" (was {_AUTH_WORDS.get(before[level], 'unclear')})"
        for level, _, label in _IOP_LEVELS
        if before[level] != after[level]
    ]
    summary = "Prior authorization changed: " + "; ".join(parts) + "."
    out.append(Change("prior_auth_changed", summary, before, after))


def _fields(
    previous: Mapping[str, Any],
    current: Mapping[str, Any],
    block: str,
    names: tuple[tuple[str, str], ...],
    out: list[Change],
) -> None:
    was, now = _block(previous, block), _block(current, block)
    before = {name: was.get(name) for name, _ in names}
    after = {name: now.get(name) for name, _ in names}
    parts = [
        f"{label} was {before[name]}, now {_shown(after[name])}"
        for name, label in names
        if before[name] is not None and before[name] != after[name]
    ]
    if parts:
        summary = f"The {block} changed: " + "; ".join(parts) + "."
        out.append(Change(f"{block}_changed", summary, before, after))


def _shown(value: Any) -> str:
    return "not stated" if value is None else str(value)


def _accumulator(
    previous: Mapping[str, Any],
    current: Mapping[str, Any],
    key: str,
    label: str,
    out: list[Change],
) -> None:
    was = _block(_block(previous, key), "in_network")
    now = _block(_block(current, key), "in_network")
    for tier in ("individual", "family"):
        before, after = _block(was, tier), _block(now, tier)
        left_before, left_after = _amount(before.get("remaining")), _amount(after.get("remaining"))
        if left_before is None or left_after is None:
            continue
        if left_before > 0 and left_after == 0:
            which = "" if tier == "individual" else "family "
            if _amount(after.get("total")) == 0:
                summary = f"The plan now has no in-network {which}{label}."
            else:
                summary = f"The in-network {which}{label} is now met."
            out.append(Change(f"{key}_met", summary, dict(before), dict(after)))
        return


def _amount(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None
