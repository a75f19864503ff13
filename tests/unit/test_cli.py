"""`verifier interpret`: one JSON object per line, a one-line reason on bad input."""

from __future__ import annotations

import json

from click.testing import CliRunner

from tests.helpers import FIXTURES, fixture_path
from verifier.cli import main


def test_interpret_prints_one_determination_per_transaction_set() -> None:
    result = CliRunner().invoke(
        main,
        [
            "interpret",
            str(fixture_path("MOCK-IOP-DUAL")),
            str(fixture_path("several_transactions")),
        ],
    )
    assert result.exit_code == 0
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [d["status"] for d in lines] == ["active", "active", "inactive"]
    assert lines[0]["levels_of_care"]["iop_mental_health"]["in_network"]["copay"] == "40.00"


def test_interpret_detects_clearinghouse_json() -> None:
    result = CliRunner().invoke(
        main, ["interpret", str(FIXTURES / "clearinghouse" / "MOCK-HMO.json")]
    )
    assert result.exit_code == 0
    assert json.loads(result.output)["plan"]["name"] == "ACME HMO SELECT"


def test_interpret_refuses_unreadable_input_in_one_line_without_traceback(tmp_path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("this is not a payer answer")
    result = CliRunner().invoke(main, ["interpret", str(bad)])
    assert result.exit_code == 1
    assert result.output.count("\n") == 1
    assert "not an X12 271" in result.output
    assert "Traceback" not in result.output


def test_interpret_reports_a_missing_file() -> None:
    result = CliRunner().invoke(main, ["interpret", "/nonexistent/answer.271"])
    assert result.exit_code == 1
    assert "cannot read the file" in result.output
