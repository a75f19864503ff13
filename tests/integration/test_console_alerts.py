"""Alerts: verified again, a member who lost coverage before a near admission is flagged."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask

from tests.helpers import determine, fixture_path
from tests.integration.test_console import READ, WRITE, body, csrf, signed_in
from verifier.records import VerificationRecord
from verifier.store.security import AuditQuery
from verifier.web import console


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    app = make_app(SECRET_KEY="console-test-secret")
    if "console" not in app.blueprints:
        app.register_blueprint(console.bp)
    return app


def was_active(app: Flask, record_id: str, member_id: str, admission: date) -> str:
    """A verification from last week that found the plan active (the payer now says otherwise:
    the mock payer answers MOCK-INACTIVE and MOCK-MH-ONLY with those scenarios)."""
    request: dict[str, Any] = {**body(member_id), "service_date": admission.isoformat()}
    app.extensions["verifier"].repository.add(
        VerificationRecord(
            id=record_id,
            payer_id="MOCK",
            member_id=member_id,
            request=request,
            created_at=datetime.now(UTC) - timedelta(days=7),
            state="complete",
            status="active",
            determination=determine(fixture_path("MOCK-IOP-DUAL")),
        )
    )
    return record_id


def verify_again(client: Any, record_id: str) -> str:
    page = f"/console/verifications/{record_id}"
    again = client.post(f"{page}/verify-again", data={"csrf_token": csrf(client, page)})
    assert again.status_code == 303
    return str(again.headers["Location"].rsplit("/", 1)[1])


def test_an_alert_appears_after_a_re_verification_finds_coverage_lost(app: Flask) -> None:
    soon = date.today() + timedelta(days=5)
    previous = was_active(app, "before-lost", "MOCK-INACTIVE", soon)
    client, _, key_id = signed_in(app, READ, WRITE)
    assert "No alerts" in client.get("/console/alerts").get_data(True)
    latest = verify_again(client, previous)
    page = client.get("/console/alerts").get_data(True)
    row = page[page.index("<tbody>") : page.index("</tbody>")]
    assert "Coverage lost" in row and "Coverage ended: the plan is no longer active." in row
    assert f"<td>{soon.isoformat()}</td>" in row and "Jane Doe" in row
    assert f'href="/console/verifications/{latest}">Latest verification' in row
    assert f'href="/console/verifications/{previous}">Previous verification' in row
    listed, _ = app.extensions["verifier"].audit.find(AuditQuery(action="list"))
    assert {(r["resource"], r["key_id"]) for r in listed} == {("change", key_id)}


def test_alerts_filter_by_kind_newest_first(app: Flask) -> None:
    soon = date.today() + timedelta(days=2)
    lost = verify_again_of(app, "a", "MOCK-INACTIVE", soon)
    client, sud = lost[0], verify_again_of(app, "b", "MOCK-MH-ONLY", soon, lost[0])[1]
    page = client.get("/console/alerts").get_data(True)
    kinds = re.findall(r'<strong class="alert-kind alert-([a-z_]+)">', page)
    assert {"coverage_lost", "iop_substance_use_changed"} <= set(kinds)
    # Newest first: the MH-only answer was found last, so its changes lead.
    latest = re.findall(r'href="/console/verifications/(\w+)">Latest verification', page)
    assert latest[0] == sud and latest[-1] != sud
    only = client.get("/console/alerts?kind=coverage_lost").get_data(True)
    assert re.findall(r'alert-kind alert-([a-z_]+)"', only) == ["coverage_lost"]
    assert '<option value="coverage_lost" selected>' in only
    assert sud in page and sud not in only


def verify_again_of(
    app: Flask, record_id: str, member_id: str, admission: date, client: Any = None
) -> tuple[Any, str]:
    client = client or signed_in(app, READ, WRITE)[0]
    return client, verify_again(client, was_active(app, record_id, member_id, admission))


def test_a_change_for_an_admission_months_away_is_not_an_alert_yet(app: Flask) -> None:
    client, _ = verify_again_of(app, "far", "MOCK-INACTIVE", date.today() + timedelta(days=90))
    assert "No alerts for admissions that are near." in client.get("/console/alerts").get_data(True)
