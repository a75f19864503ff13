"""Configuration defaults; `VERIFIER_*` environment variables and a test mapping override them."""

from __future__ import annotations

import os
from typing import Any

from flask import Config

DEFAULTS: dict[str, Any] = {
    "DATABASE_URL": "sqlite:///verifier.sqlite3",
    "PAYERS_FILE": None,
    "PROVIDER_NPI": "1234567893",
    "PROVIDER_NAME": "Example Recovery",
    "MOCK_TIMEOUT_SECONDS": 1.0,
    "PAYER_ATTEMPTS": 3,
    # How long a synchronous verification waits for its payers before it ends as a timeout.
    "SYNC_TIMEOUT_SECONDS": 45.0,
    "JOB_LEASE_SECONDS": 300,
    "WEBHOOK_SECRET": None,
    "SECRET_KEY": None,
    "INTAKE_PAGE_KEY": None,
    "INTAKE_PAGE_API_BASE": "",
    "INTAKE_PAGE_CENTRE_NAME": "our treatment centre",
    # Intake submissions a minute, per key and per client address of a key, across all servers.
    "INTAKE_LIMIT_PER_KEY": 120,
    "INTAKE_LIMIT_PER_ADDRESS": 10,
    # How many reverse proxies or load balancers in front append X-Forwarded-For; 0 trusts none.
    "TRUSTED_PROXIES": 0,
    "PAYER_BACKOFF_SECONDS": 0.5,
    "MAX_CONTENT_LENGTH": 64 * 1024,
    "API_TITLE": "IOP benefits verification",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/",
    "OPENAPI_JSON_PATH": "openapi.json",
    "OPENAPI_SWAGGER_UI_PATH": "/docs",
    "OPENAPI_SWAGGER_UI_URL": "https://cdn.jsdelivr.net/npm/swagger-ui-dist/",
    "JSON_SORT_KEYS": False,
}


def load_config() -> Config:
    """Defaults, then `VERIFIER_*` environment variables: what the app sees, without the app."""
    config = Config(os.getcwd())
    config.update(DEFAULTS)
    config.from_prefixed_env("VERIFIER")
    return config
