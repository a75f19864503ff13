"""Recognise a payer answer's format (X12 271, clearinghouse JSON, FHIR) and read it."""

from __future__ import annotations

import json
from typing import Any

from adapters.clearinghouse.reader import read_clearinghouse
from adapters.fhir.reader import read_fhir
from adapters.x12.reader import read_271
from verifier.domain.model import PayerAnswer, UnreadableAnswer

__all__ = ["UnreadableAnswer", "read_answers"]

_CLEARINGHOUSE_KEYS = frozenset({"benefitsInformation", "errors", "controlNumber", "subscriber"})


def _json_answers(data: Any) -> list[PayerAnswer]:
    if isinstance(data, dict) and data.get("resourceType") == "Bundle":
        resources: list[dict[str, Any]] = [
            entry["resource"]
            for entry in data.get("entry") or []
            if isinstance(entry, dict) and isinstance(entry.get("resource"), dict)
        ]
        found = [r for r in resources if r.get("resourceType") == "CoverageEligibilityResponse"]
        if not found:
            raise UnreadableAnswer("the FHIR bundle holds no CoverageEligibilityResponse")
        return [read_fhir(r) for r in found]
    if isinstance(data, dict) and "resourceType" in data:
        return [read_fhir(data)]
    if isinstance(data, dict) and _CLEARINGHOUSE_KEYS.intersection(data):
        return [read_clearinghouse(data)]
    if isinstance(data, list) and data and all(isinstance(item, dict) for item in data):
        return [answer for item in data for answer in _json_answers(item)]
    raise UnreadableAnswer("JSON that is neither a clearinghouse eligibility response nor FHIR")


def read_answers(raw: str | bytes) -> list[PayerAnswer]:
    """Every patient answer in the input, whatever its format. Raises UnreadableAnswer."""
    text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith("ISA"):
        return read_271(stripped)
    if stripped.startswith(("{", "[")):
        try:
            data = json.loads(stripped)
        except (ValueError, RecursionError) as error:
            raise UnreadableAnswer(f"malformed JSON ({type(error).__name__})") from None
        return _json_answers(data)
    if not stripped:
        raise UnreadableAnswer("the input is empty")
    raise UnreadableAnswer("not an X12 271, a clearinghouse JSON response or a FHIR resource")
