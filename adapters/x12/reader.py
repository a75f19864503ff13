"""Read X12 271 eligibility answers (005010X279A1, and 4010 for status, member and plan).

One pass over the segments; each EB starts a benefit that owns the HSD, REF, DTP, AAA, MSG and
III after it, and the LS/LE-wrapped 2120 entities. The HL hierarchy decides whose benefits they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from adapters.x12.tokens import Separators, X12Error, interchanges
from verifier.domain.dates import parse_date
from verifier.domain.model import Benefit, Delivery, Entity, PayerAnswer, Person, Rejection

__all__ = ["X12Error", "parse_date", "read_271"]

_LOOPS = {"20": "2100A", "21": "2100B", "22": "2100C", "23": "2100D"}


def _decimal(value: str) -> Decimal | None:
    if not value:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _at(elements: list[str], index: int) -> str:
    return elements[index].strip() if len(elements) > index else ""


def _opt(elements: list[str], index: int) -> str | None:
    return _at(elements, index) or None


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
    """The state of one pass over one interchange."""

    def __init__(self, seps: Separators, version: str | None) -> None:
        self.seps = seps
        self.tx = _Transaction(version)
        self.level = ""
        self.member: _Member | None = None
        self.benefit: Benefit | None = None
        self.entity: Entity | None = None
        self.in_2120 = False

    def segment(self, raw: str, elements: list[str]) -> None:
        tag = elements[0]
        handler = _HANDLERS.get(tag)
        if handler is not None:
            handler(self, raw, elements)

    def hl(self, raw: str, e: list[str]) -> None:
        self.level, self.benefit, self.in_2120 = _at(e, 3), None, False
        if self.level in ("22", "23"):
            person = Person(relationship_code="18" if self.level == "22" else None)
            self.member = _Member(person, self.level, _opt(e, 2))
            self.tx.members[_at(e, 1) or str(len(self.tx.members))] = self.member
        else:
            self.member = None

    def nm1(self, raw: str, e: list[str]) -> None:
        if self.in_2120 and self.benefit is not None:
            name = " ".join(p for p in (_at(e, 4), _at(e, 3)) if p) if _at(e, 2) == "1" else None
            self.entity = Entity(_opt(e, 1), name or _opt(e, 3), _opt(e, 8), _opt(e, 9))
            self.benefit.entities.append(self.entity)
        elif self.level == "20":
            self.tx.payer_name, self.tx.payer_id = _opt(e, 3), _opt(e, 9)
            self.tx.payer_named = True
        elif self.member is not None and self.benefit is None:
            person = self.member.person
            person.last_name, person.first_name = _opt(e, 3), _opt(e, 4)
            person.member_id = _opt(e, 9) or person.member_id

    def per(self, raw: str, e: list[str]) -> None:
        phone = next(
            (_at(e, i + 1) for i in (3, 5, 7) if _at(e, i) == "TE" and _at(e, i + 1)), None
        )
        if self.in_2120 and self.entity is not None:
            self.entity.phone = phone or self.entity.phone
        elif self.level == "20" and phone:
            self.tx.payer_phone = phone

    def aaa(self, raw: str, e: list[str]) -> None:
        code, follow_up = _opt(e, 3), _opt(e, 4)
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
            self.benefit.refs.append((_at(e, 1), _at(e, 2)))
        elif self.member is not None and _at(e, 1) in ("6P", "1L", "IG") and _at(e, 2):
            self.member.person.group_number = self.member.person.group_number or _at(e, 2)

    def dmg(self, raw: str, e: list[str]) -> None:
        if self.member is not None and self.benefit is None and _at(e, 1) == "D8":
            self.member.person.date_of_birth = parse_date(_at(e, 2))

    def ins(self, raw: str, e: list[str]) -> None:
        if self.member is not None and self.benefit is None:
            person = self.member.person
            person.relationship_code = _opt(e, 2) or person.relationship_code
            person.corrected = _at(e, 3) == "001" and _at(e, 4) == "25"

    def dtp(self, raw: str, e: list[str]) -> None:
        value = (_at(e, 1), _at(e, 3))
        if self.benefit is not None:
            self.benefit.dates.append(value)
        elif self.member is not None:
            self.member.person.dates.append(value)

    def eb(self, raw: str, e: list[str]) -> None:
        if self.member is None:
            return
        rep = self.seps.repetition
        stc = _at(e, 3)
        procedure = _at(e, 13).split(self.seps.component)
        self.benefit = Benefit(
            code=_at(e, 1),
            coverage_level=_opt(e, 2),
            service_types=tuple(s for s in (stc.split(rep) if rep else [stc]) if s),
            insurance_type=_opt(e, 4),
            plan_description=_opt(e, 5),
            time_period=_opt(e, 6),
            amount=_decimal(_at(e, 7)),
            percent=_decimal(_at(e, 8)),
            quantity_qualifier=_opt(e, 9),
            quantity=_decimal(_at(e, 10)),
            auth_required=_opt(e, 11),
            network=_opt(e, 12),
            procedure=":".join(procedure[:2]) if len(procedure) > 1 and procedure[1] else None,
            evidence=raw,
        )
        self.in_2120, self.entity = False, None
        self.member.benefits.append(self.benefit)

    def msg(self, raw: str, e: list[str]) -> None:
        if self.benefit is not None and _at(e, 1):
            self.benefit.messages.append(_at(e, 1))

    def iii(self, raw: str, e: list[str]) -> None:
        if self.benefit is not None and _at(e, 1) == "ZZ" and _at(e, 2):
            self.benefit.places_of_service.append(_at(e, 2))

    def hsd(self, raw: str, e: list[str]) -> None:
        if self.benefit is not None:
            self.benefit.deliveries.append(
                Delivery(
                    _opt(e, 1), _decimal(_at(e, 2)), _opt(e, 3), _opt(e, 5), _decimal(_at(e, 6))
                )
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
    for seps, segments in interchanges(raw):
        version: str | None = None
        reader: _Reader | None = None
        for raw_segment in segments:
            elements = raw_segment.split(seps.element)
            tag = elements[0]
            if tag == "GS":
                version = _opt(elements, 8)
            elif tag == "ST":
                if _at(elements, 1) != "271":
                    kind = _at(elements, 1) or "unknown"
                    raise X12Error(f"transaction set {kind} is not a 271 eligibility answer")
                reader = _Reader(seps, _opt(elements, 3) or version)
            elif tag == "SE":
                if reader is not None:
                    answers += reader.tx.answers()
                reader = None
            elif reader is not None:
                reader.segment(raw_segment, elements)
        if reader is not None:
            answers += reader.tx.answers()
    if not answers:
        raise X12Error("the interchange holds no 271 transaction set")
    return answers
