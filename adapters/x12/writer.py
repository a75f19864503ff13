"""Write the X12 270 eligibility inquiry (005010X279A1) for a verification request."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime

from adapters.directory import PayerSettings
from verifier.domain.request import VerificationRequest

__all__ = ["VERSION", "write_270"]

VERSION = "005010X279A1"
ELEMENT, REPETITION, COMPONENT, TERMINATOR = "*", "^", ":", "~"

# Separators and control characters: data carrying one would split or end an element early.
_UNSAFE = re.compile(r"[*~^:\x00-\x1f\x7f]")
_SERVICE_TYPE = re.compile(r"[A-Z0-9]{1,2}")
_PROCEDURE = re.compile(r"[A-Z0-9]{1,48}")
# 2100D INS02 in the 270 allows only 01, 19 and 34 (Other Adult); G8 is a 271-only code.
_RELATIONSHIP = {"spouse": "01", "child": "19", "other": "34"}


def _clean(value: str) -> str:
    """Data X12 can carry: ASCII (accents folded), no separator characters, single spaces."""
    folded = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    return " ".join(_UNSAFE.sub("", folded).split())


def _name(value: str) -> str:
    # Payers match names in upper case; the IG examples are all upper case.
    return _clean(value).upper()


def _d8(value: date) -> str:
    return value.strftime("%Y%m%d")


def _segment(*elements: str) -> str:
    # Trailing empty elements must be omitted, not sent as empty separators.
    return ELEMENT.join(elements).rstrip(ELEMENT)


def _identifier(value: str, what: str) -> str:
    """An interchange id (ISA06/ISA08, GS02/GS03): 2 to 15 characters, no spaces."""
    cleaned = _clean(value).replace(" ", "")[:15]
    if len(cleaned) < 2:
        raise ValueError(f"the {what} id {value!r} needs at least 2 usable characters")
    return cleaned


def _inquiry(service_type: str | None, procedure: str | None) -> str:
    """EQ: a procedure (EQ02, HC qualifier) when given, else a service type (EQ01)."""
    if procedure is not None:
        code = procedure.strip().upper()
        if not _PROCEDURE.fullmatch(code):
            raise ValueError(f"{procedure!r} is not a procedure code")
        return _segment("EQ", "", f"HC{COMPONENT}{code}")
    if service_type is None:
        raise ValueError("a 270 asks about a service type or a procedure; neither was given")
    code = service_type.strip().upper()
    if not _SERVICE_TYPE.fullmatch(code):
        raise ValueError(f"{service_type!r} is not a service type code")
    return _segment("EQ", code)


def _patient_levels(request: VerificationRequest, reference: str, originator: str) -> list[str]:
    """Loops 2000C onwards: the subscriber, and the dependent when the patient is one."""
    subscriber, patient = request.subscriber, request.patient
    trace = _segment("TRN", "1", reference, originator)
    service_date = _segment("DTP", "291", "D8", _d8(request.service_date))
    member = [
        _segment(
            "NM1",
            "IL",
            "1",
            _name(subscriber.last_name),
            _name(subscriber.first_name),
            "",
            "",
            "",
            "MI",
            _clean(subscriber.member_id),
        ),
        *(
            [_segment("REF", "6P", _clean(subscriber.group_number))]
            if subscriber.group_number
            else []
        ),
        _segment("DMG", "D8", _d8(subscriber.date_of_birth)),
    ]
    if patient is None:
        return [_segment("HL", "3", "2", "22", "0"), trace, *member, service_date]
    # The trace and the inquiry belong to the patient's level, so 2000C carries neither.
    relationship = _RELATIONSHIP.get(patient.relationship)
    if relationship is None:
        raise ValueError(f"unknown relationship {patient.relationship!r}")
    return [
        _segment("HL", "3", "2", "22", "1"),
        *member,
        _segment("HL", "4", "3", "23", "0"),
        trace,
        _segment("NM1", "03", "1", _name(patient.last_name), _name(patient.first_name)),
        _segment("DMG", "D8", _d8(patient.date_of_birth)),
        _segment("INS", "N", relationship),
        service_date,
    ]


def write_270(
    request: VerificationRequest,
    payer: PayerSettings,
    *,
    control_number: int,
    service_type: str | None = "30",
    procedure: str | None = None,
    sender_id: str = "IOPVERIFIER",
    now: datetime | None = None,
) -> str:
    """One interchange (ISA..IEA) with one 270 for `request`; segments end in `~` and a newline.

    `control_number` (1..999999999) becomes ISA13, GS06, ST02, BHT03 and the TRN trace, so a
    271 can be matched back to it. A `procedure` (e.g. H0015) is asked instead of `service_type`.
    Raises ValueError for a control number, code or id that cannot be written.
    """
    if not 0 < control_number < 10**9:
        raise ValueError(f"control number {control_number} does not fit 1..999999999")
    when = now or datetime.now(UTC)
    sender = _identifier(sender_id, "sender")
    payer_id = _identifier(payer.trading_partner_id or payer.id, "payer")
    reference = f"{control_number:09d}"
    # TRN03: 10 characters, the leading 9 marking an id the submitter assigned itself.
    originator = ("9" + re.sub(r"[^A-Z0-9]", "", sender.upper()))[:10].ljust(10, "0")
    provider = request.provider

    transaction = [
        _segment("ST", "270", f"{control_number:04d}", VERSION),
        _segment("BHT", "0022", "13", reference, _d8(when), when.strftime("%H%M")),
        _segment("HL", "1", "", "20", "1"),
        _segment("NM1", "PR", "2", _name(payer.name), "", "", "", "", "PI", payer_id),
        _segment("HL", "2", "1", "21", "1"),
        _segment(
            "NM1", "1P", "2", _name(provider.name), "", "", "", "", "XX", _clean(provider.npi)
        ),
        *_patient_levels(request, reference, originator),
        _inquiry(service_type, procedure),
    ]
    transaction.append(_segment("SE", str(len(transaction) + 1), f"{control_number:04d}"))

    # ISA is fixed width: every element padded so the segment is always 106 characters.
    isa = ELEMENT.join(
        [
            "ISA",
            "00",
            " " * 10,
            "00",
            " " * 10,
            "ZZ",
            sender.ljust(15),
            "ZZ",
            payer_id.ljust(15),
            when.strftime("%y%m%d"),
            when.strftime("%H%M"),
            REPETITION,
            "00501",
            reference,
            "0",
            "P",
            COMPONENT,
        ]
    )
    segments = [
        isa,
        _segment(
            "GS",
            "HS",
            sender,
            payer_id,
            _d8(when),
            when.strftime("%H%M"),
            str(control_number),
            "X",
            VERSION,
        ),
        *transaction,
        _segment("GE", "1", str(control_number)),
        _segment("IEA", "1", reference),
    ]
    return "".join(f"{segment}{TERMINATOR}\n" for segment in segments)
