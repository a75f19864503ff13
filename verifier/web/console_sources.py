"""Where each value on a verification came from: the payer's electronic answer or a phone call."""

from __future__ import annotations

from typing import Any

from verifier.web.console_view import LEVELS, tri, when

_SOURCED = (
    ("covered", "Covered", ("Covered", "Not covered")),
    ("prior_auth_required", "Prior authorization", ("Required", "Not required")),
)
ELECTRONIC = "The payer's electronic answer"
_PHONE_ONLY = (
    ("prior_auth_phone", "Prior authorization phone"),
    ("day_limit", "Day limit"),
    ("visit_limit", "Visit limit"),
)


def _by_phone(confirmed: dict[str, Any]) -> str:
    who = confirmed.get("recorded_by") or "staff"
    parts = [f"Phone call, recorded by {who} on {when(confirmed.get('recorded_at'))[:10]}"]
    if confirmed.get("representative"):
        parts.append(f"representative {confirmed['representative']}")
    if confirmed.get("call_reference"):
        parts.append(f"call reference {confirmed['call_reference']}")
    return "; ".join(parts)


def sources(determination: dict[str, Any]) -> list[dict[str, str]]:
    """Each level's coverage and prior authorization, and what calls added, with where each
    value came from: the payer's electronic answer or a phone call (who, representative,
    reference). Empty when no call was recorded: then every value is the payer's."""
    levels = determination.get("levels_of_care") or {}
    if not any((levels.get(name) or {}).get("confirmed_by_phone") for name, _ in LEVELS):
        return []
    rows = []
    for name, label in LEVELS:
        level = levels.get(name) or {}
        confirmed = level.get("confirmed_by_phone") or {}
        for field, what, words in _SOURCED:
            value = tri(level.get(field), *words)["text"]
            source = _by_phone(confirmed[field]) if field in confirmed else ELECTRONIC
            rows.append({"level": label, "what": what, "value": value, "source": source})
        for field, what in _PHONE_ONLY:
            if field in confirmed:
                by = _by_phone(confirmed[field])
                value = str(confirmed[field]["value"])
                rows.append({"level": label, "what": what, "value": value, "source": by})
    return rows
