"""The intake queue: a submission arrives, is verified, and staff mark it contacted."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.integration.test_console import READ, WRITE, csrf, make_key, signed_in, verify
from verifier.batch import Worker
from verifier.store.security import AuditQuery
from verifier.web import console

SUBMISSION = {
    "first_name": "Jane",
    "last_name": "Doe",
    "date_of_birth": "1985-03-15",
    "payer_id": "MOCK",
    "member_id": "MOCK-IOP-DUAL",
    "contact": {"phone": "(555) 010-0199", "email": "jane@example.org"},
    "consent": True,
}


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    app = make_app(SECRET_KEY="console-test-secret")
    if "console" not in app.blueprints:
        app.register_blueprint(console.bp)
    return app


def submit(app: Flask, **changes: Any) -> str:
    """A submission from the intake form, verified by a worker as in production."""
    token, _ = make_key(app, "intake:submit", name="site intake")
    response = app.test_client().post(
        "/v1/intake", json={**SUBMISSION, **changes}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 202
    services = app.extensions["verifier"]
    Worker(services.service, services.queue, app.extensions["settings"]).run(until_idle=True)
    return str(response.get_json()["reference"])


def row_of(page: str, reference: str) -> str:
    start = page.rindex("<tr>", 0, page.index(reference))
    return page[start : page.index("</tr>", start)]


def mark(client: FlaskClient, reference: str, status: str) -> Any:
    form = {"status": status, "back": "new", "csrf_token": csrf(client, "/console/intake")}
    return client.post(f"/console/intake/{reference}/status", data=form)


def test_a_new_submission_is_listed_with_its_outcome_contact_and_consent(app: Flask) -> None:
    reference = submit(app)
    verify(app)  # made through the API by a CRM: not an intake submission
    client, _, _ = signed_in(app, READ)
    page = client.get("/console/intake").get_data(True)
    assert "New submissions, newest first: 1" in page
    row = row_of(page, reference)
    assert "Jane Doe" in row and "Born 1985-03-15" in row
    assert "complete</span>, active" in row and "Mental health IOP: Covered" in row
    assert 'href="tel:(555) 010-0199"' in row and "jane@example.org" in row
    assert "Agreed to the benefits check" in row
    listed, _ = app.extensions["verifier"].audit.find(AuditQuery(action="list"))
    assert [(r["resource"], r["status_code"]) for r in listed] == [("intake", 200)]


def test_marking_a_submission_contacted_keeps_who_and_when_and_audits_it(app: Flask) -> None:
    reference = submit(app)
    client, _, key_id = signed_in(app, READ, WRITE)
    marked = mark(client, reference, "contacted")
    assert (marked.status_code, marked.headers["Location"]) == (303, "/console/intake?status=new")
    left = client.get("/console/intake").get_data(True)
    assert (
        f"Marked contacted: reference {reference}." in left and "No new intake submissions" in left
    )
    page = client.get("/console/intake?status=contacted").get_data(True)
    row = row_of(page, reference)
    assert "Contacted</strong>" in row and "by Dana at admissions, 20" in row
    assert "Close" in row and "Mark contacted" not in row
    updates, _ = app.extensions["verifier"].audit.find(AuditQuery(action="update"))
    audited = [(r["resource"], r["resource_id"], r["key_id"], r["status_code"]) for r in updates]
    assert audited == [("intake", reference, key_id, 303)]
    mark(client, reference, "closed")
    assert reference in client.get("/console/intake?status=closed").get_data(True)
    assert reference in client.get("/console/intake?status=all").get_data(True)


def test_only_intake_submissions_and_known_statuses_can_be_marked(app: Flask) -> None:
    reference, other = submit(app), verify(app)
    client, _, _ = signed_in(app, READ, WRITE)
    assert mark(client, other, "contacted").status_code == 404
    assert mark(client, reference, "forgotten").status_code == 400
    assert client.get("/console/intake?status=forgotten").status_code == 404


def test_a_key_that_may_only_read_sees_the_queue_but_cannot_mark_it(app: Flask) -> None:
    reference = submit(app)
    client, _, _ = signed_in(app, READ)
    assert "Mark contacted" not in client.get("/console/intake").get_data(True)
    assert mark(client, reference, "contacted").status_code == 403
