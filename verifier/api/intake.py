"""The intake endpoint: a treatment centre's form submits; it gets a reference, never benefits."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, g, request
from flask.views import MethodView
from flask_smorest import abort

from schemas.intake import IntakeReceiptSchema, IntakeSchema
from verifier.api.parsing import Blueprint
from verifier.current import current_services, current_settings
from verifier.security.ratelimit import retry_after
from verifier.services.access import site_may_read
from verifier.services.intake_submission import TooManySubmissions, submit_intake

blp = Blueprint("intake", __name__, url_prefix="/v1/intake", description="Intake form submissions")

THANKS = (
    "Thank you. We are checking your insurance benefits and an admissions coordinator will "
    "contact you. Please quote your reference if you call us."
)


@blp.route("")
class Intake(MethodView):
    @blp.arguments(IntakeSchema)
    @blp.response(202, IntakeReceiptSchema)
    @blp.alt_response(429, description="Too many submissions; try again shortly")
    def post(self, data: dict[str, Any]) -> dict[str, str]:
        """Submit a prospective client's insurance details from an intake form.

        The answer is a reference and a message: never a determination or anyone's benefits.
        Limited per key and per client address.
        """
        services = current_services()
        try:
            record = submit_intake(
                services.service,
                services.limits,
                current_settings(),
                key_id=g.api_key.id,
                address=request.remote_addr or "unknown",
                data=data,
            )
        except TooManySubmissions as refused:
            abort(
                429,
                message="Too many submissions from here; please try again in a minute.",
                headers={"Retry-After": str(retry_after(refused.wait))},
            )
        return {"reference": record.id, "message": THANKS}


def init_intake(app: Flask) -> None:
    """CORS: a browser on a configured site may post with that site's key."""

    @app.after_request
    def _cors(response: Response) -> Response:
        origin = request.headers.get("Origin")
        if not origin or not (request.path.startswith(("/v1/intake", "/v1/payers"))):
            return response
        if not site_may_read(current_services().keys, origin, g.get("api_key")):
            return response
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Vary"] = "Origin"
        # A copy of the form on the centre's own site reads how long to wait after a 429.
        response.headers["Access-Control-Expose-Headers"] = "Retry-After"
        if request.method == "OPTIONS":
            response.headers["Access-Control-Allow-Methods"] = "GET, POST"
            response.headers["Access-Control-Allow-Headers"] = (
                "Authorization, Content-Type, Idempotency-Key"
            )
            response.headers["Access-Control-Max-Age"] = "600"
        return response
