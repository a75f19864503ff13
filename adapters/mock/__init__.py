"""The mock payer (`MOCK`): real 271s through the same reader, one scenario per member id.

Like a real payer, it answers for the person it was asked about: the scenario's names and dates
of birth are replaced with the request's, except in `MOCK-OTHER-MEMBER`, which answers for
someone else so that the identity check has something to flag. The mock clearinghouse echoes
the same way, from the person it reads in the inquiry it was sent (`Asked`, `Named`).
"""

from __future__ import annotations

import re
import time
import unicodedata
from datetime import date
from functools import cache
from importlib import resources
from typing import Protocol

from adapters.base import PayerResponse, PayerTimeout
from adapters.x12.reader import read_271
from verifier.domain.request import VerificationRequest

__all__ = ["SCENARIOS", "Asked", "MockAdapter", "Named", "echo", "scenario_271"]

SCENARIOS = (
    "MOCK-IOP-DUAL",
    "MOCK-MH-ONLY",
    "MOCK-SUD-ONLY",
    "MOCK-INACTIVE",
    "MOCK-NOT-FOUND",
    "MOCK-CARVE-OUT",
    "MOCK-HMO",
    "MOCK-DEPENDENT",
    "MOCK-DEDUCTIBLE-MET",
    "MOCK-PAYER-DOWN",
    "MOCK-OTHER-MEMBER",
    "MOCK-MEDICARE",
    "MOCK-MEDICARE-ADVANTAGE",
    "MOCK-MEDICAID-OTHER",
    "MOCK-MULTI-PLAN",
    "MOCK-GENERAL-MH",
)
TIMEOUT_SCENARIO = "MOCK-TIMEOUT"
# Scenarios that answer for the member in the file, whoever was asked about.
NOT_ECHOED = frozenset({"MOCK-OTHER-MEMBER"})
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class Named(Protocol):
    """A person as echoed: a field that is None (or blank) keeps the scenario's own."""

    @property
    def first_name(self) -> str | None: ...

    @property
    def last_name(self) -> str | None: ...

    @property
    def date_of_birth(self) -> date | None: ...


class Asked(Protocol):
    """Who an inquiry asks about: a `VerificationRequest`, or what an inquiry on the wire says."""

    @property
    def subscriber(self) -> Named | None: ...

    @property
    def patient(self) -> Named | None: ...


def scenario_271(member_id: str, asked: Asked | None = None) -> str:
    """The 271 the mock payer answers for a member id; unknown members are not found. With
    `asked`, the answer names the person asked about (see the module docstring)."""
    name = member_id if member_id in SCENARIOS else "MOCK-NOT-FOUND"
    raw = _scenario(name)
    return raw if asked is None or name in NOT_ECHOED else echo(raw, asked)


def _x12_text(value: str, unsafe: str) -> str:
    """A name as a payer writes it: upper-case ASCII without the interchange's separators."""
    folded = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    kept = "".join(c for c in _CONTROL.sub("", folded) if c not in unsafe)
    return " ".join(kept.split()).upper()


def echo(raw: str, asked: Asked) -> str:
    """The 271 with the subscriber's (2100C) and the dependent patient's (2100D) names and
    dates of birth replaced by those asked about, where given; separators are the ISA's own."""
    element, repetition, component, terminator = raw[3], raw[82], raw[104], raw[105]
    unsafe = element + repetition + component + terminator
    people = {"22": asked.subscriber, "23": asked.patient}
    level, segments = "", raw.split(terminator)
    for index, segment in enumerate(segments):
        e = segment.strip().split(element)
        if e[0] == "HL" and len(e) > 3:
            level = e[3]
        person = people.get(level)
        if person is None:
            continue
        if e[0] == "NM1" and len(e) > 4 and e[1] in ("IL", "03"):
            last, first = person.last_name, person.first_name
            e[3] = _x12_text(last, unsafe) if last and last.strip() else e[3]
            e[4] = _x12_text(first, unsafe) if first and first.strip() else e[4]
        elif e[0] == "DMG" and len(e) > 2 and e[1] == "D8" and person.date_of_birth is not None:
            e[2] = person.date_of_birth.strftime("%Y%m%d")
        else:
            continue
        lead = segment[: len(segment) - len(segment.lstrip())]
        segments[index] = lead + element.join(e)
    return terminator.join(segments)


@cache  # a handful of small files that ship with the package and never change
def _scenario(name: str) -> str:
    return (resources.files(__package__) / "scenarios" / f"{name}.271").read_text("utf-8")


class MockAdapter:
    """Answers from bundled scenarios; `MOCK-TIMEOUT` waits out the deadline and times out."""

    def __init__(self, timeout_seconds: float = 1.0) -> None:
        self.timeout_seconds = timeout_seconds

    def check(self, request: VerificationRequest) -> PayerResponse:
        member_id = request.subscriber.member_id
        if member_id == TIMEOUT_SCENARIO:
            time.sleep(self.timeout_seconds)
            raise PayerTimeout(f"the payer did not answer within {self.timeout_seconds:g} seconds")
        raw = scenario_271(member_id, request)
        return PayerResponse(raw=raw, format="x12", answers=read_271(raw))
