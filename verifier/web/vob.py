"""The printable verification of benefits (VOB): one template for the print view and the PDF.

`vob_pdf(record, verified_by)` works from any request (the console's, or an API route's); who
verified is the caller's to give (`verifier.services.audit_trail.who_verified`).
"""

from __future__ import annotations

import importlib
from typing import Any

from flask import g, has_request_context, render_template, request
from werkzeug.datastructures import MultiDict

from verifier.current import current_services, current_settings
from verifier.domain.summary import DISCLAIMER, phone
from verifier.records import VerificationRecord
from verifier.web.console_estimate import course_estimate, fact_lines, seen
from verifier.web.console_sources import sources
from verifier.web.console_view import (
    calls,
    identity_flag,
    level_rows,
    meters,
    person,
    tri,
    when,
)

PART_2_NOTICE = "42 CFR part 2 prohibits unauthorized use or disclosure of these records."
_METHODS = {
    "x12": "Electronic (X12 270/271)",
    "clearinghouse": "Electronic (clearinghouse eligibility)",
    "fhir": "Electronic (FHIR CoverageEligibility)",
    "bundle": "Electronic (payer and behavioral-health administrator)",
}


def facility() -> dict[str, str]:
    settings = current_settings()
    name = settings.facility_name or settings.provider_name
    npi = settings.facility_npi or settings.provider_npi
    return {"name": name or "—", "npi": npi or "—"}


def _method(record: VerificationRecord) -> str:
    fmt = (record.response_format or "").lower()
    for prefix, text in _METHODS.items():
        if fmt.startswith(prefix):
            return text
    return "Electronic" if fmt else "—"


def _people(record: VerificationRecord, determination: dict[str, Any]) -> dict[str, Any]:
    """The patient as the payer answered (falling back to what was sent) and the subscriber."""
    sent_subscriber = record.request.get("subscriber") or {}
    sent_patient = record.request.get("patient")
    member = determination.get("member") or {}
    source = member if (member.get("first_name") or member.get("last_name")) else None
    source = source or sent_patient or sent_subscriber
    relationship = member.get("relationship") or ("dependent" if sent_patient else "subscriber")
    if sent_patient and sent_patient.get("relationship"):
        relationship += f" ({sent_patient['relationship']} of the subscriber)"
    return {
        "name": person(source),
        "date_of_birth": member.get("date_of_birth") or (source or {}).get("date_of_birth"),
        "member_id": member.get("member_id") or record.member_id,
        "relationship": relationship,
        "subscriber": person(sent_subscriber) if sent_patient else None,
        "group_sent": sent_subscriber.get("group_number"),
    }


def _accumulator_rows(accumulators: dict[str, Any] | None) -> list[dict[str, Any]]:
    rows = []
    for meter in meters(accumulators):
        rows.append({"label": meter["label"], "text": meter["text"]})
    return rows


def vob_context(
    record: VerificationRecord,
    verified_by: str,
    exported_by: str | None = None,
    args: MultiDict[str, str] | None = None,
) -> dict[str, Any]:
    looked_at = seen(record)
    determination = looked_at.determination or {}
    admin = determination.get("behavioral_health_administrator")
    rejection = determination.get("rejection")
    return {
        "record": record,
        "facility": facility(),
        "patient": _people(record, determination),
        "identity": identity_flag(record),
        "plan": determination.get("plan") or {},
        "payer": determination.get("payer") or {},
        "payer_id": record.payer_id,
        "admin": (None if not admin else {**admin, "phone_text": phone(admin.get("phone")) or "—"}),
        "status": determination.get("status") or record.state,
        "rejection": rejection,
        "error": record.error,
        "levels": level_rows(determination),
        "dual": {
            **tri((determination.get("dual_diagnosis") or {}).get("covered")),
            "explanation": (determination.get("dual_diagnosis") or {}).get("explanation") or "",
        },
        "deductible": _accumulator_rows(determination.get("deductible")),
        "out_of_pocket": _accumulator_rows(determination.get("out_of_pocket")),
        "calls": calls(record),
        "phone_facts": fact_lines(looked_at.calls),
        "sources": sources(determination),
        "course": course_estimate(looked_at, args if args is not None else MultiDict()),
        "service_date": record.request.get("service_date") or when(record.created_at.date()),
        "verified_by": verified_by,
        "verified_at": when(record.completed_at or record.created_at),
        "exported_by": exported_by,
        "exported_at": when(current_services().service.clock()),
        "method": _method(record),
        "part_2": record.concerns_substance_use,
        "part_2_notice": PART_2_NOTICE,
        "disclaimer": DISCLAIMER,
        "nonce": g.get("console_nonce", "") if has_request_context() else "",
    }


def render_vob(
    record: VerificationRecord,
    verified_by: str,
    exported_by: str | None = None,
    *,
    for_pdf: bool = False,
    args: MultiDict[str, str] | None = None,
) -> str:
    context = vob_context(record, verified_by, exported_by, args)
    return render_template("vob.html", for_pdf=for_pdf, **context)


def vob_pdf(
    record: VerificationRecord,
    verified_by: str,
    exported_by: str | None = None,
    args: MultiDict[str, str] | None = None,
) -> bytes:
    """The VOB as a PDF (WeasyPrint), from the same template as the print view; `args` may hold
    a course (days, weeks, charge, level, network) to estimate on it."""
    html = render_vob(record, verified_by, exported_by, for_pdf=True, args=args)
    weasyprint = importlib.import_module("weasyprint")  # heavy: loaded on first export
    base_url = request.url_root if has_request_context() else None
    return bytes(weasyprint.HTML(string=html, base_url=base_url).write_pdf())
