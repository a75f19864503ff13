"""The Flask app factory."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from verifier import api, web
from verifier.bootstrap import Services, bootstrap
from verifier.logs import configure_logging
from verifier.settings import load_settings

# How the app presents itself; fixed by the code, not settings an operator chooses.
APP_CONSTANTS: dict[str, Any] = {
    "API_TITLE": "IOP benefits verification",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/",
    "OPENAPI_JSON_PATH": "openapi.json",
    "JSON_SORT_KEYS": False,
}


def create_app(
    test_config: Mapping[str, Any] | None = None, services: Services | None = None
) -> Flask:
    """Settings from defaults, then `VERIFIER_*` environment variables, then `test_config`
    (names that are not settings, such as Flask's `TESTING`, go to the config as they are).

    Raises SettingsError when a setting has a value the service cannot use.
    """
    settings = load_settings(test_config)
    app = Flask(__name__)
    app.config.update(APP_CONSTANTS)
    app.config.update(test_config or {})
    app.config.update(settings.as_config())
    app.extensions["settings"] = settings
    if settings.log_json:
        configure_logging(settings.log_level)
    app.extensions["verifier"] = services or bootstrap(settings)
    api.init_app(app)
    web.init_app(app)
    if proxies := settings.trusted_proxies:
        # Behind a load balancer every request comes from its address: take the client's from
        # the X-Forwarded-For it appends (and the scheme from X-Forwarded-Proto), so intake
        # limits and the audit trail see clients. Never by default: clients could forge them.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
    return app
