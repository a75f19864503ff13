"""Logs are JSON lines with a request id, and a whole flow leaves no PHI in them."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable

import pytest
from flask import Flask

from tests.helpers import authorized
from verifier.batch import Worker
from verifier.logs import configure_logging, get_logger

MEMBER, FIRST, LAST, BORN = "MOCK-IOP-DUAL", "Philippa", "Quartermaine", "1981-07-09"


@pytest.fixture
def captured() -> io.StringIO:
    stream = io.StringIO()
    yield stream
    configure_logging()


def test_a_whole_flow_logs_no_member_id_name_or_birth_date(
    make_app: Callable[..., Flask], captured
) -> None:
    app = make_app(MOCK_TIMEOUT_SECONDS=0.01)
    configure_logging(stream=captured)
    client = authorized(app)
    subscriber = {
        "member_id": MEMBER,
        "first_name": FIRST,
        "last_name": LAST,
        "date_of_birth": BORN,
    }
    body = {"payer_id": "MOCK", "subscriber": subscriber}
    client.post("/v1/verifications", json=body, headers={"X-Request-Id": "flow-00000001"})
    client.post(
        "/v1/verifications",
        json={
            **body,
            "mode": "async",
            "subscriber": {**subscriber, "member_id": "MOCK-TIMEOUT"},
        },
    )
    client.post("/v1/verifications", json={**body, "payer_id": "NOPE"})
    client.post("/v1/verifications", json={**body, "subscriber": {**subscriber, "first_name": 5}})
    client.post("/v1/verifications", data=f"{{{MEMBER} {FIRST}", content_type="application/json")
    client.get(f"/v1/verifications?member_id={MEMBER}")
    services = app.extensions["verifier"]
    Worker(services.service, services.queue, app.extensions["settings"]).run(until_idle=True)
    get_logger("test").info("an attempt to log PHI", member_id=MEMBER, name=FIRST)
    logging.getLogger("test").info("flow finished")
    text = captured.getvalue()
    lines = [json.loads(line) for line in text.splitlines()]
    assert any(line.get("request_id") == "flow-00000001" for line in lines)
    assert any(line["event"] == "job finished" for line in lines)
    assert any(line["event"] == "an attempt to log PHI" for line in lines)
    for secret in (MEMBER, FIRST, LAST, BORN, "19810709"):
        assert secret not in text
