"""Is the member the payer answered for the person we asked about? A pure comparison.

Rules (what an admissions coordinator would accept as "the same person"):
- The person asked about is the request's dependent patient when it names one, else its
  subscriber; the member id is always the subscriber's (a dependent has none of their own).
- Names match ignoring case, accents, spaces and punctuation ("O'Neil" is "ONEIL", "Mary Ann"
  is "MARYANN"): X12 carries upper-case ASCII and payers drop apostrophes and hyphens.
- Member ids match ignoring case, spaces and hyphens (how they are printed on cards varies).
- Dates of birth match as calendar dates.
- A field either side leaves out is not compared; nothing compared (no member in the answer, or
  an answer without one: not found, rejected, payer unavailable) means unknown (`None`).
- INS03 001 with INS04 25 (the payer corrected the member's demographics) is a difference the
  payer itself reported, `payer_correction`, even when the corrected values look the same.

`differences` hold field names only, never values: they may be logged and shown anywhere.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

__all__ = [
    "FIELDS",
    "PAYER_CORRECTION",
    "Identity",
    "Who",
    "asked_about",
    "compare",
    "identity_notice",
    "identity_of",
]

FIELDS = ("first_name", "last_name", "date_of_birth", "member_id")
PAYER_CORRECTION = "payer_correction"
# Answers that carry no member the payer stands behind: whatever names they echo, unknown.
_NO_MEMBER = frozenset({"not_found", "rejected", "payer_unavailable"})
_WORDS = {
    "first_name": "first name",
    "last_name": "last name",
    "date_of_birth": "date of birth",
    "member_id": "member id",
}


@dataclass(frozen=True, slots=True)
class Who:
    """The identifying fields of one person; None where unknown."""

    first_name: str | None = None
    last_name: str | None = None
    date_of_birth: date | None = None
    member_id: str | None = None


@dataclass(frozen=True, slots=True)
class Identity:
    """`matches` is None when nothing could be compared; `differences` are field names."""

    matches: bool | None
    differences: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {"matches": self.matches, "differences": list(self.differences)}


def _name(value: str) -> str:
    folded = unicodedata.normalize("NFKD", value)
    return "".join(c for c in folded.casefold() if c.isalnum())


def _member_id(value: str) -> str:
    return "".join(c for c in value.casefold() if c not in " -\t")


def _same(field: str, asked: Any, answered: Any) -> bool:
    if field == "date_of_birth":
        return bool(asked == answered)
    if field == "member_id":
        return _member_id(asked) == _member_id(answered)
    return _name(asked) == _name(answered)


def _given(value: Any) -> bool:
    return value is not None and (not isinstance(value, str) or bool(value.strip()))


def compare(asked: Who, answered: Who | None, *, corrected: bool = False) -> Identity:
    """Compare the person asked about with the member answered for, field by field."""
    if answered is None:
        return Identity(None)
    compared, differences = 0, []
    for field in FIELDS:
        mine, theirs = getattr(asked, field), getattr(answered, field)
        if not (_given(mine) and _given(theirs)):
            continue
        compared += 1
        if not _same(field, mine, theirs):
            differences.append(field)
    if corrected:
        differences.append(PAYER_CORRECTION)
    if not compared and not corrected:
        return Identity(None)
    return Identity(not differences, tuple(differences))


def _date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def asked_about(request: Mapping[str, Any]) -> Who:
    """The person a request body asks about: its dependent patient, else its subscriber."""
    subscriber = request.get("subscriber") or {}
    patient = request.get("patient") or subscriber
    return Who(
        first_name=_text(patient.get("first_name")),
        last_name=_text(patient.get("last_name")),
        date_of_birth=_date(patient.get("date_of_birth")),
        member_id=_text(subscriber.get("member_id")),
    )


def _answered_for(determination: Mapping[str, Any]) -> Who | None:
    member = determination.get("member")
    if determination.get("status") in _NO_MEMBER or not isinstance(member, Mapping):
        return None
    return Who(
        first_name=_text(member.get("first_name")),
        last_name=_text(member.get("last_name")),
        date_of_birth=_date(member.get("date_of_birth")),
        member_id=_text(member.get("member_id")),
    )


def identity_of(
    request: Mapping[str, Any],
    determination: Mapping[str, Any] | None,
    *,
    corrected: bool = False,
) -> Identity:
    """The identity check of a request body against a determination JSON: unknown (None) until
    there is a determination, and when its status carries no member. The payer's report of a
    correction is the determination's `member.corrected`; `corrected` stands in for it when the
    determination predates that field."""
    if not determination:
        return Identity(None)
    answered = _answered_for(determination)
    if answered is None:
        return Identity(None)
    reported = (determination.get("member") or {}).get("corrected")
    return compare(
        asked_about(request),
        answered,
        corrected=reported if isinstance(reported, bool) else corrected,
    )


def identity_notice(identity: Identity) -> str | None:
    """One sentence for staff when the payer's member is not the person asked about."""
    fields = [_WORDS[name] for name in identity.differences if name in _WORDS]
    if fields:
        listed = fields[0] if len(fields) == 1 else ", ".join(fields[:-1]) + " and " + fields[-1]
        verb = "differs" if len(fields) == 1 else "differ"
        return (
            f"The payer answered for a different person: {listed} {verb} from the person asked "
            "about. Check the member's card before relying on these benefits."
        )
    if PAYER_CORRECTION in identity.differences:
        return (
            "The payer reports it corrected the member's details: check them against the "
            "member's card before relying on these benefits."
        )
    return None
