"""Verification endpoints: thin views over the verification service."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from schemas.record import VerificationPageSchema, VerificationQuerySchema, VerificationRecordSchema
from schemas.request import VerificationRequestSchema
from verifier.domain.request import Dependent, Provider, Subscriber, VerificationRequest
from verifier.records import RecordQuery, VerificationRecord
from verifier.service import VerificationService

blp = Blueprint(
    "verifications", __name__, url_prefix="/v1/verifications", description="Verifications"
)


def service() -> VerificationService:
    return current_app.extensions["verifier"].service  # type: ignore[no-any-return]


def to_request(data: dict[str, Any], config: Any) -> VerificationRequest:
    """The validated body as a domain request; provider and date default to config and today."""
    patient = data.get("patient")
    provider = data.get("provider") or {
        "npi": config["PROVIDER_NPI"],
        "name": config["PROVIDER_NAME"],
    }
    return VerificationRequest(
        payer_id=data["payer_id"],
        subscriber=Subscriber(**data["subscriber"]),
        patient=Dependent(**patient) if patient else None,
        provider=Provider(**provider),
        service_date=data.get("service_date") or date.today(),
    )


def as_sent(data: dict[str, Any]) -> dict[str, Any]:
    """The request as the caller sent it, in JSON terms (dates back to ISO strings)."""

    def plain(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        return value.isoformat() if isinstance(value, date) else value

    return plain(data)  # type: ignore[no-any-return]


@blp.route("")
class Verifications(MethodView):
    @blp.arguments(VerificationRequestSchema)
    @blp.response(201, VerificationRecordSchema)
    def post(self, data: dict[str, Any]) -> VerificationRecord:
        """Verify a member's IOP benefits now.

        The request is stored before the payer is called; a payer that does not answer gives a
        `failed` record with a reason, never an error response.
        """
        return service().verify(to_request(data, current_app.config), as_sent(data))

    @blp.arguments(VerificationQuerySchema, location="query")
    @blp.response(200, VerificationPageSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """List verifications, newest first, filtered by member, payer, status or date."""
        page = service().find(RecordQuery(**query))
        return {
            "items": page.items,
            "total": page.total,
            "limit": query["limit"],
            "offset": query["offset"],
        }


@blp.route("/<string:verification_id>")
class VerificationById(MethodView):
    @blp.response(200, VerificationRecordSchema)
    def get(self, verification_id: str) -> VerificationRecord:
        """One verification, with its determination and summary once complete."""
        return service().get(verification_id)


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
        page = service().find(RecordQuery(**filters))
        return {
            "items": page.items,
            "total": page.total,
            "limit": query["limit"],
            "offset": query["offset"],
        }
