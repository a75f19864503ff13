"""Who an inquiry sent to the mock clearinghouse asks about, so that its answer names them.

A 270's subscriber is the first NM1*IL with a member id (NM109), with the DMG of its loop; a
dependent patient is NM1*03 with its DMG. The eligibility v3 JSON request says the same in
`subscriber` and the first of `dependents`. A field the inquiry leaves out, or writes in a form
that cannot be read, is None, and the scenario keeps its own. These are a member's PHI: nothing
here logs them, and `AskedAbout` does not show them in its repr.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from adapters.x12.tokens import interchanges
from verifier.domain.identity import Who

__all__ = ["AskedAbout", "asked_in_270", "asked_in_json"]

_D8 = re.compile(r"\d{8}")


@dataclass(frozen=True, slots=True, repr=False)
class AskedAbout:
    """The subscriber (with the member id that picks the scenario) and the dependent patient."""

    subscriber: Who | None = None
    patient: Who | None = None

    @property
    def member_id(self) -> str | None:
        return self.subscriber.member_id if self.subscriber else None


def _d8(value: Any) -> date | None:
    if not isinstance(value, str) or not _D8.fullmatch(value.strip()):
        return None
    text = value.strip()
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def asked_in_270(x12_270: str) -> AskedAbout:
    """The people a 270 asks about; raises X12Error on text that is no X12 interchange."""
    found: dict[str, Who] = {}
    current: str | None = None  # the qualifier of the person whose loop this is
    for seps, segments in interchanges(x12_270):
        for segment in segments:
            e = [part.strip() for part in segment.split(seps.element)] + [""] * 10
            if e[0] == "HL" or e[0] == "NM1":
                current = None
            if e[0] == "NM1" and e[1] in ("IL", "03") and e[1] not in found:
                member_id = _text(e[9]) if e[1] == "IL" else None
                if e[1] == "03" or member_id:
                    current = e[1]
                    found[current] = Who(_text(e[4]), _text(e[3]), None, member_id)
            elif e[0] == "DMG" and current and e[1] == "D8":
                found[current] = replace(found[current], date_of_birth=_d8(e[2]))
    return AskedAbout(found.get("IL"), found.get("03"))


def _person(value: Any, member_id: str | None = None) -> Who | None:
    if not isinstance(value, Mapping):
        return None
    names = _text(value.get("firstName")), _text(value.get("lastName"))
    return Who(*names, _d8(value.get("dateOfBirth")), member_id)


def asked_in_json(request: Mapping[str, Any]) -> AskedAbout:
    """The people an eligibility v3 JSON request asks about."""
    subscriber = request.get("subscriber")
    member_id = _text(subscriber.get("memberId")) if isinstance(subscriber, Mapping) else None
    dependents = request.get("dependents")
    first = dependents[0] if isinstance(dependents, list) and dependents else None
    return AskedAbout(_person(subscriber, member_id), _person(first))
