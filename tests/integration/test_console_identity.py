"""The console and the printable VOB flag an answer for someone other than the person asked."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask

from tests.integration.test_console import READ, signed_in, verify
from verifier.web import console

FLAG = "The payer answered for a different person: first name, last name and date of birth differ"


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    app = make_app(SECRET_KEY="console-test-secret", FACILITY_NAME="Harbor Light Recovery")
    if "console" not in app.blueprints:
        app.register_blueprint(console.bp)
    return app


def test_the_list_marks_the_answer_for_someone_else_and_only_it(app: Flask) -> None:
    other, same = verify(app, "MOCK-OTHER-MEMBER"), verify(app, "MOCK-IOP-DUAL")
    client, _, _ = signed_in(app, READ)
    page = client.get("/console/").get_data(True)
    rows = {row_id: page[page.index(row_id) :].split("</tr>", 1)[0] for row_id in (other, same)}
    assert "Different person" in rows[other] and "⚠" in rows[other]
    assert "Different person" not in rows[same]


def test_the_detail_page_says_what_differs_side_by_side(app: Flask) -> None:
    record_id = verify(app, "MOCK-OTHER-MEMBER")
    client, _, _ = signed_in(app, READ)
    page = client.get(f"/console/verifications/{record_id}").get_data(True)
    assert 'class="identity-alert" role="alert"' in page
    assert FLAG in page
    # The summary staff read starts with the same flag.
    summary = page[page.index('<div class="summary">') :]
    assert summary.split("<p>", 2)[1].startswith(FLAG)
    # Asked about Jane Doe (1985-03-15); the payer answered for Robert Quinlan (1962-09-02).
    assert '<th scope="row">Date of birth</th><td>1985-03-15</td><td>1962-09-02</td>' in page
    assert '<th scope="row">First name</th><td>Jane</td><td>ROBERT</td>' in page


def test_the_detail_page_of_a_match_carries_no_flag(app: Flask) -> None:
    record_id = verify(app, "MOCK-IOP-DUAL")
    client, _, _ = signed_in(app, READ)
    page = client.get(f"/console/verifications/{record_id}").get_data(True)
    assert "identity-alert" not in page and "different person" not in page


def test_the_printable_vob_flags_the_different_person(app: Flask) -> None:
    record_id = verify(app, "MOCK-OTHER-MEMBER")
    client, _, _ = signed_in(app, READ)
    page = client.get(f"/console/verifications/{record_id}/vob").get_data(True)
    assert FLAG in page
    assert "<td>1985-03-15</td><td>1962-09-02</td>" in page
    pdf = client.get(f"/console/verifications/{record_id}/vob.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    matching = client.get(f"/console/verifications/{verify(app)}/vob").get_data(True)
    assert "different person" not in matching
