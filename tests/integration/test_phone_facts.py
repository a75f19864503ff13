"""Facts confirmed by phone sit beside the payer's electronic answer, saying who and when."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask

from tests.helpers import authorized

BODY = {
    "payer_id": "MOCK",
    "subscriber": {
        "member_id": "MOCK-CARVE-OUT",
        "first_name": "Jane",
        "last_name": "Doe",
        "date_of_birth": "1985-03-15",
    },
}
CALL = {
    "rep_name": "Dana at Mindbridge",
    "call_reference": "CALL-7781",
    "level": "iop_substance_use",
    "covered": True,
    "prior_auth_required": True,
    "prior_auth_phone": "800-555-0123",
    "day_limit": 30,
}


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    return make_app()


def test_a_call_overrides_unknown_values_and_says_so(app: Flask) -> None:
    client = authorized(app, ("verifications:read", "verifications:write"))
    record = client.post("/v1/verifications", json=BODY).get_json()
    level = record["determination"]["levels_of_care"]["iop_substance_use"]
    assert level["covered"] is None
    response = client.post(f"/v1/verifications/{record['id']}/phone-facts", json=CALL)
    assert response.status_code == 201
    shown = client.get(f"/v1/verifications/{record['id']}").get_json()
    level = shown["determination"]["levels_of_care"]["iop_substance_use"]
    assert level["covered"] is True
    assert level["source"] == {"covered": "phone", "prior_auth_required": "phone"}
    confirmed = level["confirmed_by_phone"]["day_limit"]
    assert confirmed["value"] == 30
    assert confirmed["representative"] == "Dana at Mindbridge"
    assert confirmed["call_reference"] == "CALL-7781"
    assert confirmed["recorded_by"] == "test"
    mental = shown["determination"]["levels_of_care"]["iop_mental_health"]
    assert mental["source"]["covered"] == "electronic"
    assert shown["phone_facts"][0]["call_reference"] == "CALL-7781"


def test_a_read_only_key_cannot_add_phone_facts(app: Flask) -> None:
    writer = authorized(app)
    record = writer.post("/v1/verifications", json=BODY).get_json()
    reader = authorized(app, ("verifications:read",))
    refused = reader.post(f"/v1/verifications/{record['id']}/phone-facts", json=CALL)
    assert refused.status_code == 403
    bad = writer.post(f"/v1/verifications/{record['id']}/phone-facts", json={**CALL, "level": "x"})
    assert bad.status_code == 422
