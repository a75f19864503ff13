"""Who may call what: API keys with scopes on every endpoint but health, docs and the intake page;
every access to PHI written to the audit trail."""

from __future__ import annotations

import re
import uuid
from typing import Any

from flask import Flask, Response, g, request
from werkzeug.exceptions import Forbidden, Unauthorized

from verifier.api.errors import Api
from verifier.current import current_services
from verifier.services.access import MissingScope, UnknownKey, WrongOrigin, authenticate

PUBLIC = frozenset(
    {
        "health.healthz",
        "health.readyz",
        "api-docs.openapi_json",
        "docs.page",
        "docs.start",
        "docs.static",
        "intake_page.page",
        "intake_page.static",
        "static",
    }
)
READ, WRITE, INTAKE, ADMIN = "verifications:read", "verifications:write", "intake:submit", "admin"
# (endpoint, method) → the scopes any one of which allows it; anything unlisted needs admin.
REQUIRED: dict[tuple[str, str], tuple[str, ...]] = {
    ("verifications.Verifications", "POST"): (WRITE,),
    ("verifications.Verifications", "GET"): (READ,),
    ("verifications.VerificationById", "GET"): (READ,),
    ("verifications.MemberHistory", "GET"): (READ,),
    ("changes.Changes", "GET"): (READ,),
    ("payers.Payers", "GET"): (READ, INTAKE),
    ("intake.Intake", "POST"): (INTAKE, WRITE),
    ("verifications.PhoneFacts", "POST"): (WRITE,),
    ("estimates.Estimate", "POST"): (READ,),
    ("verifications.VerificationPdf", "GET"): (READ,),
}
# (endpoint, method) → (action, resource) for the audit trail.
AUDITED: dict[tuple[str, str], tuple[str, str]] = {
    ("verifications.Verifications", "POST"): ("create", "verification"),
    ("verifications.Verifications", "GET"): ("list", "verification"),
    ("verifications.VerificationById", "GET"): ("read", "verification"),
    ("verifications.MemberHistory", "GET"): ("list", "verification"),
    ("changes.Changes", "GET"): ("list", "change"),
    ("intake.Intake", "POST"): ("create", "intake"),
    ("audit.Audit", "GET"): ("list", "audit"),
    ("verifications.PhoneFacts", "POST"): ("update", "verification"),
    ("estimates.Estimate", "POST"): ("read", "verification"),
    ("verifications.VerificationPdf", "GET"): ("export", "verification"),
}
_REQUEST_ID = re.compile(r"^[A-Za-z0-9\-]{8,64}$")


def _token() -> str | None:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return request.headers.get("X-API-Key") or None


def _forbidden(api: Api, message: str) -> Any:
    refused = Forbidden()
    refused.data = {"message": message}  # type: ignore[attr-defined]
    return api.handle_http_exception(refused)[:2]


def init_auth(app: Flask, api: Api) -> None:
    @app.before_request
    def _identify() -> Any:
        supplied = request.headers.get("X-Request-Id", "")
        g.request_id = supplied if _REQUEST_ID.match(supplied) else uuid.uuid4().hex
        g.api_key = None
        endpoint = request.endpoint or ""
        if request.method == "OPTIONS" or endpoint in PUBLIC or request.url_rule is None:
            return None
        if request.blueprint == "console":  # the console signs staff in with its own session
            return None
        allowed = REQUIRED.get((endpoint, request.method), (ADMIN,))
        origin = request.headers.get("Origin")
        try:
            g.api_key = authenticate(current_services().keys, _token(), allowed, origin)
        except UnknownKey:
            error = Unauthorized()
            error.data = {"message": "Send a valid API key as 'Authorization: Bearer <key>'."}  # type: ignore[attr-defined]
            payload, code, _ = api.handle_http_exception(error)
            return payload, code, {"WWW-Authenticate": "Bearer"}
        except WrongOrigin as refused:
            g.api_key = refused.key  # the audit trail names the key that was refused
            return _forbidden(api, "This key may not be used from this site.")
        except MissingScope as refused:
            g.api_key = refused.key
            return _forbidden(
                api, f"This key may not do this; it needs the scope {refused.needed}."
            )
        return None

    @app.after_request
    def _audit(response: Response) -> Response:
        response.headers["X-Request-Id"] = g.get("request_id", "")
        event = AUDITED.get((request.endpoint or "", request.method))
        if event is None:
            return response
        log = current_services().audit
        resource_id = (request.view_args or {}).get("verification_id") or g.get("resource_id")
        if resource_id is None and event[0] == "create" and response.is_json:
            body = response.get_json(silent=True)
            if isinstance(body, dict):
                resource_id = body.get("id") or body.get("reference")
        key = g.get("api_key")
        log.append(
            at=current_services().service.clock(),
            key_id=key.id if key else None,
            action=event[0],
            resource=event[1],
            resource_id=resource_id,
            route=request.url_rule.rule if request.url_rule else request.path[:100],
            method=request.method,
            client_address=(request.remote_addr or "")[:64] or None,
            status_code=response.status_code,
            request_id=g.get("request_id"),
        )
        return response
