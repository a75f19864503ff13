"""Staff sign in to the console as themselves through a real OpenID provider (oidc-provider on
127.0.0.1, started here); the console itself runs in Flask's test client."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.e2e.running import free_port
from tests.integration.test_console import csrf, make_key, verify
from tests.oidc.provider import ACCOUNTS, CLIENT_ID, console_settings, openid_provider
from verifier.ports import AuditQuery

CONSOLE = "http://localhost"  # the test client's own address
DANA, SAM = ACCOUNTS["dana"], ACCOUNTS["sam"]


@pytest.fixture(scope="module")
def issuer() -> Iterator[str]:
    with openid_provider(free_port(), [CONSOLE]) as running:
        yield running


def settings(issuer: str, **more: object) -> dict[str, object]:
    found = {
        name.removeprefix("VERIFIER_"): value for name, value in console_settings(issuer).items()
    }
    return {"SECRET_KEY": "console-test-secret", **found, **more}


@pytest.fixture
def app(make_app: Callable[..., Flask], issuer: str) -> Flask:
    return make_app(**settings(issuer))


def through_provider(client: FlaskClient, username: str) -> str:
    """Start signing in at the console, then sign in at the provider as a browser would;
    returns the console address the provider sends the browser back to."""
    start = client.get("/console/login/oidc?next=/console/")
    assert start.status_code == 302
    account = ACCOUNTS[username]
    with httpx.Client(timeout=10) as browser:
        answer = browser.get(start.headers["Location"])
        while answer.is_redirect:
            answer = browser.get(urljoin(str(answer.url), answer.headers["Location"]))
        assert "Staff sign-in" in answer.text
        form = {"username": username, "password": account["password"]}
        answer = browser.post(str(answer.url), data=form)
        while True:
            assert answer.is_redirect, answer.text
            location = urljoin(str(answer.url), answer.headers["Location"])
            if location.startswith(CONSOLE):
                return location.removeprefix(CONSOLE)
            answer = browser.get(location)


def signed_in(client: FlaskClient, username: str) -> TestResponse:
    return client.get(through_provider(client, username))


def test_a_coordinator_signs_in_as_themselves_and_the_audit_trail_names_them(app: Flask) -> None:
    record_id = verify(app)
    client = app.test_client()
    back = signed_in(client, "dana")
    assert (back.status_code, back.headers["Location"]) == (303, "/console/")
    page = client.get("/console/").get_data(True)
    assert "Signed in as <strong>Dana Whitfield</strong>" in page
    assert client.get(f"/console/verifications/{record_id}").status_code == 200
    rows, _ = app.extensions["verifier"].audit.find(AuditQuery(subject=DANA["claims"]["sub"]))
    seen = [(row["action"], row["resource_id"], row["email"], row["key_id"]) for row in rows]
    email = DANA["claims"]["email"]
    assert seen == [("read", record_id, email, None), ("list", None, email, None)]


def test_the_audit_api_finds_what_one_person_did(app: Flask) -> None:
    record_id = verify(app)
    client = app.test_client()
    signed_in(client, "dana")
    client.get(f"/console/verifications/{record_id}/vob")
    token, _ = make_key(app, "admin", name="compliance")
    trail = app.test_client().get(
        f"/v1/audit?subject={DANA['claims']['sub']}", headers={"Authorization": f"Bearer {token}"}
    )
    assert [(e["action"], e["email"]) for e in trail.get_json()["items"]] == [
        ("export", DANA["claims"]["email"])
    ]


def test_a_person_whose_groups_map_to_no_scope_is_refused_with_a_clear_message(
    app: Flask,
) -> None:
    client = app.test_client()
    refused = signed_in(client, "sam")
    assert refused.status_code == 403
    text = refused.get_data(True)
    assert f"You signed in as {SAM['claims']['email']}, but your account may not use" in text
    assert "Ask an administrator to add you to a group" in text
    assert client.get("/console/").status_code == 303


def test_a_sign_in_answer_meant_for_another_browser_is_refused(app: Flask) -> None:
    callback = through_provider(app.test_client(), "dana")
    stranger = app.test_client()
    refused = stranger.get(callback)
    assert refused.status_code == 400
    assert "This sign-in expired or was started elsewhere" in refused.get_data(True)
    assert stranger.get("/console/").status_code == 303


def test_a_sign_in_answer_is_used_once(app: Flask) -> None:
    client = app.test_client()
    callback = through_provider(client, "dana")
    assert client.get(callback).status_code == 303
    assert client.get(callback).status_code == 400


def test_starting_again_replaces_the_sign_in_in_flight(app: Flask) -> None:
    client = app.test_client()
    for _ in range(3):
        assert client.get("/console/login/oidc").status_code == 302
    with client.session_transaction() as session:
        assert len([key for key in session if key.startswith("_state_")]) == 1


def test_signing_out_ends_the_session_and_the_providers_too(app: Flask, issuer: str) -> None:
    client = app.test_client()
    signed_in(client, "dana")
    policy = client.get("/console/").headers["Content-Security-Policy"]
    assert f"form-action 'self' {issuer};" in policy  # the sign-out form may land there
    out = client.post("/console/logout", data={"csrf_token": csrf(client, "/console/")})
    assert out.status_code == 303
    end = urlsplit(out.headers["Location"])
    assert f"{end.scheme}://{end.netloc}{end.path}" == f"{issuer}/session/end"
    asked = parse_qs(end.query)
    assert asked["post_logout_redirect_uri"] == [f"{CONSOLE}/console/login"]
    assert asked["client_id"] == [CLIENT_ID] and asked["id_token_hint"][0].count(".") == 2
    assert client.get("/console/").status_code == 303


def test_a_session_past_its_hours_asks_to_sign_in_again(
    make_app: Callable[..., Flask], issuer: str
) -> None:
    app = make_app(**settings(issuer, CONSOLE_SESSION_HOURS=1 / 3600))  # one second
    client = app.test_client()
    signed_in(client, "dana")
    time.sleep(2.1)  # Fernet counts whole seconds
    ended = client.get("/console/")
    assert ended.status_code == 303 and ended.headers["Location"].startswith("/console/login")
    assert "Your session has ended" in client.get(ended.headers["Location"]).get_data(True)


def test_a_discovery_document_for_another_issuer_is_not_used(
    make_app: Callable[..., Flask], issuer: str
) -> None:
    elsewhere = issuer.replace("127.0.0.1", "localhost")  # same server, not the issuer it names
    app = make_app(**settings(elsewhere))
    refused = app.test_client().get("/console/login/oidc")
    assert refused.status_code == 502
    assert "names another issuer" in refused.get_data(True)


def test_the_sign_in_page_offers_the_provider_and_may_hide_api_keys(
    make_app: Callable[..., Flask], issuer: str
) -> None:
    app = make_app(**settings(issuer, CONSOLE_KEY_SIGN_IN=False))
    client = app.test_client()
    page = client.get("/console/login").get_data(True)
    assert "Sign in with Harbor Light staff sign-in" in page and "api_key" not in page
    token, _ = make_key(app, "verifications:read")
    with client.session_transaction() as session:  # a form posted as if the field were there
        session["csrf_token"] = "a-csrf-token"
    form = {"api_key": token, "csrf_token": "a-csrf-token"}
    refused = client.post("/console/login", data=form)
    assert refused.status_code == 403
    assert "API-key sign-in is turned off here" in refused.get_data(True)


def test_without_a_provider_the_console_offers_api_keys_only(
    make_app: Callable[..., Flask],
) -> None:
    app = make_app(SECRET_KEY="console-test-secret")
    client = app.test_client()
    page = client.get("/console/login").get_data(True)
    assert 'action="/console/login/oidc"' not in page and 'name="api_key"' in page
    assert client.get("/console/login/oidc").status_code == 404


def test_no_token_code_or_verifier_is_ever_logged_even_at_debug(
    make_app: Callable[..., Flask],
    issuer: str,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = make_app(**settings(issuer, LOG_LEVEL="DEBUG", LOG_JSON=True))
    for browser_library in ("httpx", "httpcore"):  # this test's stand-in browser, not the app
        caplog.set_level(logging.WARNING, logger=browser_library)
    client = app.test_client()
    callback = through_provider(client, "dana")
    with client.session_transaction() as session:
        [state] = [value["data"] for key, value in session.items() if key.startswith("_state_")]
    assert client.get(callback).status_code == 303
    out = client.post("/console/logout", data={"csrf_token": csrf(client, "/console/")})
    id_token = parse_qs(urlsplit(out.headers["Location"]).query)["id_token_hint"][0]
    code = parse_qs(urlsplit(callback).query)["code"][0]
    logged = capsys.readouterr().err
    assert '"route": "/console/login/oidc/callback"' in logged  # the log was captured
    for secret in (id_token, id_token.split(".")[1], code, state["code_verifier"], state["nonce"]):
        assert secret not in logged
