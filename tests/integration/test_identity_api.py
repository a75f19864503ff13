"""The identity check on the API: who was asked about against whom the payer answered for."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.helpers import authorized
from verifier.records import COMPLETE, VerificationRecord

BODY: dict[str, Any] = {
    "payer_id": "MOCK",
    "subscriber": {
        "member_id": "MOCK-IOP-DUAL",
        "first_name": "Jane",
        "last_name": "Doe",
        "date_of_birth": "1985-03-15",
        "group_number": "GRP1001",
    },
    "patient": None,
    "provider": {"npi": "1234567893", "name": "Example Recovery"},
    "service_date": "2026-11-27",
}
CHILD = {"first_name": "Sam", "last_name": "Doe", "date_of_birth": "2009-07-04"}


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    return make_app(MOCK_TIMEOUT_SECONDS=0.05, TESTING=True)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return authorized(app)


def verify(client: FlaskClient, member_id: str, **changes: Any) -> dict[str, Any]:
    body = {**BODY, "subscriber": {**BODY["subscriber"], "member_id": member_id}, **changes}
    response = client.post("/v1/verifications", json=body)
    assert response.status_code == 201, response.get_json()
    record: dict[str, Any] = response.get_json()
    return record


def test_an_answer_for_someone_else_is_flagged_by_field_name(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    record = verify(client, "MOCK-OTHER-MEMBER")
    # Asked about Jane Doe, 1985-03-15; the payer answered for ROBERT QUINLAN, 1962-09-02,
    # under the same member id.
    assert record["identity"] == {
        "matches": False,
        "differences": ["first_name", "last_name", "date_of_birth"],
    }
    first_line = record["summary"].splitlines()[0]
    assert first_line.startswith(
        "The payer answered for a different person: first name, last name and date of birth"
    )
    assert client.get(f"/v1/verifications/{record['id']}").get_json() == record
    listed = client.get("/v1/verifications?member_id=MOCK-OTHER-MEMBER").get_json()
    assert listed["items"][0]["identity"]["matches"] is False
    logged = caplog.text.upper()
    assert "QUINLAN" not in logged and "1962" not in logged and "JANE" not in logged


def test_the_person_asked_about_matches_in_an_ordinary_scenario(client: FlaskClient) -> None:
    record = verify(client, "MOCK-IOP-DUAL")
    assert record["identity"] == {"matches": True, "differences": []}
    assert not record["summary"].startswith("The payer answered for a different person")


def test_a_dependent_patient_is_compared_and_the_payers_correction_counts(
    client: FlaskClient,
) -> None:
    record = verify(client, "MOCK-DEPENDENT", patient={**CHILD, "relationship": "child"})
    assert record["determination"]["member"]["first_name"] == "SAM"
    assert record["determination"]["member"]["corrected"] is True
    assert record["identity"] == {"matches": False, "differences": ["payer_correction"]}


@pytest.mark.parametrize("member_id", ["MOCK-NOT-FOUND", "MOCK-PAYER-DOWN", "MOCK-TIMEOUT"])
def test_no_member_in_the_answer_means_the_match_is_unknown(
    client: FlaskClient, member_id: str
) -> None:
    record = verify(client, member_id)
    assert record["identity"] == {"matches": None, "differences": []}


def test_a_record_stored_by_the_previous_release_is_read_with_its_identity(
    app: Flask, client: FlaskClient
) -> None:
    fresh = verify(client, "MOCK-IOP-DUAL")
    old = {**fresh["determination"], "member": dict(fresh["determination"]["member"])}
    del old["member"]["corrected"]  # the previous release stored no such field
    old["member"]["date_of_birth"] = "1985-05-13"
    app.extensions["verifier"].service.repository.add(
        VerificationRecord(
            id="0" * 32,
            payer_id="MOCK",
            member_id="MOCK-IOP-DUAL",
            request=BODY,
            created_at=datetime(2026, 1, 5, tzinfo=UTC),
            state=COMPLETE,
            completed_at=datetime(2026, 1, 5, tzinfo=UTC),
            determination=old,
            summary="Coverage is active.",
            status="active",
        )
    )
    record = client.get(f"/v1/verifications/{'0' * 32}").get_json()
    assert record["identity"] == {"matches": False, "differences": ["date_of_birth"]}
    assert record["summary"].splitlines()[1] == "Coverage is active."


def test_the_openapi_document_describes_identity(client: FlaskClient) -> None:
    spec = client.get("/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    record = schemas["VerificationRecord"]["properties"]
    assert "identity" in record
    identity = schemas["Identity"]["properties"]
    assert identity["matches"]["type"] == ["boolean", "null"] or identity["matches"].get("nullable")
    assert identity["differences"]["items"]["enum"] == [
        "first_name",
        "last_name",
        "date_of_birth",
        "member_id",
        "payer_correction",
    ]
    assert "corrected" in schemas["Member"]["properties"]
