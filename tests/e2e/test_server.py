"""The real service under gunicorn on a free port: every mock scenario over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.running import create_keys, free_port, request_for, serve

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


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    database = f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'verifier.sqlite3'}"
    [token] = create_keys(database, ("e2e", ["admin"], []))
    env = {"VERIFIER_DATABASE_URL": database, "VERIFIER_MOCK_TIMEOUT_SECONDS": "0.2"}
    with serve(free_port(), env) as served:
        yield served.base, {"Authorization": f"Bearer {token}"}
    for secret in (b"Jane", b"MOCK-IOP-DUAL", b"1985-03-15", b"19850315"):
        assert secret not in served.logged


@pytest.mark.parametrize("member_id", sorted(EXPECTED))
def test_every_mock_scenario_over_http(server: tuple[str, dict[str, str]], member_id: str) -> None:
    base, auth = server
    body = request_for(member_id)
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
    body = request_for("MOCK-TIMEOUT")
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


def posted(base: str, auth: dict[str, str]) -> float:
    """Verifications answered 201, as /metrics counts them."""
    text = httpx.get(f"{base}/metrics", headers=auth, timeout=5).text
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels = sample.labels
            if (
                sample.name == "verifier_http_requests_total"
                and labels.get("route") == "/v1/verifications"
                and labels.get("method") == "POST"
                and labels.get("status") == "201"
            ):
                return sample.value
    return 0.0


def test_metrics_count_what_every_worker_served(server: tuple[str, dict[str, str]]) -> None:
    base, auth = server
    body = request_for("MOCK-TIMEOUT")
    before = posted(base, auth)
    # Two at once: each holds a sync worker until the mock payer times out, so both workers
    # serve one. A scrape, whichever worker answers it, must count both.
    with ThreadPoolExecutor(max_workers=2) as pool:
        sent = [
            pool.submit(httpx.post, f"{base}/v1/verifications", json=body, headers=auth, timeout=10)
            for _ in range(2)
        ]
        assert [future.result().status_code for future in sent] == [201, 201]
    assert [posted(base, auth) - before for _ in range(4)] == [2, 2, 2, 2]


def test_a_payer_slower_than_the_synchronous_wait_ends_as_a_timeout(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    database = f"sqlite:///{tmp_path_factory.mktemp('slow') / 'verifier.sqlite3'}"
    [token] = create_keys(database, ("e2e", ["admin"], []))
    # The mock payer hangs for 5 s on MOCK-TIMEOUT; staff wait 1 s at most.
    env = {
        "VERIFIER_DATABASE_URL": database,
        "VERIFIER_MOCK_TIMEOUT_SECONDS": "5",
        "VERIFIER_SYNC_TIMEOUT_SECONDS": "1",
    }
    body = request_for("MOCK-TIMEOUT")
    with serve(free_port(), env) as served:
        auth = {"Authorization": f"Bearer {token}"}
        url = f"{served.base}/v1/verifications"
        response = httpx.post(url, json=body, headers=auth, timeout=10)
        assert response.status_code == 201
        assert response.elapsed.total_seconds() < 4
        record = response.json()
        assert record["state"] == "failed"
        assert record["error"]["code"] == "timeout"
        assert "within 1 seconds" in record["error"]["message"]
        stored = httpx.get(f"{url}/{record['id']}", headers=auth, timeout=5).json()
        assert stored["state"] == "failed"
