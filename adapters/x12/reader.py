"""Read X12 271 eligibility answers (005010X279A1, and 4010 for status, member and plan).

One pass over the segments; each EB starts a benefit that owns the HSD, REF, DTP, AAA, MSG and
III after it, and the LS/LE-wrapped 2120 entities. The HL hierarchy decides whose benefits they are.
Handlers get a segment's elements stripped of surrounding whitespace and padded with "" to
_WIDTH, so that `e[9]` is "" when the payer sent fewer elements.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from adapters.x12.tokens import Separators, X12Error, interchanges, needs_strip
from verifier.domain.dates import parse_date
from verifier.domain.model import (
    Benefit,
    Delivery,
    Entity,
    PayerAnswer,
    Person,
    Rejection,
    figure,
)

__all__ = ["X12Error", "parse_date", "read_271"]

_LOOPS = {"20": "2100A", "21": "2100B", "22": "2100C", "23": "2100D"}
_WIDTH = 14  # EB13 is the last element a handler reads
_BLANK = [""] * _WIDTH


def _service_types(value: str, repetition: str | None) -> tuple[str, ...]:
    """EB03: one service type, or several joined by the repetition separator (5010)."""
    if not value:
        return ()
    if repetition is None or repetition not in value:
        return (value,)
    types = tuple(value.split(repetition))
    return tuple(filter(None, types)) if "" in types else types


@dataclass(slots=True)
class _Member:
    """One HL 22 or 23 level while it is being read."""

    person: Person
    level: str
    parent: str | None
    benefits: list[Benefit] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)


@dataclass(slots=True)
class _Transaction:
    version: str | None
    payer_name: str | None = None
    payer_id: str | None = None
    payer_phone: str | None = None
    payer_named: bool = False
    rejections: list[Rejection] = field(default_factory=list)
    members: dict[str, _Member] = field(default_factory=dict)

    def answers(self) -> list[PayerAnswer]:
        def base() -> PayerAnswer:
            return PayerAnswer(
                format="x12",
                payer_name=self.payer_name,
                payer_id=self.payer_id,
                payer_phone=self.payer_phone,
                rejections=list(self.rejections),
                version=self.version,
            )

        parents = {m.parent for m in self.members.values() if m.level == "23"}
        out: list[PayerAnswer] = []
        for hl_id, member in self.members.items():
            if member.level == "22" and hl_id in parents:
                continue
            answer = base()
            if member.level == "23":
                subscriber = self.members.get(member.parent or "")
                answer.dependent = member.person
                if subscriber is not None:
                    answer.subscriber = subscriber.person
                    answer.rejections += subscriber.rejections
                    answer.benefits = list(subscriber.benefits)
                    if not member.person.member_id:
                        member.person.member_id = subscriber.person.member_id
                    if not member.person.group_number:
                        member.person.group_number = subscriber.person.group_number
                answer.benefits = member.benefits or answer.benefits
            else:
                answer.subscriber = member.person
                answer.benefits = member.benefits
            answer.rejections += member.rejections
            out.append(answer)
        return out or [base()]


class _Reader:
    """The state of one pass over one transaction set."""

    def __init__(self, seps: Separators, version: str | None) -> None:
        self.seps = seps
        self.tx = _Transaction(version)
        self.level = ""
        self.member: _Member | None = None
        self.benefit: Benefit | None = None
        self.entity: Entity | None = None
        self.in_2120 = False

    def hl(self, raw: str, e: list[str]) -> None:
        self.level, self.benefit, self.in_2120 = e[3], None, False
        if self.level in ("22", "23"):
            person = Person(relationship_code="18" if self.level == "22" else None)
            self.member = _Member(person, self.level, e[2] or None)
            self.tx.members[e[1] or str(len(self.tx.members))] = self.member
        else:
            self.member = None

    def nm1(self, raw: str, e: list[str]) -> None:
        if self.in_2120 and self.benefit is not None:
            name = " ".join(p for p in (e[4], e[3]) if p) if e[2] == "1" else None
            self.entity = Entity(e[1] or None, name or e[3] or None, e[8] or None, e[9] or None)
            self.benefit.entities.append(self.entity)
        elif self.level == "20":
            self.tx.payer_name, self.tx.payer_id = e[3] or None, e[9] or None
            self.tx.payer_named = True
        elif self.member is not None and self.benefit is None:
            person = self.member.person
            person.last_name, person.first_name = e[3] or None, e[4] or None
            person.member_id = e[9] or person.member_id

    def per(self, raw: str, e: list[str]) -> None:
        phone = next((e[i + 1] for i in (3, 5, 7) if e[i] == "TE" and e[i + 1]), None)
        if self.in_2120 and self.entity is not None:
            self.entity.phone = phone or self.entity.phone
        elif self.level == "20" and phone:
            self.tx.payer_phone = phone

    def aaa(self, raw: str, e: list[str]) -> None:
        code, follow_up = e[3] or None, e[4] or None
        if self.benefit is not None and not self.in_2120:
            loop = "2110D" if self.level == "23" else "2110C"
            self.benefit.rejections.append(Rejection(code, follow_up, loop))
            return
        loop = _LOOPS.get(self.level, "2000A")
        if self.level == "20" and not self.tx.payer_named:
            loop = "2000A"
        rejection = Rejection(code, follow_up, loop)
        if self.member is not None:
            self.member.rejections.append(rejection)
        else:
            self.tx.rejections.append(rejection)

    def ref(self, raw: str, e: list[str]) -> None:
        if self.benefit is not None:
            self.benefit.refs.append((e[1], e[2]))
        elif self.member is not None and e[1] in ("6P", "1L", "IG") and e[2]:
            self.member.person.group_number = self.member.person.group_number or e[2]

    def dmg(self, raw: str, e: list[str]) -> None:
        if self.member is not None and self.benefit is None and e[1] == "D8":
            self.member.person.date_of_birth = parse_date(e[2])

    def ins(self, raw: str, e: list[str]) -> None:
        if self.member is not None and self.benefit is None:
            person = self.member.person
            person.relationship_code = e[2] or person.relationship_code
            person.corrected = e[3] == "001" and e[4] == "25"

    def dtp(self, raw: str, e: list[str]) -> None:
        value = (e[1], e[3])
        if self.benefit is not None:
            self.benefit.dates.append(value)
        elif self.member is not None:
            self.member.person.dates.append(value)

    def eb(self, raw: str, e: list[str]) -> None:
        if self.member is None:
            return
        code, level, types, insurance, plan, period, amount, percent, qualifier, quantity = e[1:11]
        auth, network, procedure = e[11:14]
        parts = procedure.split(self.seps.component) if procedure else ()
        # Positional, in Benefit's field order (EB01 to EB13's, then its lists and evidence):
        # keywords and default factories would cost half as much again, fifty times a file.
        self.benefit = Benefit(
            code,
            level or None,
            _service_types(types, self.seps.repetition),
            insurance or None,
            plan or None,
            period or None,
            figure(amount) if amount else None,
            figure(percent) if percent else None,
            qualifier or None,
            figure(quantity) if quantity else None,
            auth or None,
            network or None,
            f"{parts[0]}:{parts[1]}" if len(parts) > 1 and parts[1] else None,
            [],  # messages
            [],  # refs
            [],  # dates
            [],  # places_of_service
            [],  # deliveries
            [],  # entities
            [],  # rejections
            raw,  # evidence
        )
        self.in_2120, self.entity = False, None
        self.member.benefits.append(self.benefit)

    def msg(self, raw: str, e: list[str]) -> None:
        if self.benefit is not None and e[1]:
            self.benefit.messages.append(e[1])

    def iii(self, raw: str, e: list[str]) -> None:
        if self.benefit is not None and e[1] == "ZZ" and e[2]:
            self.benefit.places_of_service.append(e[2])

    def hsd(self, raw: str, e: list[str]) -> None:
        if self.benefit is not None:
            self.benefit.deliveries.append(
                Delivery(e[1] or None, figure(e[2]), e[3] or None, e[5] or None, figure(e[6]))
            )

    def ls(self, raw: str, e: list[str]) -> None:
        self.in_2120 = True

    def le(self, raw: str, e: list[str]) -> None:
        self.in_2120, self.entity = False, None


_HANDLERS = {
    "HL": _Reader.hl,
    "NM1": _Reader.nm1,
    "PER": _Reader.per,
    "AAA": _Reader.aaa,
    "REF": _Reader.ref,
    "DMG": _Reader.dmg,
    "INS": _Reader.ins,
    "DTP": _Reader.dtp,
    "EB": _Reader.eb,
    "MSG": _Reader.msg,
    "III": _Reader.iii,
    "HSD": _Reader.hsd,
    "LS": _Reader.ls,
    "LE": _Reader.le,
}


def read_271(raw: str | bytes) -> list[PayerAnswer]:
    """Read every transaction set of every interchange into one PayerAnswer per patient.

    Raises X12Error on text that is not a 271 interchange.
    """
    answers: list[PayerAnswer] = []
    handlers = _HANDLERS
    for seps, segments in interchanges(raw):
        separator, strip = seps.element, needs_strip(segments, seps.element)
        version: str | None = None
        reader: _Reader | None = None
        for raw_segment in segments:
            elements = raw_segment.split(separator)
            tag = elements[0]  # as sent: "EB " is no EB
            if strip:
                elements = [element.strip() for element in elements]
            elements += _BLANK[len(elements) :]
            handler = handlers.get(tag)
            if handler is not None:
                if reader is not None:
                    handler(reader, raw_segment, elements)
            elif tag == "GS":
                version = elements[8] or None
            elif tag == "ST":
                if elements[1] != "271":
                    kind = elements[1] or "unknown"
                    raise X12Error(f"transaction set {kind} is not a 271 eligibility answer")
                reader = _Reader(seps, elements[3] or version)
            elif tag == "SE":
                if reader is not None:
                    answers += reader.tx.answers()
                reader = None
        if reader is not None:
            answers += reader.tx.answers()
    if not answers:
        raise X12Error("the interchange holds no 271 transaction set")
    return answers
