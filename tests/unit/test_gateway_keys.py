"""The directory keys of OAuth2, polling and CAQH CORE payers are checked at start like the rest."""

from __future__ import annotations

from pathlib import Path

from adapters.directory_check import check_directory
from adapters.registry import available
from tests.helpers import ROOT

GATEWAYS = """
[[payers]]
id = "AVAIL"
name = "OAuth and polling gateway"
adapter = "clearinghouse-json"
base_url = "https://gateway.example"
auth = "oauth2"
token_url = "https://gateway.example/v1/token"
client_id_env = "GATEWAY_CLIENT_ID"
client_secret_env = "GATEWAY_CLIENT_SECRET"
scope = "healthcare-hipaa-transactions"
poll = true
poll_interval_seconds = 0.5
poll_timeout_seconds = 20

[[payers]]
id = "CORE"
name = "CORE gateway"
adapter = "core-soap"
base_url = "https://core.example/realtime"
username_env = "CORE_USER"
password_env = "CORE_PASSWORD"
sender_id = "SUBMITTER1"
receiver_id = "RECEIVER1"
service_types = ["30", "MH"]
"""
SET = {
    "GATEWAY_CLIENT_ID": "id",
    "GATEWAY_CLIENT_SECRET": "secret-value",
    "CORE_USER": "user",
    "CORE_PASSWORD": "password-value",
}


def problems(tmp_path: Path, text: str, **environ: str) -> list[str]:
    path = tmp_path / "payers.toml"
    path.write_text(text, "utf-8")
    return [
        str(p).removeprefix(f"{path}: ") for p in check_directory(str(path), available(), environ)
    ]


def test_oauth_polling_and_core_payers_configured_in_full_pass_the_check(tmp_path: Path) -> None:
    assert problems(tmp_path, GATEWAYS, **SET) == []


def test_oauth2_without_its_token_url_and_credentials_names_each_missing_key(
    tmp_path: Path,
) -> None:
    text = "\n".join(
        line for line in GATEWAYS.splitlines() if not line.startswith(("token_url", "client_"))
    )
    assert problems(tmp_path, text, **SET) == [
        'AVAIL: token_url: required key missing (with auth = "oauth2")',
        'AVAIL: client_id_env: required key missing (with auth = "oauth2")',
        'AVAIL: client_secret_env: required key missing (with auth = "oauth2")',
    ]


def test_unset_secret_variables_are_named_but_no_value_is_shown(tmp_path: Path) -> None:
    found = problems(tmp_path, GATEWAYS, GATEWAY_CLIENT_ID="id", CORE_USER="user")
    assert found == [
        "AVAIL: client_secret_env: names the environment variable GATEWAY_CLIENT_SECRET, "
        "which is not set",
        "CORE: password_env: names the environment variable CORE_PASSWORD, which is not set",
    ]


def test_an_unknown_auth_scheme_and_a_poll_that_is_not_a_flag_are_refused(tmp_path: Path) -> None:
    text = GATEWAYS.replace('auth = "oauth2"', 'auth = "basic"').replace(
        "poll = true", 'poll = "yes"'
    )
    assert problems(tmp_path, text, **SET) == [
        'AVAIL: auth: must be "oauth2"',
        "AVAIL: poll: must be true or false",
    ]


def test_a_core_payer_needs_its_endpoint_ids_and_credentials(tmp_path: Path) -> None:
    text = '[[payers]]\nid = "CORE"\nname = "CORE gateway"\nadapter = "core-soap"\n'
    assert problems(tmp_path, text) == [
        f"CORE: {key}: required key missing"
        for key in ("base_url", "username_env", "password_env", "sender_id", "receiver_id")
    ]


def test_a_core_payer_takes_no_api_key(tmp_path: Path) -> None:
    text = GATEWAYS + 'api_key_env = "CORE_USER"\n'
    [found] = problems(tmp_path, text, **SET)
    assert found.startswith("CORE: api_key_env: unknown key for adapter 'core-soap'")


def test_the_readmes_gateway_examples_pass_the_check(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    [example] = [b for b in readme.split("```toml")[1:] if 'adapter = "core-soap"' in b]
    variables = ("GATEWAY_CLIENT_ID", "GATEWAY_CLIENT_SECRET", "CORE_USERNAME", "CORE_PASSWORD")
    assert problems(tmp_path, example.split("```")[0], **dict.fromkeys(variables, "set")) == []
