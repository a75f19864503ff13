"""Intake submissions: a reference back, never benefits; limited; CORS only for the key's sites."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.helpers import authorize, authorized
from verifier.batch import Worker

FORM = {
    "first_name": "Rowan",
    "last_name": "Example",
    "date_of_birth": "1990-04-01",
    "payer_id": "MOCK",
    "member_id": "MOCK-SUD-ONLY",
    "contact": {"phone": "(555) 010-0199", "email": "rowan@example.org"},
    "consent": True,
}
SITE = "https://recovery.example.org"


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    return make_app(INTAKE_LIMIT_PER_ADDRESS=3)


def intake_client(app: Flask):  # type: ignore[no-untyped-def]
    client = app.test_client()
    authorize(client, ("intake:submit",), origins=(SITE,))
    return client


def test_a_submission_gets_a_reference_and_no_benefits(app: Flask) -> None:
    client = intake_client(app)
    response = client.post("/v1/intake", json=FORM, headers={"Origin": SITE})
    assert response.status_code == 202
    receipt = response.get_json()
    assert set(receipt) == {"reference", "message"}
    assert response.headers["Access-Control-Allow-Origin"] == SITE
    assert client.get(f"/v1/verifications/{receipt['reference']}").status_code == 403
    services = app.extensions["verifier"]
    Worker(services.service, services.queue, app.extensions["settings"]).run(until_idle=True)
    staff = authorized(app, ("verifications:read",))
    record = staff.get(f"/v1/verifications/{receipt['reference']}").get_json()
    assert record["state"] == "complete"
    assert record["request"]["contact"]["email"] == "rowan@example.org"
    assert record["determination"]["levels_of_care"]["iop_substance_use"]["covered"] is True


def test_field_errors_name_each_field_for_the_form(app: Flask) -> None:
    client = intake_client(app)
    bad = {**FORM, "consent": False, "date_of_birth": "1990-02-30", "member_id": ""}
    errors = client.post("/v1/intake", json=bad).get_json()["errors"]
    assert errors["consent"] == ["Please agree so we can check your benefits."]
    assert errors["date_of_birth"] == ["Enter a real date as YYYY-MM-DD."]
    assert "member_id" in errors


def test_submissions_are_limited_per_client_address(app: Flask) -> None:
    client = intake_client(app)
    codes = [
        client.post("/v1/intake", json={**FORM, "member_id": f"LIMIT-{n}"}).status_code
        for n in range(4)
    ]
    assert codes == [202, 202, 202, 429]


def test_the_intake_limit_per_address_holds_across_workers(
    make_app: Callable[..., Flask],
) -> None:
    # Two apps on one database stand for two gunicorn workers behind the same port.
    workers = [make_app(INTAKE_LIMIT_PER_ADDRESS=3), make_app(INTAKE_LIMIT_PER_ADDRESS=3)]
    clients = [app.test_client() for app in workers]
    token = authorize(clients[0], ("intake:submit",))
    clients[1].environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    responses = [clients[n % 2].post("/v1/intake", json=FORM) for n in range(4)]
    assert [r.status_code for r in responses] == [202, 202, 202, 429]
    assert int(responses[3].headers["Retry-After"]) >= 1


def test_cors_is_only_for_the_keys_own_sites(app: Flask) -> None:
    client = intake_client(app)
    preflight = client.options(
        "/v1/intake", headers={"Origin": SITE, "Access-Control-Request-Method": "POST"}
    )
    assert preflight.headers["Access-Control-Allow-Origin"] == SITE
    assert "Authorization" in preflight.headers["Access-Control-Allow-Headers"]
    elsewhere = client.options("/v1/intake", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in elsewhere.headers
    refused = client.post("/v1/intake", json=FORM, headers={"Origin": "https://evil.example"})
    assert refused.status_code == 403


def submit_from(client: FlaskClient, forwarded_for: str) -> int:
    response = client.post("/v1/intake", json=FORM, headers={"X-Forwarded-For": forwarded_for})
    return response.status_code


def test_a_forged_forwarded_address_does_not_escape_the_limit(app: Flask) -> None:
    client = intake_client(app)  # no TRUSTED_PROXIES: X-Forwarded-For is anyone's to write
    codes = [submit_from(client, f"198.51.100.{n}") for n in range(4)]
    assert codes == [202, 202, 202, 429]


def test_behind_a_trusted_proxy_each_client_has_its_own_limit_and_audit_address(
    make_app: Callable[..., Flask],
) -> None:
    app = make_app(INTAKE_LIMIT_PER_ADDRESS=2, TRUSTED_PROXIES=1)
    client = intake_client(app)  # every request reaches the app from the proxy's address
    codes = [submit_from(client, "198.51.100.7") for _ in range(3)]
    codes += [submit_from(client, "198.51.100.8") for _ in range(2)]
    assert codes == [202, 202, 429, 202, 202]
    admin = authorized(app)
    events = admin.get("/v1/audit", query_string={"resource": "intake"}).get_json()["items"]
    intake = [event for event in events if event["route"] == "/v1/intake"]
    assert {event["client_address"] for event in intake} == {"198.51.100.7", "198.51.100.8"}
