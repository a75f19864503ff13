"""OAuth2, polling and CAQH CORE payers verified over real HTTP through the mock clearinghouse."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from adapters.mock_clearinghouse.server import MockClearinghouse
from tests.e2e.running import request_for
from tests.e2e.test_clearinghouse_e2e import EXPECTED
from tests.helpers import authorized
from verifier.app import create_app
from verifier.store.migrate import upgrade

pytestmark = pytest.mark.e2e

SECRETS = {
    "E2E_CLIENT_ID": "mock-client",
    "E2E_CLIENT_SECRET": "mock-secret",
    "E2E_CORE_USER": "mock-user",
    "E2E_CORE_PASSWORD": "mock-password",
    "E2E_API_KEY": "test-key",
}
OAUTH = """auth = "oauth2"
token_url = "{url}/oauth2/token"
client_id_env = "E2E_CLIENT_ID"
client_secret_env = "E2E_CLIENT_SECRET"
scope = "eligibility"
"""
POLL = "poll = true\npoll_interval_seconds = 0.05\npoll_timeout_seconds = 2\n"
JSON, RAW = 'adapter = "clearinghouse-json"\n', 'adapter = "x12-http"\n'
PAYERS = {
    "OAUTH": JSON + 'base_url = "{url}/oauth2"\n' + OAUTH,
    "ASYNC": RAW + 'base_url = "{url}/async"\napi_key_env = "E2E_API_KEY"\n' + POLL,
    "OAUTH-ASYNC": JSON + 'base_url = "{url}/oauth2/async"\n' + OAUTH + POLL,
    "CORE": (
        'adapter = "core-soap"\nbase_url = "{url}/core/realtime"\nusername_env = "E2E_CORE_USER"\n'
        'password_env = "E2E_CORE_PASSWORD"\nsender_id = "SUBMITTER1"\nreceiver_id = "MOCKCH"\n'
    ),
}


@pytest.fixture
def clearinghouse() -> Iterator[MockClearinghouse]:
    mock = MockClearinghouse(port=0, polls_before_answer=2)
    mock.start()
    yield mock
    mock.stop()


@pytest.fixture
def app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clearinghouse: MockClearinghouse
) -> Iterator[Flask]:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    entries = [
        f'[[payers]]\nid = "{payer}"\nname = "{payer} gateway"\ntimeout_seconds = 1\n'
        + keys.format(url=clearinghouse.url)
        for payer, keys in PAYERS.items()
    ]
    payers = tmp_path / "payers.toml"
    payers.write_text("\n".join(entries))
    database = f"sqlite:///{tmp_path / 'gateways.sqlite3'}"
    upgrade(database)
    flask_app = create_app(
        {"DATABASE_URL": database, "PAYERS_FILE": str(payers), "PAYER_BACKOFF_SECONDS": 0.01}
    )
    yield flask_app
    flask_app.extensions["verifier"].close()


def verify(app: Flask, payer_id: str, member_id: str) -> Any:
    response = authorized(app).post("/v1/verifications", json=request_for(member_id, payer_id))
    assert response.status_code == 201
    return response.get_json()


@pytest.mark.parametrize("payer_id", list(PAYERS))
def test_each_gateway_mode_verifies_every_scenario_and_times_out_on_a_silent_payer(
    app: Flask, payer_id: str
) -> None:
    for member_id, status in EXPECTED.items():
        record = verify(app, payer_id, member_id)
        assert record["state"] == "complete", record["error"]
        assert record["determination"]["status"] == status
    # No answer, or an answer forever in progress: a retryable timeout either way.
    silent = verify(app, payer_id, "MOCK-TIMEOUT")
    assert silent["state"] == "failed"
    assert (silent["error"]["code"], silent["error"]["retryable"]) == ("timeout", True)


def test_payers_sharing_oauth_credentials_use_one_token_until_it_expires_then_renew_on_the_401(
    app: Flask, clearinghouse: MockClearinghouse
) -> None:
    assert verify(app, "OAUTH", "MOCK-HMO")["state"] == "complete"
    assert verify(app, "OAUTH-ASYNC", "MOCK-HMO")["state"] == "complete"
    assert (clearinghouse.tokens.issued, clearinghouse.counters.unauthorized) == (1, 0)
    clearinghouse.tokens.expire_all()  # revoked early: the client still thinks it is fresh
    record = verify(app, "OAUTH", "MOCK-IOP-DUAL")
    assert record["state"] == "complete", record["error"]
    assert (clearinghouse.tokens.issued, clearinghouse.counters.unauthorized) == (2, 1)


def test_asynchronous_answers_are_polled_until_complete(
    app: Flask, clearinghouse: MockClearinghouse
) -> None:
    assert verify(app, "ASYNC", "MOCK-SUD-ONLY")["state"] == "complete"
    # Two "In Progress" answers, then the answer itself.
    assert clearinghouse.counters.polls == 3


@pytest.mark.parametrize(
    ("payer_id", "variable"), [("OAUTH", "E2E_CLIENT_SECRET"), ("CORE", "E2E_CORE_PASSWORD")]
)
def test_wrong_credentials_fail_the_verification_for_good_without_showing_them(
    app: Flask, monkeypatch: pytest.MonkeyPatch, payer_id: str, variable: str
) -> None:
    monkeypatch.setenv(variable, "wrong-secret-value")
    record = verify(app, payer_id, "MOCK-HMO")
    assert record["state"] == "failed"
    assert (record["error"]["code"], record["error"]["retryable"]) == ("credentials_refused", False)
    assert "wrong-secret-value" not in json.dumps(record)
