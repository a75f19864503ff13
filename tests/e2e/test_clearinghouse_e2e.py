"""Verifications through the real adapters against the mock clearinghouse, failures included."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from flask import Flask

from adapters.mock_clearinghouse.server import MockClearinghouse
from tests.e2e.running import create_keys, free_port, request_for, serve
from tests.helpers import authorized
from verifier.app import create_app
from verifier.store.migrate import upgrade

pytestmark = pytest.mark.e2e

VERIFIER = str(Path(sys.executable).with_name("verifier"))

EXPECTED = {
    "MOCK-IOP-DUAL": "active",
    "MOCK-INACTIVE": "inactive",
    "MOCK-NOT-FOUND": "not_found",
    "MOCK-HMO": "active",
    "MOCK-DEPENDENT": "active",
    "MOCK-SUD-ONLY": "active",
}
# What a faulty gateway may leave after retries; never unreadable_answer, which is final.
PAYER_FAILURES = {"timeout", "payer_unreachable", "throttled", "circuit_open", "garbled_answer"}


def directory(base_url: str, service_types: str = '["30", "MH", "AI"]') -> str:
    entries = []
    for payer_id, adapter in (("RAW", "x12-http"), ("JSON", "clearinghouse-json")):
        entries.append(
            f'[[payers]]\nid = "{payer_id}"\nname = "{adapter} payer"\nadapter = "{adapter}"\n'
            f'base_url = "{base_url}"\napi_key_env = "E2E_CLEARINGHOUSE_KEY"\n'
            f"service_types = {service_types}\ntimeout_seconds = 1\n"
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
            assert record["determination"]["status"] == EXPECTED.get(member_id, "not_found")
        else:
            assert record["error"]["code"] in PAYER_FAILURES
            assert record["request"]["subscriber"]["member_id"] == member_id
    assert complete >= len(records) // 2


@pytest.mark.parametrize("clearinghouse", [{"fail_rate": 0.3, "seed": 18}], indirect=True)
def test_async_verifications_through_a_faulty_gateway_end_complete_or_retryable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clearinghouse: MockClearinghouse
) -> None:
    # One inquiry per verification, so a garbled body cannot hide behind a sibling's answer.
    payers = tmp_path / "payers.toml"
    payers.write_text(directory(clearinghouse.url, service_types='["30"]'))
    monkeypatch.setenv("VERIFIER_DATA_KEY_FILE", str(tmp_path / "data-keys"))
    database = f"sqlite:///{tmp_path / 'async.sqlite3'}"
    [token] = create_keys(database, ("e2e", ["admin"], []))
    auth = {"Authorization": f"Bearer {token}"}
    env = {
        "VERIFIER_DATABASE_URL": database,
        "VERIFIER_PAYERS_FILE": str(payers),
        "VERIFIER_PAYER_BACKOFF_SECONDS": "0.01",
        "E2E_CLEARINGHOUSE_KEY": "test-key",
    }
    # Distinct members (a member already queued with a payer is not queued twice); the
    # invented ones are not found, which is an answer too. 36 verifications in all.
    invented = [f"E2E-{n:02d}" for n in range(12)]
    members = [(p, m) for p in ("RAW", "JSON") for m in [*EXPECTED, *invented]]
    with serve(free_port(), env) as served:
        for payer_id, member_id in members:
            body = {**request_for(member_id, payer_id), "mode": "async"}
            queued = httpx.post(f"{served.base}/v1/verifications", json=body, headers=auth)
            assert queued.status_code == 202
        worker = [VERIFIER, "worker", "--until-idle", "--concurrency", "1"]
        subprocess.run(worker, env={**os.environ, **env}, check=True, capture_output=True)
        listed = httpx.get(f"{served.base}/v1/verifications?limit=200", headers=auth).json()
    garbled = clearinghouse.counters.injected_by_kind
    assert garbled.get("truncated-json", 0) + garbled.get("not-json", 0) > 0
    records = listed["items"]
    assert len(records) == len(members)
    ends = Counter(
        record["state"] if record["state"] == "complete" else record["error"]["code"]
        for record in records
    )
    assert set(ends) <= {"complete"} | PAYER_FAILURES, ends
    assert all(r["error"]["retryable"] for r in records if r["state"] == "failed")
    assert ends["complete"] >= len(members) * 0.8
    for record in records:
        if record["state"] == "complete":
            member_id = record["request"]["subscriber"]["member_id"]
            assert record["determination"]["status"] == EXPECTED.get(member_id, "not_found")
