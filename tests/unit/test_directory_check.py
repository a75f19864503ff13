"""Checking a payer directory at start: every mistake found at once, one line each."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from adapters.directory_check import check_directory
from adapters.keys import TEXT, URL, Key, takes
from adapters.registry import available

SOUND = """
[[payers]]
id = "ACME"
name = "Acme Health"
aliases = ["ACME HEALTH PLAN"]
adapter = "clearinghouse-json"
base_url = "https://clearinghouse.example"
api_key_env = "ACME_KEY"
trading_partner_id = "60054"
service_types = ["30", "MH", "AI"]
rate_limit_per_second = 50
max_concurrency = 10
timeout_seconds = 30

[[payers]]
id = "MOCK"
name = "Mock Health Plan"
adapter = "mock"
"""

# One mistake an operator might make per line, each in a payer of its own where it can be.
FAULTY = """
[[payers]]
id = "PIGEON"
name = "Pigeon Post Health"
adapter = "carrier-pigeon"

[[payers]]
id = "ACME"
name = "Acme Health"
adapter = "x12-http"
api_key_env = "ACME_KEY_UNSET"
rate_limit_per_sec = 5
timeout_seconds = "30"
service_types = "30"
max_concurrency = 0

[[payers]]
name = "Nameless Health"
adapter = "mock"
base_url = "https://clearinghouse.example"

[[payers]]
id = "acme"
name = "Acme Again"
"""


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "payers.toml"
    path.write_text(text, "utf-8")
    return str(path)


def lines(path: str, factories: dict[str, Any] | None = None, **environ: str) -> list[str]:
    return [str(p) for p in check_directory(path, factories or available(), environ)]


def test_a_sound_directory_and_the_bundled_one_have_no_problems(tmp_path: Path) -> None:
    assert lines(write(tmp_path, SOUND), ACME_KEY="secret") == []
    assert check_directory(None, available(), {}) == []


def test_every_mistake_is_reported_at_once_naming_file_payer_and_key(tmp_path: Path) -> None:
    path = write(tmp_path, FAULTY)
    found = lines(path)
    installed = "clearinghouse-json, fhir, mock, x12-http"
    assert found == [
        f"{path}: PIGEON: adapter: no adapter named 'carrier-pigeon' is installed "
        f"(installed: {installed})",
        f"{path}: ACME: base_url: required key missing",
        f"{path}: ACME: api_key_env: names the environment variable ACME_KEY_UNSET, which is "
        "not set",
        f"{path}: ACME: rate_limit_per_sec: unknown key; did you mean rate_limit_per_second?",
        f"{path}: ACME: timeout_seconds: must be a number above 0",
        f'{path}: ACME: service_types: must be a list of text, like ["A", "B"]',
        f"{path}: ACME: max_concurrency: must be a whole number above 0",
        f"{path}: payer entry 3: id: required key missing",
        f"{path}: payer entry 3: base_url: unknown key for adapter 'mock' "
        "(it takes: adapter, aliases, id, name)",
        f"{path}: acme: id: 'acme' already names payer ACME, which lookups would find",
    ]


def test_an_api_key_variable_is_named_but_its_value_never_shown(tmp_path: Path) -> None:
    path = write(tmp_path, SOUND)
    assert lines(path, ACME_KEY="") == [
        f"{path}: ACME: api_key_env: names the environment variable ACME_KEY, which is not set"
    ]


def test_service_types_must_be_codes_a_payer_knows(tmp_path: Path) -> None:
    path = write(tmp_path, SOUND.replace('"30", "MH", "AI"', '"30", "IOP"'))
    assert lines(path, ACME_KEY="k") == [
        f"{path}: ACME: service_types: unknown service type codes: IOP"
    ]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("not toml = = =", "not valid TOML"),
        ("[[payer]]\nid = 'A'\nname = 'A'\n", "payer: unknown table or key"),
        ("", "holds no payers"),
    ],
)
def test_a_file_that_is_no_directory_at_all_says_why_in_one_line(
    tmp_path: Path, text: str, problem: str
) -> None:
    found = lines(write(tmp_path, text))
    assert problem in found[0]
    assert len(found) <= 2


def test_a_missing_file_is_one_problem() -> None:
    assert lines("/nonexistent/payers.toml") == [
        "/nonexistent/payers.toml: cannot read the file (No such file or directory)"
    ]


@takes(host=Key(URL, required=True), region=Key(TEXT))
def sftp_factory(settings: Any, **context: Any) -> Any:
    raise AssertionError("the check never builds an adapter")


def undeclared_factory(settings: Any, **context: Any) -> Any:
    raise AssertionError("the check never builds an adapter")


def test_a_third_party_adapter_is_held_to_the_keys_it_declares(tmp_path: Path) -> None:
    path = write(tmp_path, '[[payers]]\nid = "S"\nname = "S"\nadapter = "sftp"\nregoin = "us"\n')
    assert lines(path, {**available(), "sftp": sftp_factory}) == [
        f"{path}: S: host: required key missing",
        f"{path}: S: regoin: unknown key; did you mean region?",
    ]


def test_an_adapter_declaring_nothing_still_has_the_shared_keys_checked(tmp_path: Path) -> None:
    text = '[[payers]]\nid = "L"\nname = "L"\nadapter = "legacy"\ntimeout_seconds = -1\nzone = 1\n'
    path = write(tmp_path, text)
    assert lines(path, {**available(), "legacy": undeclared_factory}) == [
        f"{path}: L: timeout_seconds: must be a number above 0"
    ]


def test_an_adapter_installed_from_the_entry_point_group_is_checked_the_same_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A third party's package as pip leaves it: its metadata names the factory in our group.
    dist = tmp_path / "site" / "acme_sftp-1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-sftp\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(
        "[verifier.adapters]\nsftp = tests.unit.test_directory_check:sftp_factory\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    path = write(tmp_path, '[[payers]]\nid = "S"\nname = "S"\nadapter = "sftp"\nhost = "ftp"\n')
    assert lines(path) == [f"{path}: S: host: must be an http:// or https:// URL"]
