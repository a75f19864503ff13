"""What the console and the VOB show, worked out from a stored record's determination JSON.

Pure functions over plain dicts: the templates only print the strings made here.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from verifier.domain.identity import FIELDS, PAYER_CORRECTION, asked_about, identity_notice
from verifier.domain.summary import PERIOD_WORDS, money, percent, phone
from verifier.records import VerificationRecord

LEVELS = (
    ("iop_mental_health", "IOP: mental health"),
    ("iop_substance_use", "IOP: substance use"),
    ("php_mental_health", "PHP: mental health"),
    ("php_substance_use", "PHP: substance use"),
)
BADGES = (
    ("iop_mental_health", "Mental health IOP"),
    ("iop_substance_use", "Substance use IOP"),
    ("dual_diagnosis", "Dual diagnosis"),
)
# Summary lines that say whom to call (the determination JSON keeps no contact of its own).
_CALL_LINES = (
    "For prior authorization, call",
    "Behavioral health benefits are managed by",
    "Worth a phone call to confirm",
)


def tri(value: bool | None, yes: str = "Covered", no: str = "Not covered") -> dict[str, str]:
    """A yes/no/unknown as words, a symbol and a CSS class, so colour is never the only cue."""
    if value is True:
        return {"text": yes, "symbol": "✓", "css": "yes"}
    if value is False:
        return {"text": no, "symbol": "✗", "css": "no"}
    return {"text": "Unknown", "symbol": "?", "css": "unknown"}


def when(value: datetime | date | str | None) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):
        # Stored times are UTC (a naive one from SQLite is UTC too).
        aware = value.astimezone(UTC) if value.tzinfo is not None else value
        return aware.strftime("%Y-%m-%d %H:%M UTC")
    return value.isoformat()


def _decimal(value: Any) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


BASIS_WORDS = {
    "procedure": "the program's own code",
    "facility_service_type": "outpatient facility benefit",
    "general_service_type": "general benefit; IOP price to confirm",
    "plan": "plan-wide; IOP price to confirm",
}
ROLE_WORDS = {
    "primary": "Bill first (primary payer)",
    "medicare_advantage": "Bill first (Medicare Advantage plan, instead of Medicare)",
    "secondary": "Secondary payer",
    "tertiary": "Third payer",
    "other": "Other coverage (order not stated)",
}


def terms(value: dict[str, Any] | None) -> str:
    """One network's cost share in words, with what it rests on."""
    if value is None:
        return "Not stated"
    basis = BASIS_WORDS.get(value.get("basis") or "")
    said = _cost_share(value)
    return f"{said} ({basis})" if basis and value.get("covered") is not False else said


def _cost_share(value: dict[str, Any]) -> str:
    if value.get("covered") is False:
        return "Not covered"
    parts = []
    copay, coinsurance = _decimal(value.get("copay")), _decimal(value.get("coinsurance"))
    if copay is not None:
        unit = value.get("copay_unit")
        parts.append(f"{money(copay)} copay" + (f" per {unit}" if unit else ""))
    if coinsurance is not None:
        parts.append(f"{percent(coinsurance)} coinsurance")
    return " + ".join(parts) if parts else "Covered, cost share not stated"


def limits(items: list[dict[str, Any]]) -> str:
    texts = []
    for item in items:
        quantity = _decimal(item.get("quantity"))
        amount = f"{quantity.normalize():f}" if quantity is not None else "Some"
        if item.get("unit") == "dollars" and quantity is not None:
            amount = money(quantity)
        else:
            amount += f" {item.get('unit') or 'units'}"
        period = item.get("period")
        texts.append(f"{amount} {PERIOD_WORDS[period]}" if period in PERIOD_WORDS else amount)
    return "; ".join(texts) if texts else "None stated"


def badges(determination: dict[str, Any] | None) -> list[dict[str, str]]:
    if not determination:
        return []
    levels = determination.get("levels_of_care") or {}
    found = []
    for name, label in BADGES:
        source = determination.get(name) if name == "dual_diagnosis" else levels.get(name)
        found.append({"label": label, **tri((source or {}).get("covered"))})
    return found


def level_rows(determination: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per level of care: covered, cost share in and out of network, limits, auth."""
    rows = []
    levels = determination.get("levels_of_care") or {}
    for name, label in LEVELS:
        level = levels.get(name) or {}
        rows.append(
            {
                "name": name,
                "label": label,
                "covered": tri(level.get("covered")),
                "in_network": terms(level.get("in_network")),
                "out_of_network": terms(level.get("out_of_network")),
                "network_not_stated": terms(level["network_not_stated"])
                if level.get("network_not_stated")
                else None,
                "limits": limits(level.get("limits") or []),
                "prior_auth": tri(level.get("prior_auth_required"), "Required", "Not required"),
                "basis": level.get("basis") or "none",
                "notes": list(level.get("notes") or []),
                "evidence": list(level.get("evidence") or []),
            }
        )
    return rows


def _meter(label: str, figure: dict[str, Any] | None) -> dict[str, Any] | None:
    if not figure:
        return None
    total, remaining = _decimal(figure.get("total")), _decimal(figure.get("remaining"))
    meter: dict[str, Any] = {"label": label, "total": None, "met": None, "progress": False}
    if total is not None and remaining is not None and total > 0:
        met = max(total - remaining, Decimal(0))
        meter.update(total=str(total), met=str(min(met, total)), progress=True)
        meter["text"] = f"{money(met)} met of {money(total)}; {money(remaining)} left"
    elif total == 0:
        meter["text"] = "None"
    elif total is not None:
        meter["text"] = f"{money(total)} total; amount met not stated"
    elif remaining is not None:
        meter["text"] = f"{money(remaining)} left; total not stated"
    else:
        return None
    return meter


def meters(accumulators: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Progress toward a deductible or out-of-pocket maximum, per network and tier."""
    found = []
    for network, where in (
        ("in_network", "In network"),
        ("out_of_network", "Out of network"),
        ("network_not_stated", "Network not stated by the payer"),
    ):
        tiers = (accumulators or {}).get(network) or {}
        for tier in ("individual", "family"):
            meter = _meter(f"{where}, {tier}", tiers.get(tier))
            if meter is not None:
                found.append(meter)
    return found


def payer_order(determination: dict[str, Any] | None) -> list[str]:
    """The other payers the answer names, whom to bill first first."""
    lines = []
    for other in (determination or {}).get("other_payers") or []:
        role = ROLE_WORDS.get(other.get("role") or "", ROLE_WORDS["other"])
        details = [str(other[key]) for key in ("plan", "member_id") if other.get(key)] + (
            [phone(other["phone"])] if other.get("phone") else []
        )
        more = f" ({', '.join(details)})" if details else ""
        lines.append(f"{role}: {other.get('name') or 'not named'}{more}.")
    return lines


def calls(record: VerificationRecord) -> list[str]:
    """Whom to bill and call: other payers in order, the summary's contact lines and the
    behavioral-health administrator."""
    lines = payer_order(record.determination) + [
        line.strip()
        for line in (record.summary or "").splitlines()
        if line.strip().startswith(_CALL_LINES)
    ]
    admin = (record.determination or {}).get("behavioral_health_administrator")
    if admin and not any(line.startswith(_CALL_LINES[1]) for line in lines):
        reach = admin.get("name") or "another organisation"
        if admin.get("phone"):
            reach += f" at {phone(admin['phone'])}"
        lines.append(f"Behavioral health benefits are managed by {reach}.")
    return lines


def person(data: dict[str, Any] | None) -> str:
    data = data or {}
    return " ".join(str(data[p]) for p in ("first_name", "last_name") if data.get(p)) or "—"


def member_name(record: VerificationRecord) -> str:
    """The payer's name for the member when it answered, else the name the caller sent."""
    member = (record.determination or {}).get("member") or {}
    if member.get("first_name") or member.get("last_name"):
        return person(member)
    return person(record.request.get("patient") or record.request.get("subscriber"))


_FIELD_LABELS = {
    "first_name": "First name",
    "last_name": "Last name",
    "date_of_birth": "Date of birth",
    "member_id": "Member id",
}


def identity_flag(record: VerificationRecord) -> dict[str, Any] | None:
    """How a page flags that the payer answered for someone other than the person asked about:
    a short label, the sentence, and the differing fields side by side. None when it matches
    or is unknown."""
    identity = record.identity
    notice = identity_notice(identity)
    if identity.matches is not False or notice is None:
        return None
    asked = asked_about(record.request)
    member = (record.determination or {}).get("member") or {}
    rows = [
        {
            "label": _FIELD_LABELS[name],
            "asked": when(getattr(asked, name)),
            "answered": when(member.get(name)),
        }
        for name in FIELDS
        if name in identity.differences
    ]
    only_corrected = identity.differences == (PAYER_CORRECTION,)
    return {
        "short": "Details corrected by the payer" if only_corrected else "Different person",
        "text": notice,
        "rows": rows,
    }


def list_row(record: VerificationRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "created": when(record.created_at),
        "member_id": record.member_id,
        "name": member_name(record),
        "asked": asked_person(record),
        "payer_id": record.payer_id,
        "state": record.state,
        "status": record.status or "—",
        "badges": badges(record.determination),
        "identity": identity_flag(record),
    }


def change_rows(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "when": when(item.get("created_at")),
            "kind": str(item.get("kind") or "").replace("_", " "),
            "summary": item.get("summary") or "",
            "verification_id": item.get("verification_id"),
            "previous_id": item.get("previous_verification_id"),
        }
        for item in items
    ]


def asked_person(record: VerificationRecord) -> dict[str, str]:
    """The person staff or the intake form asked about, as they entered them: name and birth
    date (the payer may have answered for someone else; see `identity_flag`)."""
    asked = asked_about(record.request)
    name = " ".join(part for part in (asked.first_name, asked.last_name) if part) or "—"
    return {"name": name, "date_of_birth": when(asked.date_of_birth)}
