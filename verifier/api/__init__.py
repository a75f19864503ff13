"""The HTTP API: blueprints, OpenAPI and the error shape."""

from __future__ import annotations

from typing import Any

from flask import Flask

from schemas.record import ErrorSchema
from verifier.api import audit, changes, estimates, health, intake, payers, verifications
from verifier.api.auth import init_auth
from verifier.api.errors import Api, register_domain_errors
from verifier.store.engine import hold_connections, release_connections

# Error answers each operation can give beyond its own: listed, so clients and the OpenAPI checks
# know them (flask-smorest's `default` alone would make any status "documented").
_EXTRA_ERRORS = {
    ("/v1/verifications", "post"): ("409",),
    ("/v1/verifications/{verification_id}/estimate", "post"): ("409",),
    ("/v1/intake", "post"): ("429",),
}


def document_errors(api: Api) -> None:
    error = {"$ref": "#/components/responses/DEFAULT_ERROR"}
    for path, operations in api.spec._paths.items():
        for method, operation in operations.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            codes = {"400", "401", "403"}  # 400: a NUL character in the address
            if method in ("post", "put", "patch"):
                codes |= {"400", "413", "422"}
            if "{verification_id}" in path:
                codes.add("404")
            codes.update(_EXTRA_ERRORS.get((path, method), ()))
            responses = operation.setdefault("responses", {})
            for code in sorted(codes):
                responses.setdefault(code, error)


def refuse_nul_bytes(app: Flask, api: Api) -> None:
    """A NUL character in a path or query is never meaningful, and PostgreSQL cannot store it."""
    from flask import request
    from werkzeug.exceptions import BadRequest

    @app.before_request
    def _no_nul() -> Any:
        if "\x00" in request.path or any("\x00" in v for v in request.args.values()):
            error = BadRequest()
            error.data = {"message": "The address contains a NUL character."}  # type: ignore[attr-defined]
            return api.handle_http_exception(error)[:2]
        return None


def init_app(app: Flask) -> Api:
    api = Api(app)
    # First, so that authentication's key lookup already shares the request's connection.
    # It is held through the payer call too: a sync gunicorn worker serves one request at a
    # time, and threaded servers hold one per busy thread, within the pool's 5 + 10 overflow.
    app.before_request(hold_connections)
    app.teardown_request(lambda _error: release_connections())
    api.spec.components.security_scheme(
        "apiKey",
        {"type": "http", "scheme": "bearer", "description": "an API key from verifier keys create"},
    )
    api.spec.options["security"] = [{"apiKey": []}]
    refuse_nul_bytes(app, api)
    api.ERROR_SCHEMA = ErrorSchema
    api.register_blueprint(verifications.blp)
    api.register_blueprint(payers.blp)
    api.register_blueprint(changes.blp)
    api.register_blueprint(audit.blp)
    api.register_blueprint(intake.blp)
    api.register_blueprint(estimates.blp)
    document_errors(api)
    intake.init_intake(app)
    init_auth(app, api)
    app.register_blueprint(health.blp)
    health.observe_requests(app)
    register_domain_errors(app, api)
    return api
