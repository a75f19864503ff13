"""POST /v1/verifications/{id}/estimate through Flask's test client, on a real database."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.helpers import authorized

BODY: dict[str, Any] = {
    "payer_id": "MOCK",
    "subscriber": {
        "member_id": "MOCK-IOP-DUAL",
        "first_name": "Jane",
        "last_name": "Doe",
        "date_of_birth": "1985-03-15",
        "group_number": "GRP1001",
    },
    "service_date": "2026-11-27",
}
COURSE: dict[str, Any] = {"days_per_week": 3, "weeks": 12, "charge_per_day": "300.00"}


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    return make_app(MOCK_TIMEOUT_SECONDS=0.05, TESTING=True)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return authorized(app)


def verified(client: FlaskClient, member_id: str) -> str:
    body = {**BODY, "subscriber": {**BODY["subscriber"], "member_id": member_id}}
    response = client.post("/v1/verifications", json=body)
    assert response.status_code == 201
    return str(response.get_json()["id"])


def estimate(client: FlaskClient, verification_id: str, **changes: Any) -> Any:
    return client.post(f"/v1/verifications/{verification_id}/estimate", json={**COURSE, **changes})


def test_dual_ppo_course_in_network(client: FlaskClient) -> None:
    # 36 days x $300 = $10,800: $900 deductible (3 days), then 33 x $40 copay = $1,320.
    verification_id = verified(client, "MOCK-IOP-DUAL")
    response = estimate(client, verification_id)
    assert response.status_code == 200
    body = response.get_json()
    assert body["verification_id"] == verification_id
    assert (body["level"], body["network"], body["days"]) == ("iop_mental_health", "in_network", 36)
    assert (body["total_charge"], body["client_pays"], body["plan_pays"]) == (
        "10800.00",
        "2220.00",
        "8580.00",
    )
    assert body["charge_per_day"] == "300.00"
    assert body["unknown"] == []
    assert "Then $40.00 copay per day for 33 days = $1,320.00." in body["steps"]
    assert "not a guarantee of payment" in body["disclaimer"]


def test_out_of_network_substance_use_with_defaults_overridden(client: FlaskClient) -> None:
    # 40 days x $250: $3,000 deductible (12 days), then 28 x 40% x $250 = $2,800 -> $5,800.
    verification_id = verified(client, "MOCK-IOP-DUAL")
    body = estimate(
        client,
        verification_id,
        days_per_week=5,
        weeks=8,
        charge_per_day="250",
        network="out_of_network",
        level="iop_substance_use",
    ).get_json()
    assert (body["total_charge"], body["client_pays"], body["plan_pays"]) == (
        "10000.00",
        "5800.00",
        "4200.00",
    )


def test_an_inactive_plan_gives_the_full_charge(client: FlaskClient) -> None:
    body = estimate(client, verified(client, "MOCK-INACTIVE")).get_json()
    assert (body["client_pays"], body["plan_pays"]) == ("10800.00", "0.00")


def test_an_unknown_verification_is_404(client: FlaskClient) -> None:
    response = estimate(client, "no-such-verification")
    assert response.status_code == 404
    assert response.get_json()["message"] == "No verification has this id."


@pytest.mark.parametrize(
    ("member_id", "words"), [("MOCK-TIMEOUT", "failed"), ("MOCK-NOT-FOUND", "not_found")]
)
def test_a_verification_without_usable_benefits_is_409(
    client: FlaskClient, member_id: str, words: str
) -> None:
    response = estimate(client, verified(client, member_id))
    assert response.status_code == 409
    assert words in response.get_json()["message"]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"days_per_week": 0}, "days_per_week", "between 1 and 7"),
        ({"days_per_week": 8}, "days_per_week", "between 1 and 7"),
        ({"days_per_week": "3"}, "days_per_week", "whole number"),
        ({"weeks": 53}, "weeks", "between 1 and 52"),
        ({"charge_per_day": "0"}, "charge_per_day", "above 0"),
        ({"charge_per_day": "-5"}, "charge_per_day", "dollars and cents"),
        ({"charge_per_day": "1.234"}, "charge_per_day", "dollars and cents"),
        ({"charge_per_day": 300}, "charge_per_day", "dollars and cents"),
        ({"charge_per_day": None}, "charge_per_day", "required"),
        ({"network": "maybe"}, "network", "in_network or out_of_network"),
        ({"level": "php_mental_health"}, "level", "iop_mental_health or iop_substance_use"),
        ({"surprise": True}, "surprise", "not part of the API"),
    ],
)
def test_bad_course_fields_get_a_422_naming_each_field(
    client: FlaskClient, change: dict[str, Any], field: str, message: str
) -> None:
    response = estimate(client, verified(client, "MOCK-IOP-DUAL"), **change)
    assert response.status_code == 422
    body = response.get_json()
    assert any(message in text for text in body["errors"][field])


def test_a_missing_field_is_named(client: FlaskClient) -> None:
    verification_id = verified(client, "MOCK-IOP-DUAL")
    response = client.post(f"/v1/verifications/{verification_id}/estimate", json={"weeks": 8})
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert errors["days_per_week"] == ["This field is required."]
    assert errors["charge_per_day"] == ["This field is required."]
