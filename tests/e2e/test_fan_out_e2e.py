"""Adaptive fan-out over real HTTP: through the mock clearinghouse, a payer whose generic answer
already states the behavioral benefits is asked once, and the answer reads the same as asking
every service type."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from adapters.mock_clearinghouse.server import MockClearinghouse
from tests.e2e.running import request_for
from tests.helpers import authorized
from verifier.app import create_app
from verifier.store.migrate import upgrade

pytestmark = pytest.mark.e2e


@pytest.fixture
def clearinghouse() -> Iterator[MockClearinghouse]:
    mock = MockClearinghouse(port=0)
    mock.start()
    yield mock
    mock.stop()


def payer(payer_id: str, fan_out: str, base_url: str) -> str:
    return (
        f'[[payers]]\nid = "{payer_id}"\nname = "{fan_out} payer"\nadapter = "x12-http"\n'
        f'base_url = "{base_url}"\napi_key_env = "E2E_CLEARINGHOUSE_KEY"\n'
        f'service_types = ["30", "MH", "AI", "CH", "CJ"]\nfan_out = "{fan_out}"\n'
    )


def without_citations(levels: dict[str, Any]) -> dict[str, Any]:
    # Evidence names the inquiry each row came from; which call brought a row is not benefit.
    return {name: {**level, "evidence": None} for name, level in levels.items()}


def test_adaptive_asks_once_where_all_asks_each_type_and_both_read_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clearinghouse: MockClearinghouse
) -> None:
    monkeypatch.setenv("E2E_CLEARINGHOUSE_KEY", "test-key")
    payers = tmp_path / "payers.toml"
    url = clearinghouse.url
    payers.write_text(payer("ALL", "all", url) + "\n" + payer("ADAPTIVE", "adaptive", url))
    database = f"sqlite:///{tmp_path / 'e2e.sqlite3'}"
    upgrade(database)
    app = create_app({"DATABASE_URL": database, "PAYERS_FILE": str(payers)})
    answers, calls = {}, {}
    try:
        client = authorized(app)
        for payer_id in ("ALL", "ADAPTIVE"):
            before = clearinghouse.counters.requests
            body = request_for("MOCK-IOP-DUAL", payer_id)
            answers[payer_id] = client.post("/v1/verifications", json=body).get_json()
            calls[payer_id] = clearinghouse.counters.requests - before
    finally:
        app.extensions["verifier"].close()
    assert calls == {"ALL": 5, "ADAPTIVE": 1}
    every, adaptive = answers["ALL"]["determination"], answers["ADAPTIVE"]["determination"]
    assert adaptive["status"] == every["status"] == "active"
    assert without_citations(adaptive["levels_of_care"]) == without_citations(
        every["levels_of_care"]
    )
    assert adaptive["deductible"] == every["deductible"]
