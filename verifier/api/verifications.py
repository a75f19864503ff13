"""Verification endpoints: thin views over the verification service."""

from __future__ import annotations

from typing import Any

from flask import Response, g, request, url_for
from flask.views import MethodView
from flask_smorest import abort

from schemas.record import (
    PhoneFactSchema,
    VerificationPageSchema,
    VerificationQuerySchema,
    VerificationRecordSchema,
)
from schemas.request import VerificationRequestSchema
from verifier.api.errors import MESSAGES
from verifier.api.paging import page as page_body
from verifier.api.parsing import Blueprint
from verifier.current import current_services, current_settings, current_vob_pdf
from verifier.intake import to_request
from verifier.records import RecordQuery, VerificationRecord
from verifier.service import VerificationService
from verifier.services.audit_trail import who_verified
from verifier.services.calls import record_call
from verifier.services.reading import Read, as_seen, read_all
from verifier.services.staff import Staff

blp = Blueprint(
    "verifications", __name__, url_prefix="/v1/verifications", description="Verifications"
)


def service() -> VerificationService:
    return current_services().service


@blp.route("")
class Verifications(MethodView):
    # An instance, not the class: webargs would build the schema (and its nested ones) per call.
    @blp.arguments(VerificationRequestSchema())
    @blp.response(201, VerificationRecordSchema)
    @blp.alt_response(202, schema=VerificationRecordSchema, description="Accepted, still pending")
    def post(self, data: dict[str, Any]) -> Any:
        """Verify a member's IOP benefits.

        The request is stored before the payer is called; a payer that does not answer gives a
        `failed` record with a reason, never an error response. With `"mode": "async"` (or the
        header `Prefer: respond-async`) the answer is `202` at once with a `Location` to poll;
        `callback_url` then receives a signed webhook when it ends.
        """
        wants_async = data["mode"] == "async" or "respond-async" in request.headers.get(
            "Prefer", ""
        )
        callback = data.get("callback_url")
        if callback and not wants_async:
            abort(422, message=MESSAGES[422], errors={"callback_url": ["Only with async mode."]})
        if callback and not current_settings().webhook_secret:
            unset = "Webhooks are not configured on this server (VERIFIER_WEBHOOK_SECRET)."
            abort(422, message=MESSAGES[422], errors={"callback_url": [unset]})
        # What the caller sent, exactly: validated above, so it holds only known fields.
        sent = request.get_json()
        key = g.get("api_key")
        record, replayed = service().submit(
            to_request(data, current_settings()),
            sent,
            asynchronous=wants_async,
            callback_url=callback,
            caller=key.id if key is not None else None,
            idempotency_key=idempotency_key(),
        )
        # An async request may be answered with a verification already queued for the person.
        return answer(record, fresh=not wants_async and not replayed)

    @blp.arguments(VerificationQuerySchema, location="query")
    @blp.response(200, VerificationPageSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """List verifications, newest first, filtered by member, payer, status or date."""
        found = service().find(RecordQuery(**query))
        return page_body(presented_many(found.items), found.total, query)


def answer(record: VerificationRecord, fresh: bool = False) -> Any:
    """The record as a response; a `fresh` one was made by this request, so no call can have
    been recorded against it yet and its phone facts need no lookup."""
    g.resource_id = record.id
    shown = _view(as_seen(record, [])) if fresh else presented(record)
    if record.state != "pending":
        return shown
    location = url_for("verifications.VerificationById", verification_id=record.id)
    return shown, 202, {"Location": location}


def idempotency_key() -> str | None:
    """The request's Idempotency-Key header, checked; None when it has none."""
    supplied = request.headers.get("Idempotency-Key")
    if supplied and (len(supplied) > 200 or not supplied.isprintable()):
        abort(400, message="An Idempotency-Key is at most 200 printable characters.")
    return supplied or None


@blp.route("/<string:verification_id>")
class VerificationById(MethodView):
    @blp.response(200, VerificationRecordSchema)
    def get(self, verification_id: str) -> Any:
        """One verification, with its determination and summary once complete, and what staff
        confirmed by phone (each value says whether it came from the payer's answer or a call)."""
        return presented(service().get(verification_id))


def presented(record: VerificationRecord) -> dict[str, Any]:
    return presented_many([record])[0]


def presented_many(records: list[VerificationRecord]) -> list[dict[str, Any]]:
    """Records as the API shows them: phone-verified facts laid over each determination."""
    return [_view(seen) for seen in read_all(current_services().phone, records)]


def _view(seen: Read) -> dict[str, Any]:
    record, facts = seen.record, seen.calls
    view = {name: getattr(record, name) for name in VerificationRecord.__dataclass_fields__}
    view["identity"] = record.identity.as_json()
    view["summary"] = record.staff_summary
    view["determination"] = seen.determination
    view["phone_facts"] = [
        {
            **entry["facts"],
            "recorded_by": entry["added_by_name"],
            "recorded_at": entry["added_at"].isoformat(),
        }
        for entry in facts
    ]
    return view


@blp.route("/<string:verification_id>/phone-facts")
class PhoneFacts(MethodView):
    @blp.arguments(PhoneFactSchema)
    @blp.response(201, VerificationRecordSchema)
    def post(self, data: dict[str, Any], verification_id: str) -> Any:
        """Record what a payer representative confirmed on a call (rep, call reference, coverage,
        prior auth and its phone, day or visit limits); the record shows it beside the payer's
        electronic answer."""
        key = g.get("api_key")
        by = Staff(key.id, key.name) if key else Staff(None, None)
        phone = current_services().phone
        return presented(record_call(service(), phone, verification_id, data, by))


@blp.route("/<string:verification_id>/history")
class MemberHistory(MethodView):
    @blp.arguments(VerificationQuerySchema, location="query")
    @blp.response(200, VerificationPageSchema)
    def get(self, query: dict[str, Any], verification_id: str) -> dict[str, Any]:
        """Every verification of the same member with the same payer, newest first.

        Addressed by a verification id so that member ids stay out of URLs and access logs.
        """
        record = service().get(verification_id)
        filters = {**query, "member_id": record.member_id, "payer_id": record.payer_id}
        found = service().find(RecordQuery(**filters))
        return page_body(presented_many(found.items), found.total, query)


@blp.route("/<string:verification_id>/vob.pdf")
class VerificationPdf(MethodView):
    @blp.response(200, description="The printable verification of benefits (PDF)")
    @blp.alt_response(404, description="No verification has this id")
    def get(self, verification_id: str) -> Response:
        """The printable verification of benefits for the client's chart (PDF); audited."""
        services = current_services()
        record = services.service.get(verification_id)
        key = g.get("api_key")
        name = key.name if key else "API"
        verified_by = who_verified(services.audit, services.keys, record.id) or name
        # Drawn by the web pages' VOB (see verifier/web/__init__.py), the same as the console's.
        pdf = current_vob_pdf()(record, verified_by, exported_by=name, args=request.args)
        disposition = f'attachment; filename="vob-{record.id}.pdf"'
        return Response(
            pdf, mimetype="application/pdf", headers={"Content-Disposition": disposition}
        )
