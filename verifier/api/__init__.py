"""The HTTP API: blueprints, OpenAPI and the error shape."""

from __future__ import annotations

from flask import Flask

from schemas.record import ErrorSchema
from verifier.api import audit, changes, estimates, health, intake, payers, verifications
from verifier.api.auth import init_auth
from verifier.api.errors import Api, register_domain_errors


def register_web(app: Flask) -> None:
    """The intake page (public) and the staff console (its own sign-in)."""
    from verifier.web import console, intake_page

    app.register_blueprint(intake_page.bp)
    app.register_blueprint(console.bp)


def init_app(app: Flask) -> Api:
    api = Api(app)
    api.ERROR_SCHEMA = ErrorSchema
    api.register_blueprint(verifications.blp)
    api.register_blueprint(payers.blp)
    api.register_blueprint(changes.blp)
    api.register_blueprint(audit.blp)
    api.register_blueprint(intake.blp)
    api.register_blueprint(estimates.blp)
    register_web(app)
    intake.init_intake(app)
    init_auth(app, api)
    app.register_blueprint(health.blp)
    health.observe_requests(app)
    register_domain_errors(app, api)
    return api
