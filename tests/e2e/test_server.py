"""The real service under gunicorn on a free port: every mock scenario over HTTP."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from verifier.app import create_app
from verifier.security.keys import new_key
from verifier.store.migrate import upgrade

pytestmark = pytest.mark.e2e

EXPECTED = {
    "MOCK-IOP-DUAL": ("complete", "active", True),
    "MOCK-MH-ONLY": ("complete", "active", False),
    "MOCK-SUD-ONLY": ("complete", "active", False),
    "MOCK-INACTIVE": ("complete", "inactive", False),
    "MOCK-NOT-FOUND": ("complete", "not_found", None),
    "MOCK-CARVE-OUT": ("complete", "active", None),
    "MOCK-HMO": ("complete", "active", True),
    "MOCK-DEPENDENT": ("complete", "active", True),
    "MOCK-DEDUCTIBLE-MET": ("complete", "active", True),
    "MOCK-PAYER-DOWN": ("complete", "payer_unavailable", None),
    "SOMEONE-ELSE": ("complete", "not_found", None),
}


def admin_key(database_url: str) -> str:
    """Migrate the server's database and create a key in it, as an operator would."""
    upgrade(database_url)
    app = create_app({"DATABASE_URL": database_url})
    try:
        fresh = new_key("e2e", ["admin"], [], datetime.now(UTC))
        app.extensions["verifier"].keys.add(fresh)
    finally:
        app.extensions["verifier"].close()
    return fresh.token


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    port = free_port()
    database = tmp_path_factory.mktemp("e2e") / "verifier.sqlite3"
    env = {
        **os.environ,
        "VERIFIER_DATABASE_URL": f"sqlite:///{database}",
        "VERIFIER_MOCK_TIMEOUT_SECONDS": "0.2",
    }
    token = admin_key(f"sqlite:///{database}")
    command = [str(Path(sys.executable).with_name("verifier")), "serve", "--port", str(port)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail("the server did not start")
        yield base, {"Authorization": f"Bearer {token}"}
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=20)
        # Past the start-up banner (whose example curl names an invented member), no PHI is logged.
        served = output.split(b"Starting gunicorn", 1)[-1]
        assert b"Jane" not in served
        assert b"MOCK-IOP-DUAL" not in served
        assert b"1985" not in served


@pytest.mark.parametrize("member_id", sorted(EXPECTED))
def test_every_mock_scenario_over_http(server: tuple[str, dict[str, str]], member_id: str) -> None:
    base, auth = server
    body = {
        "payer_id": "MOCK",
        "subscriber": {
            "member_id": member_id,
            "first_name": "Jane",
            "last_name": "Doe",
            "date_of_birth": "1985-03-15",
        },
    }
    response = httpx.post(f"{base}/v1/verifications", json=body, headers=auth, timeout=10)
    assert response.status_code == 201
    record = response.json()
    state, status, dual = EXPECTED[member_id]
    assert record["state"] == state
    assert record["determination"]["status"] == status
    assert record["determination"]["dual_diagnosis"]["covered"] is dual
    again = httpx.get(f"{base}/v1/verifications/{record['id']}", headers=auth, timeout=10).json()
    assert again["determination"] == record["determination"]


def test_timeout_scenario_fails_with_a_reason_over_http(server: tuple[str, dict[str, str]]) -> None:
    base, auth = server
    body = {
        "payer_id": "MOCK",
        "subscriber": {
            "member_id": "MOCK-TIMEOUT",
            "first_name": "Jane",
            "last_name": "Doe",
            "date_of_birth": "1985-03-15",
        },
    }
    record = httpx.post(f"{base}/v1/verifications", json=body, headers=auth, timeout=10).json()
    assert record["state"] == "failed"
    assert record["error"]["code"] == "timeout"


def test_readiness_and_docs_are_public_and_the_api_is_not(
    server: tuple[str, dict[str, str]],
) -> None:
    base, _ = server
    assert httpx.get(f"{base}/readyz", timeout=5).json()["database"] == "reachable"
    assert httpx.get(f"{base}/openapi.json", timeout=5).status_code == 200
    assert httpx.get(f"{base}/docs", timeout=5).status_code == 200
    assert httpx.get(f"{base}/v1/verifications", timeout=5).status_code == 401
