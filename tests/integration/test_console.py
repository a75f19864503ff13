"""The staff console and the printable VOB, through Flask's test client."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from verifier.domain.changes import Change
from verifier.domain.summary import DISCLAIMER
from verifier.ports import AuditQuery
from verifier.security.keys import new_key
from verifier.web import console
from verifier.web.vob import vob_pdf

READ, WRITE = "verifications:read", "verifications:write"


def body(member_id: str) -> dict[str, Any]:
    subscriber = {"member_id": member_id, "first_name": "Jane", "last_name": "Doe"}
    return {"payer_id": "MOCK", "subscriber": {**subscriber, "date_of_birth": "1985-03-15"}}


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    app = make_app(SECRET_KEY="console-test-secret", FACILITY_NAME="Harbor Light Recovery")
    if "console" not in app.blueprints:
        app.register_blueprint(console.bp)
    return app


def make_key(app: Flask, *scopes: str, name: str = "Dana at admissions") -> tuple[str, str]:
    fresh = new_key(name, list(scopes), [], datetime.now(UTC))
    app.extensions["verifier"].keys.add(fresh)
    return fresh.token, fresh.key.id


def csrf(client: FlaskClient, path: str = "/console/login") -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(True))
    assert found, f"no CSRF field on {path}"
    return found.group(1)


def sign_in(client: FlaskClient, token: str) -> Any:
    return client.post("/console/login", data={"api_key": token, "csrf_token": csrf(client)})


def signed_in(app: Flask, *scopes: str) -> tuple[FlaskClient, str, str]:
    client = app.test_client()
    token, key_id = make_key(app, *scopes)
    assert sign_in(client, token).status_code == 303
    return client, token, key_id


def verify(app: Flask, member_id: str = "MOCK-IOP-DUAL") -> str:
    """A verification made through the API by a CRM key, as admissions would."""
    token, _ = make_key(app, WRITE, name="admissions CRM")
    headers = {"Authorization": f"Bearer {token}"}
    response = app.test_client().post("/v1/verifications", json=body(member_id), headers=headers)
    assert response.status_code == 201
    return str(response.get_json()["id"])


def test_signing_in_and_out(app: Flask) -> None:
    client = app.test_client()
    start = client.get("/console/")
    assert start.status_code == 303
    assert start.headers["Location"].startswith("/console/login?next=/console/")
    token, _ = make_key(app, READ)
    form = {"api_key": token, "csrf_token": csrf(client), "next": "https://evil.example/"}
    signed = client.post("/console/login", data=form)
    assert (signed.status_code, signed.headers["Location"]) == (303, "/console/")  # never away
    page = client.get("/console/")
    assert page.status_code == 200
    assert "Signed in as" in page.get_data(True)
    assert page.headers["Cache-Control"] == "no-store"
    out = client.post("/console/logout", data={"csrf_token": csrf(client, "/console/")})
    assert out.status_code == 303
    assert client.get("/console/").status_code == 303


def test_a_wrong_key_or_one_without_read_scope_is_refused(app: Flask) -> None:
    client = app.test_client()
    wrong = sign_in(client, "vk_not-a-key")
    assert wrong.status_code == 400
    assert "not recognised" in wrong.get_data(True)
    intake, _ = make_key(app, "intake:submit")
    refused = sign_in(client, intake)
    assert refused.status_code == 403
    assert "verifications:read" in refused.get_data(True)
    assert client.get("/console/").status_code == 303


def test_a_revoked_key_ends_the_session_at_once(app: Flask) -> None:
    client, _, key_id = signed_in(app, READ)
    assert client.get("/console/").status_code == 200
    assert app.extensions["verifier"].keys.revoke(key_id, datetime.now(UTC))
    assert client.get("/console/").headers["Location"].startswith("/console/login")


def test_forms_without_the_session_csrf_token_are_rejected(app: Flask) -> None:
    token, _ = make_key(app, READ, WRITE)
    client = app.test_client()
    assert client.post("/console/login", data={"api_key": token}).status_code == 400
    assert sign_in(client, token).status_code == 303
    record_id = verify(app)
    again = f"/console/verifications/{record_id}/verify-again"
    assert client.post(again, data={"csrf_token": "forged"}).status_code == 400
    assert client.post("/console/logout").status_code == 400
    assert client.get("/console/").status_code == 200  # still signed in


def test_the_session_cookie_never_holds_the_key_in_clear(app: Flask) -> None:
    app.config["SESSION_COOKIE_SECURE"] = True
    client = app.test_client()
    token, key_id = make_key(app, READ)
    response = sign_in(client, token)
    set_cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in set_cookie and "SameSite=Lax" in set_cookie and "Secure" in set_cookie
    cookie = client.get_cookie("session", domain="localhost")
    assert cookie is not None
    assert token not in cookie.value and token[3:20] not in cookie.value
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    stored = serializer.loads(cookie.value)
    assert stored["key_id"] == key_id
    assert token not in repr(stored)


def test_the_list_is_newest_first_with_badges_a_search_and_pages(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second, third = verify(app, "MOCK-MH-ONLY"), verify(app), verify(app, "MOCK-HMO")
    client, _, _ = signed_in(app, READ)
    page = client.get("/console/").get_data(True)
    assert page.index(third) < page.index(second) < page.index(first)
    assert "Mental health IOP: Covered" in page
    assert "Substance use IOP: Not covered" in page  # MOCK-MH-ONLY: words, not only colour
    found = client.get("/console/?member_id=MOCK-MH-ONLY").get_data(True)
    assert first in found and second not in found and third not in found
    monkeypatch.setattr(console, "PAGE_SIZE", 2)
    older = client.get("/console/?page=2").get_data(True)
    assert first in older and third not in older
    assert "Page 2 of 2" in older


def test_the_detail_page(app: Flask) -> None:
    earlier, record_id = verify(app), verify(app)
    services = app.extensions["verifier"]
    change = Change("prior_auth_changed", "Prior authorization is now required.", False, True)
    services.service.changes.replace(
        record_id, earlier, "MOCK-IOP-DUAL", "MOCK", [change], datetime.now(UTC)
    )
    client, _, _ = signed_in(app, READ)
    response = client.get(f"/console/verifications/{record_id}")
    assert response.status_code == 200
    page = response.get_data(True)
    assert "coverage with ACME HEALTH PLAN (ACME PPO 1500) is active" in page
    assert "$40 copay per day" in page and "40% coinsurance" in page
    assert '<progress id="deductible-1" max="1500.00" value="600.00">' in page
    assert "$600 met of $1,500; $900 left" in page
    assert "For prior authorization, call ACME BEHAVIORAL UM at (800) 555-0101." in page
    assert "<details>" in page and "EB*B*IND*CH^CJ*PR**7*40****Y*Y" in page
    assert "Prior authorization is now required." in page
    assert "Verify again" not in page  # a read-only key sees no button
    assert client.get("/console/verifications/nope").status_code == 404


def test_verify_again_makes_a_new_verification(app: Flask) -> None:
    record_id = verify(app)
    reader, _, _ = signed_in(app, READ)
    path = f"/console/verifications/{record_id}/verify-again"
    token = csrf(reader, f"/console/verifications/{record_id}")
    assert reader.post(path, data={"csrf_token": token}).status_code == 403
    writer, _, _ = signed_in(app, READ, WRITE)
    token = csrf(writer, f"/console/verifications/{record_id}")
    response = writer.post(path, data={"csrf_token": token})
    assert response.status_code == 303
    new_id = response.headers["Location"].rsplit("/", 1)[-1]
    assert new_id != record_id
    service = app.extensions["verifier"].service
    assert service.get(new_id).request == service.get(record_id).request
    assert service.get(new_id).status == "active"
    assert "Verified again" in writer.get(response.headers["Location"]).get_data(True)


def test_the_printable_vob_and_its_pdf(app: Flask) -> None:
    record_id = verify(app)
    client, _, _ = signed_in(app, READ)
    html = client.get(f"/console/verifications/{record_id}/vob")
    assert html.status_code == 200
    page = html.get_data(True)
    for expected in (
        "Harbor Light Recovery",
        "NPI 1234567893",
        "JANE DOE",
        "1985-03-15",
        "MOCK-IOP-DUAL",
        "subscriber",
        "ACME PPO 1500",
        "GRP1001",
        "Preferred Provider Organization (PPO)",
        "2026-01-01 to 2026-12-31",
        "ACME HEALTH PLAN",
        "$40 copay per day",
        "30 visits per calendar year",
        "Required",
        "$600 met of $1,500; $900 left",
        "admissions CRM",  # who verified: the key that asked
        "Dana at admissions",  # who printed it
        "@media print",
        DISCLAIMER.replace("'", "&#39;"),
    ):
        assert expected in page, expected
    pdf = client.get(f"/console/verifications/{record_id}/vob.pdf")
    assert pdf.status_code == 200
    assert pdf.mimetype == "application/pdf"
    assert pdf.headers["Content-Disposition"] == f'attachment; filename="vob-{record_id}.pdf"'
    assert pdf.data.startswith(b"%PDF") and len(pdf.data) > 1024
    with app.test_request_context():
        record = app.extensions["verifier"].service.get(record_id)
        assert vob_pdf(record, "an API client").startswith(b"%PDF")


def test_reads_and_exports_are_audited(app: Flask) -> None:
    record_id = verify(app)
    client, _, key_id = signed_in(app, READ)
    client.get(f"/console/verifications/{record_id}")
    client.get(f"/console/verifications/{record_id}/vob")
    client.get(f"/console/verifications/{record_id}/vob.pdf")
    client.get("/console/verifications/missing")
    audit = app.extensions["verifier"].audit
    rows, _ = audit.find(AuditQuery(key_id=key_id, limit=10))
    seen = {(r["action"], r["resource_id"], r["route"], r["status_code"]) for r in rows}
    assert ("read", record_id, "/console/verifications/<verification_id>", 200) in seen
    assert ("export", record_id, "/console/verifications/<verification_id>/vob", 200) in seen
    assert ("export", record_id, "/console/verifications/<verification_id>/vob.pdf", 200) in seen
    assert ("read", "missing", "/console/verifications/<verification_id>", 404) in seen
    assert all(r["resource"] == "verification" and r["method"] == "GET" for r in rows)
    assert all(r["client_address"] for r in rows)


def test_the_detail_page_estimates_a_course_and_the_vob_carries_it(app: Flask) -> None:
    client, _, _ = signed_in(app, "verifications:read")
    record_id = verify(app)
    course = "days=3&weeks=12&charge=300.00&level=iop_mental_health&network=in_network"
    page = client.get(f"/console/verifications/{record_id}?{course}").get_data(as_text=True)
    assert "<strong>The client would pay $2,220</strong> of $10,800 over 36 days" in page
    assert "Deductible: $900.00 remaining" in page
    vob = client.get(f"/console/verifications/{record_id}/vob?{course}").get_data(as_text=True)
    assert "Estimated cost of the course" in vob and "$2,220" in vob
    bad = client.get(f"/console/verifications/{record_id}?days=9&weeks=1&charge=1")
    assert "Choose between 1 and 7 days a week." in bad.get_data(as_text=True)
    worse = client.get(f"/console/verifications/{record_id}?days=x&weeks=1&charge=0")
    assert "Enter a whole number. Enter an amount above 0." in worse.get_data(as_text=True)


def test_phone_confirmed_facts_show_in_the_console_and_on_the_vob(app: Flask) -> None:
    client, _, _ = signed_in(app, "verifications:read")
    record_id = verify(app, "MOCK-CARVE-OUT")
    services = app.extensions["verifier"]
    facts = {
        "rep_name": "Dana at Mindbridge",
        "call_reference": "CALL-7781",
        "level": "iop_substance_use",
        "covered": True,
    }
    services.phone.add(record_id, facts, None, "Sam at admissions", services.service.clock())
    page = client.get(f"/console/verifications/{record_id}").get_data(as_text=True)
    assert "Confirmed by phone" in page and "CALL-7781" in page
    vob = client.get(f"/console/verifications/{record_id}/vob").get_data(as_text=True)
    assert "CALL-7781" in vob and "Sam at admissions" in vob


def test_medicare_advantage_shows_whom_to_bill_and_figures_without_a_network(app: Flask) -> None:
    client, _, _ = signed_in(app, READ)
    advantage = verify(app, "MOCK-MEDICARE-ADVANTAGE")
    for path in (f"/console/verifications/{advantage}", f"/console/verifications/{advantage}/vob"):
        page = client.get(path).get_data(True)
        assert "Bill first (Medicare Advantage plan, instead of Medicare): ACME MEDICARE" in page
        assert "Network not stated by the payer" in page or "/vob" in path
    medicare = verify(app, "MOCK-MEDICARE")
    for path in (f"/console/verifications/{medicare}", f"/console/verifications/{medicare}/vob"):
        page = client.get(path).get_data(True)
        assert "Network not stated" in page
        assert "20% coinsurance (general benefit; IOP price to confirm)" in page
