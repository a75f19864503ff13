"""The Flask app factory."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from verifier import api
from verifier.bootstrap import Services, bootstrap
from verifier.config import load_config
from verifier.logs import configure_logging


def create_app(
    test_config: Mapping[str, Any] | None = None, services: Services | None = None
) -> Flask:
    """Config from defaults, then `VERIFIER_*` environment variables, then `test_config`."""
    app = Flask(__name__)
    app.config.update(load_config())
    if test_config:
        app.config.update(test_config)
    if app.config.get("LOG_JSON", True):
        configure_logging(str(app.config.get("LOG_LEVEL", "INFO")))
    app.extensions["verifier"] = services or bootstrap(app.config)
    api.init_app(app)
    proxies = int(app.config["TRUSTED_PROXIES"])
    if proxies:
        # Behind a load balancer every request comes from its address: take the client's from
        # the X-Forwarded-For it appends (and the scheme from X-Forwarded-Proto), so intake
        # limits and the audit trail see clients. Never by default: clients could forge them.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
    return app
