"""What each protocol's answer looks like on the wire, before anyone reads what it says.

A 200 that is not the envelope (a proxy's page, a gateway's own message, a body cut short) says
nothing about the member and is retried like a 5xx; one that is, whatever it holds, is the
payer's answer. Each check returns what the envelope lacks, or None.
"""

from __future__ import annotations

from typing import Any

__all__ = ["eligibility_envelope", "fhir_envelope", "x12_envelope"]


def x12_envelope(answer: Any) -> str | None:
    text = answer.get("x12") if isinstance(answer, dict) else None
    return None if isinstance(text, str) and text.strip() else "no 271 in an x12 field"


# Every eligibility v3 response carries some of these; an object with none (an API gateway's
# {"message": "..."}) is not the clearinghouse's answer.
_ELIGIBILITY_FIELDS = frozenset(
    {"benefitsInformation", "errors", "controlNumber", "subscriber", "payer", "planStatus"}
)


def eligibility_envelope(answer: Any) -> str | None:
    if isinstance(answer, dict) and _ELIGIBILITY_FIELDS.intersection(answer):
        return None
    return "not an eligibility response object"


def fhir_envelope(answer: Any) -> str | None:
    if isinstance(answer, dict) and isinstance(answer.get("resourceType"), str):
        return None
    return "not a FHIR resource"
