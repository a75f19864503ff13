"""The HTTP API through Flask's test client, on a real database (SQLite, and PostgreSQL in CI)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.helpers import authorized
from verifier.app import create_app

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


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    return make_app(MOCK_TIMEOUT_SECONDS=0.05, TESTING=True)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return authorized(app)


def verify(client: FlaskClient, member_id: str, **changes: Any) -> Any:
    body = {**BODY, "subscriber": {**BODY["subscriber"], "member_id": member_id}, **changes}
    return client.post("/v1/verifications", json=body)


def test_post_verification_stores_and_returns_the_complete_record(client: FlaskClient) -> None:
    response = verify(client, "MOCK-IOP-DUAL")
    assert response.status_code == 201
    record = response.get_json()
    assert record["state"] == "complete"
    assert record["error"] is None
    assert record["request"] == BODY
    assert (
        record["determination"]["levels_of_care"]["iop_mental_health"]["in_network"]["copay"]
        == "40.00"
    )
    assert "prior authorization" in record["summary"].lower()
    fetched = client.get(f"/v1/verifications/{record['id']}").get_json()
    assert fetched == record


def test_a_payer_that_never_answers_gives_a_failed_record_not_an_error(client: FlaskClient) -> None:
    response = verify(client, "MOCK-TIMEOUT")
    assert response.status_code == 201
    record = response.get_json()
    assert record["state"] == "failed"
    assert record["error"]["code"] == "timeout"
    assert record["error"]["retryable"] is True
    assert record["request"]["subscriber"]["member_id"] == "MOCK-TIMEOUT"


def test_a_payer_rejection_completes_the_verification(client: FlaskClient) -> None:
    record = verify(client, "MOCK-PAYER-DOWN").get_json()
    assert record["state"] == "complete"
    assert record["determination"]["status"] == "payer_unavailable"
    assert record["determination"]["rejection"]["retryable"] is True


def test_list_filters_by_member_payer_status_and_paginates(client: FlaskClient) -> None:
    for member in ("MOCK-IOP-DUAL", "MOCK-IOP-DUAL", "MOCK-INACTIVE"):
        verify(client, member)
    page = client.get("/v1/verifications?member_id=MOCK-IOP-DUAL&limit=1").get_json()
    assert page["total"] == 2
    assert len(page["items"]) == 1
    inactive = client.get("/v1/verifications?status=inactive&payer_id=MOCK").get_json()
    assert [r["request"]["subscriber"]["member_id"] for r in inactive["items"]] == ["MOCK-INACTIVE"]
    today = client.get("/v1/verifications?created_from=2000-01-01&created_to=2999-12-31").get_json()
    assert today["total"] == 3


def test_history_lists_every_verification_of_the_same_member(client: FlaskClient) -> None:
    first = verify(client, "MOCK-HMO").get_json()
    second = verify(client, "MOCK-HMO").get_json()
    verify(client, "MOCK-SUD-ONLY")
    history = client.get(f"/v1/verifications/{first['id']}/history").get_json()
    assert [r["id"] for r in history["items"]] == [second["id"], first["id"]]


def test_payer_directory_is_searchable_by_name(client: FlaskClient) -> None:
    assert client.get("/v1/payers?q=demo").get_json()[0]["id"] == "MOCK"
    assert client.get("/v1/payers?q=nobody").get_json() == []


def test_payer_search_answers_at_most_the_limit_asked_for_and_refuses_a_bad_one(
    make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    payers = tmp_path / "payers.toml"
    payers.write_text(
        "".join(f'[[payers]]\nid = "P{n}"\nname = "Plan {n}"\n' for n in range(30)), "utf-8"
    )
    client = authorized(make_app(PAYERS_FILE=str(payers)))
    assert len(client.get("/v1/payers?q=plan").get_json()) == 20  # the default
    assert [p["id"] for p in client.get("/v1/payers?q=p1&limit=2").get_json()] == ["P1", "P10"]
    assert client.get("/v1/payers?limit=0").status_code == 422


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"payer_id": "NOPE"}, "payer_id", "We don't know this insurance company"),
        ({"service_date": "2026-02-30"}, "service_date", "real date"),
        (
            {"subscriber": {**BODY["subscriber"], "date_of_birth": "2999-01-01"}},
            "subscriber.date_of_birth",
            "future",
        ),
        (
            {"subscriber": {**BODY["subscriber"], "first_name": 7}},
            "subscriber.first_name",
            "Not a valid string",
        ),
        ({"provider": {"npi": "123", "name": "X"}}, "provider.npi", "10 digits"),
        ({"surprise": True}, "surprise", "not part of the API"),
        (
            {
                "patient": {
                    "first_name": "Sam",
                    "last_name": "Doe",
                    "date_of_birth": "2009-07-04",
                    "relationship": "cousin",
                }
            },
            "patient.relationship",
            "spouse, child or other",
        ),
    ],
)
def test_bad_fields_get_a_422_naming_each_field_in_words(
    client: FlaskClient, change: dict[str, Any], field: str, message: str
) -> None:
    response = client.post("/v1/verifications", json={**BODY, **change})
    assert response.status_code == 422
    body = response.get_json()
    assert set(body) == {"code", "status", "message", "errors"}
    assert any(message in text for text in body["errors"][field])


def test_malformed_json_and_oversized_bodies_get_a_clear_4xx(client: FlaskClient) -> None:
    malformed = client.post("/v1/verifications", data="{nope", content_type="application/json")
    assert malformed.status_code == 400
    assert malformed.get_json()["message"]
    huge = client.post("/v1/verifications", data="x" * 100_000, content_type="application/json")
    assert huge.status_code == 413
    assert client.post("/v1/verifications", json=[1, 2]).status_code == 422


def test_unknown_verification_is_a_404_in_the_error_shape(client: FlaskClient) -> None:
    response = client.get("/v1/verifications/does-not-exist")
    assert response.status_code == 404
    assert response.get_json()["message"] == "No verification has this id."


def test_health_readiness_openapi_and_metrics(client: FlaskClient) -> None:
    assert client.get("/healthz").get_json() == {"status": "ok"}
    assert client.get("/readyz").status_code == 200
    spec = client.get("/openapi.json").get_json()
    assert "/v1/verifications" in spec["paths"]
    assert "DeterminationSchema" in str(spec["components"]["schemas"]) or "Determination" in str(
        spec
    )
    verify(client, "MOCK-IOP-DUAL")
    metrics = client.get("/metrics").get_data(as_text=True)
    assert 'verifier_verifications_total{outcome="active",payer="MOCK"} 1.0' in metrics
    assert "MOCK-IOP-DUAL" not in metrics and "Jane" not in metrics


def test_readiness_fails_when_the_database_is_unreachable(tmp_path) -> None:
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/missing/dir/db.sqlite3"})
    try:
        assert app.test_client().get("/readyz").status_code == 503
    finally:
        app.extensions["verifier"].close()


def test_the_printable_vob_is_a_pdf_and_its_export_is_audited(client: FlaskClient) -> None:
    record = verify(client, "MOCK-IOP-DUAL").get_json()
    response = client.get(f"/v1/verifications/{record['id']}/vob.pdf")
    assert response.status_code == 200
    assert response.data.startswith(b"%PDF")
    assert (
        response.headers["Content-Disposition"] == f'attachment; filename="vob-{record["id"]}.pdf"'
    )
    trail = client.get("/v1/audit?action=export").get_json()
    assert [e["resource_id"] for e in trail["items"]] == [record["id"]]
