"""Settings as an operator sets them, through the app, the worker and the command line."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from click.testing import CliRunner
from flask import Flask

from tests.helpers import SCENARIOS, authorized
from verifier.batch import Worker
from verifier.cli import main

BODY: dict[str, Any] = {
    "payer_id": "RAW",
    "subscriber": {
        "member_id": "MOCK-IOP-DUAL",
        "first_name": "Jane",
        "last_name": "Doe",
        "date_of_birth": "1985-03-15",
    },
}


def raw_x12_directory(tmp_path: Path, base_url: str) -> str:
    payers = tmp_path / "payers.toml"
    payers.write_text(
        '[[payers]]\nid = "RAW"\nname = "Raw payer"\nadapter = "x12-http"\n'
        f'base_url = "{base_url}"\napi_key_env = "SETTINGS_TEST_KEY"\n'
        'service_types = ["30"]\ntimeout_seconds = 2\n'
    )
    return str(payers)


@respx.mock
def test_a_numeric_provider_npi_from_the_environment_is_sent_in_the_270(
    make_app: Callable[..., Flask], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every real deployment sets its NPI; all digits, it once arrived as an int and failed
    # every x12-http verification that named no provider as internal_error.
    monkeypatch.setenv("VERIFIER_PROVIDER_NPI", "1992753883")
    monkeypatch.setenv("SETTINGS_TEST_KEY", "test-key")
    answer = (SCENARIOS / "MOCK-IOP-DUAL.271").read_text()
    route = respx.post(url__regex=r"/raw-x12$").mock(
        return_value=httpx.Response(200, json={"x12": answer})
    )
    app = make_app(PAYERS_FILE=raw_x12_directory(tmp_path, "http://payer.test"))
    response = authorized(app).post("/v1/verifications", json=BODY)
    record = response.get_json()
    assert response.status_code == 201
    assert (record["state"], record["determination"]["status"]) == ("complete", "active")
    sent = json.loads(route.calls.last.request.content)["x12"]
    assert "*XX*1992753883~" in sent


def test_a_numeric_webhook_secret_signs_the_webhook(
    make_app: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VERIFIER_WEBHOOK_SECRET", "424242")
    app = make_app()
    body = {**BODY, "payer_id": "MOCK", "mode": "async", "callback_url": "http://127.0.0.1:9/h"}
    assert authorized(app).post("/v1/verifications", json=body).status_code == 202
    sent: list[tuple[Any, ...]] = []
    services = app.extensions["verifier"]
    Worker(
        services.service,
        services.queue,
        app.extensions["settings"],
        webhook=lambda *args: sent.append(args) or True,
    ).run(until_idle=True)
    assert [call[2] for call in sent] == ["424242"]


def test_the_270_command_sends_the_configured_provider(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    request = tmp_path / "request.json"
    request.write_text(json.dumps({**BODY, "payer_id": "MOCK"}))
    env = {"VERIFIER_PROVIDER_NPI": "1992753883", "VERIFIER_PROVIDER_NAME": "Harbor Light IOP"}
    result = CliRunner().invoke(main, ["x12", "270", str(request)], env=env)
    assert result.exit_code == 0, result.output
    assert "NM1*1P*2*HARBOR LIGHT IOP*****XX*1992753883~" in result.output.upper()


@pytest.mark.parametrize(
    "command", [["worker", "--until-idle"], ["serve"], ["purge", "--older-than", "1"]]
)
def test_a_bad_setting_stops_a_command_with_one_line_and_no_traceback(
    command: list[str], tmp_path: Path
) -> None:
    env = {
        "VERIFIER_JOB_LEASE_SECONDS": "abc",
        "VERIFIER_DATABASE_URL": f"sqlite:///{tmp_path / 'v.sqlite3'}",
    }
    result = CliRunner().invoke(main, command, env=env)
    assert result.exit_code == 2
    assert result.output == (
        'verifier: VERIFIER_JOB_LEASE_SECONDS must be a whole number of seconds, got "abc"\n'
    )
    assert not (tmp_path / "v.sqlite3").exists()
