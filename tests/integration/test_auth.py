"""API keys and scopes on every endpoint, and the audit trail of every access to PHI."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from flask import Flask

from tests.helpers import authorize, authorized

BODY = {
    "payer_id": "MOCK",
    "subscriber": {
        "member_id": "MOCK-HMO",
        "first_name": "Jane",
        "last_name": "Doe",
        "date_of_birth": "1985-03-15",
    },
}


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    return make_app()


def test_no_key_or_a_wrong_key_is_401_in_the_error_shape(app: Flask) -> None:
    client = app.test_client()
    missing = client.get("/v1/verifications")
    assert missing.status_code == 401
    assert missing.headers["WWW-Authenticate"] == "Bearer"
    assert set(missing.get_json()) == {"code", "status", "message"}
    wrong = client.get("/v1/verifications", headers={"Authorization": "Bearer vk_nope"})
    assert wrong.status_code == 401


def test_a_key_without_the_scope_is_403(app: Flask) -> None:
    reader = authorized(app, ("verifications:read",))
    assert reader.get("/v1/verifications").status_code == 200
    refused = reader.post("/v1/verifications", json=BODY)
    assert refused.status_code == 403
    assert "verifications:write" in refused.get_json()["message"]
    assert reader.get("/v1/audit").status_code == 403
    assert reader.get("/metrics").status_code == 403


def test_an_intake_key_can_search_payers_but_not_read_verifications(app: Flask) -> None:
    intake = authorized(app, ("intake:submit",))
    assert intake.get("/v1/payers").status_code == 200
    assert intake.get("/v1/verifications").status_code == 403


def test_the_key_may_come_as_x_api_key(app: Flask) -> None:
    client = app.test_client()
    token = authorize(client, ("verifications:read",))
    client.environ_base.pop("HTTP_AUTHORIZATION")
    assert client.get("/v1/verifications", headers={"X-API-Key": token}).status_code == 200


def test_a_revoked_key_stops_working(app: Flask) -> None:
    client = authorized(app, ("verifications:read",))
    keys = app.extensions["verifier"].keys
    [key] = keys.all()
    assert keys.revoke(key.id, datetime.now(UTC))
    assert client.get("/v1/verifications").status_code == 401


def test_health_and_docs_need_no_key(app: Flask) -> None:
    client = app.test_client()
    for path in ("/healthz", "/readyz", "/openapi.json"):
        assert client.get(path).status_code == 200


def test_every_access_to_phi_is_audited_without_phi(app: Flask) -> None:
    client = authorized(app, ("verifications:read", "verifications:write"))
    created = client.post("/v1/verifications", json=BODY, headers={"X-Request-Id": "req-12345678"})
    record_id = created.get_json()["id"]
    client.get(f"/v1/verifications/{record_id}")
    client.get("/v1/verifications?member_id=MOCK-HMO")
    client.get("/v1/verifications/nope")
    admin = authorized(app)
    trail = admin.get("/v1/audit?limit=10").get_json()
    actions = [(e["action"], e["resource_id"], e["status_code"]) for e in reversed(trail["items"])]
    assert actions == [
        ("create", record_id, 201),
        ("read", record_id, 200),
        ("list", None, 200),
        ("read", "nope", 404),
    ]
    assert trail["items"][-1]["request_id"] == "req-12345678"
    assert {e["key_id"] for e in trail["items"]} == {app.extensions["verifier"].keys.all()[0].id}
    text = str(trail)
    assert "MOCK-HMO" not in text and "Jane" not in text and "1985-03-15" not in text
    assert created.headers["X-Request-Id"] == "req-12345678"


def test_idempotency_key_returns_the_same_verification_without_a_second_call(app: Flask) -> None:
    client = authorized(app)
    headers = {"Idempotency-Key": "intake-form-42"}
    first = client.post("/v1/verifications", json=BODY, headers=headers)
    again = client.post("/v1/verifications", json=BODY, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.get_json()["id"] == again.get_json()["id"]
    assert client.get("/v1/verifications").get_json()["total"] == 1
    changed = {**BODY, "payer_id": "mock"}
    conflict = client.post("/v1/verifications", json=changed, headers=headers)
    assert conflict.status_code == 409
    assert "different request body" in conflict.get_json()["message"]


def test_the_development_key_is_made_once_and_only_on_an_empty_key_table(
    app: Flask, tmp_path
) -> None:
    from verifier.security.devkey import development_key

    keys = app.extensions["verifier"].keys
    path = tmp_path / "dev-key"
    token = development_key(keys, path)
    assert token and path.read_text().strip() == token
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert development_key(keys, path) == token
    assert len(keys.all()) == 1
    assert development_key(keys, tmp_path / "elsewhere") is None


def test_docs_are_served_by_the_service_under_a_policy_of_its_own_origin(app: Flask) -> None:
    client = app.test_client()
    page = client.get("/docs")
    assert page.status_code == 200
    policy = page.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self';" in policy
    assert "http" not in policy and "cdn" not in page.get_data(as_text=True)
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.get_data(as_text=True))
    assert len(sources) == 5
    for source in sources:
        assert source.startswith("/docs/"), source
        served = client.get(source)
        assert served.status_code == 200, source
        assert "Content-Security-Policy" in served.headers
        served.close()
