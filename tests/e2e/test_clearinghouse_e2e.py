"""Verifications through the real adapters against the mock clearinghouse, failures included."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from adapters.mock_clearinghouse.server import MockClearinghouse
from tests.e2e.running import request_for
from tests.helpers import authorized
from verifier.app import create_app
from verifier.store.migrate import upgrade

pytestmark = pytest.mark.e2e

EXPECTED = {
    "MOCK-IOP-DUAL": "active",
    "MOCK-INACTIVE": "inactive",
    "MOCK-NOT-FOUND": "not_found",
    "MOCK-HMO": "active",
    "MOCK-DEPENDENT": "active",
    "MOCK-SUD-ONLY": "active",
}
PAYER_FAILURES = {"timeout", "payer_unreachable", "throttled", "circuit_open", "unreadable_answer"}


def directory(base_url: str) -> str:
    entries = []
    for payer_id, adapter in (("RAW", "x12-http"), ("JSON", "clearinghouse-json")):
        entries.append(
            f'[[payers]]\nid = "{payer_id}"\nname = "{adapter} payer"\nadapter = "{adapter}"\n'
            f'base_url = "{base_url}"\napi_key_env = "E2E_CLEARINGHOUSE_KEY"\n'
            f'service_types = ["30", "MH", "AI"]\ntimeout_seconds = 1\n'
        )
    return "\n".join(entries)


def app_for(tmp_path: Path, base_url: str, monkeypatch: pytest.MonkeyPatch) -> Flask:
    monkeypatch.setenv("E2E_CLEARINGHOUSE_KEY", "test-key")
    payers = tmp_path / "payers.toml"
    payers.write_text(directory(base_url))
    database = f"sqlite:///{tmp_path / 'e2e.sqlite3'}"
    upgrade(database)
    return create_app(
        {"DATABASE_URL": database, "PAYERS_FILE": str(payers), "PAYER_BACKOFF_SECONDS": 0.01}
    )


@pytest.fixture
def clearinghouse(request: pytest.FixtureRequest) -> Iterator[MockClearinghouse]:
    mock = MockClearinghouse(port=0, **getattr(request, "param", {}))
    mock.start()
    yield mock
    mock.stop()


def post(app: Flask, payer_id: str, member_id: str) -> Any:
    body = request_for(member_id, payer_id)
    response = authorized(app).post("/v1/verifications", json=body)
    assert response.status_code == 201
    return response.get_json()


@pytest.mark.parametrize("payer_id", ["RAW", "JSON"])
def test_each_adapter_verifies_every_scenario_through_the_clearinghouse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clearinghouse: MockClearinghouse, payer_id: str
) -> None:
    app = app_for(tmp_path, clearinghouse.url, monkeypatch)
    try:
        for member_id, status in EXPECTED.items():
            record = post(app, payer_id, member_id)
            assert record["state"] == "complete", record["error"]
            assert record["determination"]["status"] == status
        timed_out = post(app, payer_id, "MOCK-TIMEOUT")
        assert timed_out["state"] == "failed"
        assert timed_out["error"]["code"] == "timeout"
    finally:
        app.extensions["verifier"].close()


@pytest.mark.parametrize("clearinghouse", [{"fail_rate": 0.3, "seed": 7}], indirect=True)
def test_with_thirty_percent_failures_every_verification_ends_stored_with_the_right_status(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clearinghouse: MockClearinghouse
) -> None:
    app = app_for(tmp_path, clearinghouse.url, monkeypatch)
    records = []
    try:
        for _ in range(3):
            for payer_id in ("RAW", "JSON"):
                for member_id in EXPECTED:
                    records.append((member_id, post(app, payer_id, member_id)))
        stored = authorized(app).get("/v1/verifications?limit=200").get_json()
    finally:
        app.extensions["verifier"].close()
    assert stored["total"] == len(records)
    assert clearinghouse.counters.injected_failures > 0
    complete = 0
    for member_id, record in records:
        assert record["state"] in ("complete", "failed")
        if record["state"] == "complete":
            complete += 1
            assert record["determination"]["status"] == EXPECTED[member_id]
        else:
            assert record["error"]["code"] in PAYER_FAILURES
            assert record["request"]["subscriber"]["member_id"] == member_id
    assert complete >= len(records) // 2
