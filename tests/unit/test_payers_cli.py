"""`verifier payers check`, and `serve` and `worker` refusing to start on a bad directory."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from verifier.cli import main

BAD = """
[[payers]]
id = "ACME"
name = "Acme Health"
adapter = "clearinghouse-json"
base_url = "https://clearinghouse.example"
api_key_env = "ACME_KEY"
rate_limit_per_sec = 5

[[payers]]
id = "PIGEON"
name = "Pigeon Post Health"
adapter = "carrier-pigeon"
"""


@pytest.fixture
def bad_directory(tmp_path: Path) -> str:
    path = tmp_path / "payers.toml"
    path.write_text(BAD, "utf-8")
    return str(path)


def test_check_lists_each_problem_on_its_own_line_and_fails(bad_directory: str) -> None:
    result = CliRunner().invoke(main, ["payers", "check", bad_directory], env={"ACME_KEY": ""})
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{bad_directory}: ACME: api_key_env: names the environment variable ACME_KEY, which "
        "is not set",
        f"{bad_directory}: ACME: rate_limit_per_sec: unknown key; did you mean "
        "rate_limit_per_second?",
        f"{bad_directory}: PIGEON: adapter: no adapter named 'carrier-pigeon' is installed "
        "(installed: clearinghouse-json, fhir, mock, x12-http)",
    ]
    assert "3 problems found" in result.stderr


def test_check_reads_the_configured_directory_and_says_ok_when_it_is_sound(
    tmp_path: Path,
) -> None:
    path = tmp_path / "payers.toml"
    path.write_text('[[payers]]\nid = "MOCK"\nname = "Mock"\nadapter = "mock"\n', "utf-8")
    result = CliRunner().invoke(main, ["payers", "check"], env={"VERIFIER_PAYERS_FILE": str(path)})
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{path}: OK, 1 payer\n"


def test_check_without_a_configured_file_checks_the_bundled_directory() -> None:
    result = CliRunner().invoke(main, ["payers", "check"], env={"VERIFIER_PAYERS_FILE": None})
    assert result.exit_code == 0
    assert "OK" in result.stdout


@pytest.mark.parametrize("command", [["serve", "--no-migrate"], ["worker", "--until-idle"]])
def test_the_service_refuses_to_start_on_a_bad_directory_without_a_traceback(
    bad_directory: str, tmp_path: Path, command: list[str]
) -> None:
    database = tmp_path / "never-created.sqlite3"
    env = {
        "VERIFIER_PAYERS_FILE": bad_directory,
        "VERIFIER_DATABASE_URL": f"sqlite:///{database}",
        "ACME_KEY": "secret-key-value",
    }
    result = CliRunner().invoke(main, command, env=env)
    assert result.exit_code == 1
    assert result.stdout == ""  # nothing started, not even the banner
    assert result.stderr.splitlines() == [
        f"verifier: {bad_directory}: ACME: rate_limit_per_sec: unknown key; did you mean "
        "rate_limit_per_second?",
        f"verifier: {bad_directory}: PIGEON: adapter: no adapter named 'carrier-pigeon' is "
        "installed (installed: clearinghouse-json, fhir, mock, x12-http)",
        "verifier: not starting: 2 problems in the payer directory "
        "(`verifier payers check` lists them again once fixed)",
    ]
    assert "secret-key-value" not in result.output
    assert not database.exists()
