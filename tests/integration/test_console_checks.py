"""Starting a verification and recording a phone call from the console."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from adapters.base import PayerResponse
from adapters.mock import MockAdapter
from tests.integration.test_console import READ, WRITE, csrf, signed_in, verify
from verifier.store.security import AuditQuery
from verifier.web import console

FORM = {
    "payer": "mock health",  # found by searching the directory's names and aliases
    "member_id": "MOCK-IOP-DUAL",
    "first_name": "Jane",
    "last_name": "Doe",
    "date_of_birth": "1985-03-15",
}


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    app = make_app(SECRET_KEY="console-test-secret", CONSOLE_WAIT_SECONDS=5)
    if "console" not in app.blueprints:
        app.register_blueprint(console.bp)
    return app


def start(client: FlaskClient, **changes: str) -> Any:
    form = {**FORM, **changes, "csrf_token": csrf(client, "/console/verifications/new")}
    return client.post("/console/verifications/new", data=form)


def test_a_coordinator_starts_a_verification_and_lands_on_its_answer(app: Flask) -> None:
    client, _, key_id = signed_in(app, READ, WRITE)
    started = start(client)
    assert started.status_code == 303
    record_id = started.headers["Location"].rsplit("/", 1)[1]
    record = app.extensions["verifier"].service.get(record_id)
    assert (record.state, record.status, record.payer_id) == ("complete", "active", "MOCK")
    assert record.request["subscriber"]["member_id"] == "MOCK-IOP-DUAL"
    assert "mode" not in record.request and "patient" not in record.request
    page = client.get(started.headers["Location"]).get_data(True)
    assert "Mental health IOP: Covered" in page
    assert "Asked about</dt><dd>Jane Doe, born 1985-03-15" in page
    created, _ = app.extensions["verifier"].audit.find(AuditQuery(action="create"))
    assert [(row["key_id"], row["resource_id"]) for row in created] == [(key_id, record_id)]


def test_the_apis_field_errors_appear_next_to_the_fields(app: Flask) -> None:
    client, _, _ = signed_in(app, READ, WRITE)
    refused = start(client, member_id="MOCK_IOP", date_of_birth="", patient_first_name="Sam")
    assert refused.status_code == 422
    page = refused.get_data(True)
    member = re.search(r'<p id="member_id-error" class="field-error">([^<]+)</p>', page)
    assert member and member.group(1) == "Use letters, digits, spaces and hyphens only."
    assert 'id="member_id" name="member_id" type="text" value="MOCK_IOP"' in page
    assert 'aria-describedby="member_id-error"' in page
    assert 'id="date_of_birth-error" class="field-error">Enter a real date as YYYY-MM-DD.' in page
    # A patient's first name alone: the rest of the dependent is asked for.
    assert 'id="patient_relationship-error" class="field-error">Choose spouse' in page
    assert "There is a problem: 5 fields need attention" in page
    assert app.extensions["verifier"].service.find(_all()).total == 0


def test_a_payer_the_directory_does_not_know_is_refused_beside_the_payer_field(app: Flask) -> None:
    client, _, _ = signed_in(app, READ, WRITE)
    page = start(client, payer="Acme Insurance").get_data(True)
    assert 'id="payer-error" class="field-error">No payer in the directory matches' in page


def test_a_key_that_may_only_read_cannot_start_a_verification(app: Flask) -> None:
    client, _, _ = signed_in(app, READ)
    assert client.get("/console/verifications/new").status_code == 403
    assert "Start a verification" not in client.get("/console/").get_data(True)


class SlowPayer:
    """The mock payer, holding its answer until the test lets it go."""

    def __init__(self) -> None:
        self.release = threading.Event()

    def check(self, request: Any) -> PayerResponse:
        self.release.wait(10)
        return MockAdapter().check(request)


@pytest.fixture
def slow(app: Flask) -> Iterator[SlowPayer]:
    payer = SlowPayer()
    service = app.extensions["verifier"].service
    original = service.adapter_for
    service.adapter_for = lambda settings: payer
    yield payer
    payer.release.set()
    service.adapter_for = original


def test_a_slow_payer_leaves_the_page_pending_until_its_answer_lands(
    app: Flask, slow: SlowPayer
) -> None:
    app.extensions["settings"] = replace(app.extensions["settings"], console_wait_seconds=0.2)
    client, _, _ = signed_in(app, READ, WRITE)
    started = start(client)
    assert started.status_code == 303
    detail = started.headers["Location"]
    page = client.get(detail).get_data(True)
    assert "Asking the payer…" in page and "data-poll=" in page
    assert client.get(f"{detail}/state").get_json() == {"state": "pending"}
    slow.release.set()
    service = app.extensions["verifier"].service
    record_id = detail.rsplit("/", 1)[1]
    for _ in range(100):
        if service.get(record_id).state != "pending":
            break
        threading.Event().wait(0.05)
    assert client.get(f"{detail}/state").get_json() == {"state": "complete"}
    assert "Mental health IOP: Covered" in client.get(detail).get_data(True)


def _all() -> Any:
    from verifier.records import RecordQuery

    return RecordQuery()


def record_call(client: FlaskClient, record_id: str, **fields: str) -> Any:
    page = f"/console/verifications/{record_id}"
    return client.post(f"{page}/calls", data={**fields, "csrf_token": csrf(client, page)})


def test_a_recorded_call_shows_each_values_source_on_the_page_and_the_vob(app: Flask) -> None:
    record_id = verify(app, "MOCK-MH-ONLY")
    client, _, key_id = signed_in(app, READ, WRITE)
    recorded = record_call(
        client,
        record_id,
        level="iop_substance_use",
        covered="yes",
        prior_auth_required="yes",
        prior_auth_phone="800-555-0199",
        visit_limit="30",
        rep_name="Maria",
        call_reference="REF-2211",
    )
    assert recorded.status_code == 303
    page = client.get(recorded.headers["Location"]).get_data(True)
    sources = page[page.index('<table class="sources">') :].split("</table>", 1)[0]
    by_phone = "Phone call, recorded by Dana at admissions on "
    assert re.search(
        r"<th scope=\"row\">IOP: substance use</th><td>Covered</td><td>Covered</td><td>"
        + re.escape(by_phone)
        + r"\d{4}-\d\d-\d\d; representative Maria; call reference REF-2211</td>",
        sources,
    )
    assert (
        '<th scope="row">IOP: mental health</th><td>Covered</td><td>Covered</td>'
        "<td>The payer&#39;s electronic answer</td>" in sources
    )
    assert "<td>Visit limit</td><td>30</td>" in sources
    vob = client.get(f"/console/verifications/{record_id}/vob").get_data(True)
    assert "Where each value came from" in vob and "call reference REF-2211" in vob
    # The API shows the same call, recorded by the same person.
    facts = app.extensions["verifier"].phone.for_verifications([record_id])[record_id]
    assert [(f["added_by"], f["facts"]["rep_name"]) for f in facts] == [(key_id, "Maria")]
    updates, _ = app.extensions["verifier"].audit.find(AuditQuery(action="update"))
    assert [(row["resource_id"], row["status_code"]) for row in updates] == [(record_id, 303)]


def test_a_call_without_rep_or_reference_is_refused_beside_those_fields(app: Flask) -> None:
    record_id = verify(app)
    client, _, _ = signed_in(app, READ, WRITE)
    refused = record_call(client, record_id, level="iop_mental_health", covered="no")
    assert refused.status_code == 422
    page = refused.get_data(True)
    assert 'id="rep_name-error" class="field-error">Missing data for required field.' in page
    assert 'id="call_reference-error"' in page
    assert '<option value="no" selected>' in page  # what was chosen is kept
    assert app.extensions["verifier"].phone.for_verifications([record_id])[record_id] == []


def test_the_list_shows_whom_staff_asked_about_beside_whom_the_payer_answered_for(
    app: Flask,
) -> None:
    verify(app, "MOCK-OTHER-MEMBER")  # asked about Jane Doe; the payer answers for Robert Quinlan
    client, _, _ = signed_in(app, READ)
    row = client.get("/console/").get_data(True).split("<tbody>", 1)[1].split("</tr>", 1)[0]
    assert "ROBERT" in row and "Asked about Jane Doe, born 1985-03-15" in row
    assert "Different person" in row
