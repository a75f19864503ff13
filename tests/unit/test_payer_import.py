"""`verifier payers import`: a clearinghouse's payer list into the directory, beside the
operator's own file, which always wins."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from adapters.directory import load_directory
from adapters.directory_check import check_directory
from adapters.payer_lists import PayerListError, read_csv, read_stedi
from adapters.registry import available
from verifier.cli import main

# The shape of Stedi's GET /payers (List Payers JSON), cut to the fields the import reads
# and one it ignores (coverageTypes).
STEDI = {
    "items": [
        {
            "stediId": "UPICO",
            "displayName": "Blue Cross Blue Shield of North Carolina",
            "primaryPayerId": "BCSNC",
            "aliases": ["1411", "BCBS-NC", "BCSNC", "NCBCBS"],
            "names": ["Blue Cross Blue Shield North Carolina"],
            "coverageTypes": ["medical"],
            "transactionSupport": {"eligibilityCheck": "SUPPORTED", "claimStatus": "SUPPORTED"},
        },
        {
            "stediId": "HPQRS",
            "displayName": "Aetna",
            "primaryPayerId": "60054",
            "aliases": ["60054", "AETNA"],
            "transactionSupport": {"eligibilityCheck": "ENROLLMENT_REQUIRED"},
        },
        {
            "stediId": "KLMNO",
            "displayName": "Claims Only Health",
            "primaryPayerId": "CLM01",
            "aliases": [],
            "transactionSupport": {"eligibilityCheck": "NOT_SUPPORTED"},
        },
    ]
}

OWN = """
[[payers]]
id = "ACME"
name = "Acme Health"
aliases = ["NCBCBS"]
adapter = "mock"
"""

CSV = """Payer ID,Payer Name,Aliases,Eligibility
87726,UnitedHealthcare,UHC|UNITED HEALTHCARE,yes
62308,Cigna,CIGNA;CIGNA HEALTHCARE,enrollment
99999,Dental Only Co,,no
"""


def test_stedi_json_reads_ids_names_aliases_and_eligibility_support() -> None:
    listed = read_stedi(json.dumps(STEDI))
    assert [(p.id, p.name, p.eligibility) for p in listed] == [
        ("BCSNC", "Blue Cross Blue Shield of North Carolina", "supported"),
        ("60054", "Aetna", "enrollment_required"),
        ("CLM01", "Claims Only Health", "not_supported"),
    ]
    assert listed[0].aliases[0] == "UPICO"  # the Stedi id, which never changes, is an alias
    assert "Blue Cross Blue Shield North Carolina" in listed[0].aliases


def test_the_documented_csv_header_is_read_whatever_its_case_and_spacing() -> None:
    listed = read_csv(CSV)
    assert [(p.id, p.name, p.aliases, p.eligibility) for p in listed] == [
        ("87726", "UnitedHealthcare", ("UHC", "UNITED HEALTHCARE"), "supported"),
        ("62308", "Cigna", ("CIGNA", "CIGNA HEALTHCARE"), "enrollment_required"),
        ("99999", "Dental Only Co", (), "not_supported"),
    ]


@pytest.mark.parametrize(
    ("reader", "text", "reason"),
    [
        (read_csv, "name,aliases\nAcme,\n", "lacks payer_id"),
        (read_csv, "payer_id,name\n,Nameless\n", "line 2 lacks a payer_id"),
        (read_stedi, "[{]", "not JSON"),
        (read_stedi, '{"items": [{"displayName": "X"}]}', "item 1 lacks primaryPayerId"),
    ],
)
def test_a_list_in_another_shape_is_refused_saying_where(reader, text: str, reason: str) -> None:
    with pytest.raises(PayerListError, match=reason):
        reader(text)


def import_into(tmp_path: Path, listing: str, kind: str, *options: str) -> tuple[Path, str]:
    own = tmp_path / "payers.toml"
    if not own.exists():
        own.write_text(OWN, "utf-8")
    source = tmp_path / f"list.{'json' if kind == 'stedi-json' else 'csv'}"
    source.write_text(listing, "utf-8")
    arguments = ["payers", "import", str(source), "--format", kind, "--directory", str(own)]
    result = CliRunner().invoke(
        main, [*arguments, "--base-url", "https://healthcare.us.stedi.com", *options]
    )
    assert result.exit_code == 0, result.output
    return own, result.output


def test_import_writes_the_payers_beside_the_operators_file_and_never_touches_it(
    tmp_path: Path,
) -> None:
    own, output = import_into(tmp_path, json.dumps(STEDI), "stedi-json", "--fan-out", "adaptive")
    assert own.read_text("utf-8") == OWN
    assert (tmp_path / "payers.imported.toml").exists()
    assert "1 payers imported" in output
    directory = load_directory(str(own))
    aetna = directory.get("AETNA")
    assert aetna is not None and aetna.id == "60054"
    assert aetna.adapter == "clearinghouse-json" and aetna.trading_partner_id == "60054"
    assert aetna.fan_out == "adaptive"
    assert directory.get("CLM01") is None  # no eligibility checks: skipped
    assert "1 skipped: they do not support eligibility checks" in output


def test_a_payer_the_operator_already_names_is_left_to_the_hand_written_entry(
    tmp_path: Path,
) -> None:
    # The operator's ACME carries the alias NCBCBS, which Stedi lists for Blue Cross NC.
    own, output = import_into(tmp_path, json.dumps(STEDI), "stedi-json")
    directory = load_directory(str(own))
    assert directory.get("NCBCBS").id == "ACME"  # type: ignore[union-attr]
    assert directory.get("BCSNC") is None
    assert f"1 left to your own entries in {own}" in output


def test_an_entry_written_by_hand_after_an_import_wins_over_the_imported_one(
    tmp_path: Path,
) -> None:
    own, _ = import_into(tmp_path, CSV, "csv")
    own.write_text(OWN + '\n[[payers]]\nid = "UHC-LOCAL"\nname = "UHC"\nadapter = "mock"\n')
    directory = load_directory(str(own))
    assert directory.get("UHC").id == "UHC-LOCAL"  # type: ignore[union-attr]
    assert directory.get("87726") is None
    assert check_directory(str(own), available(), {}) == []


def test_the_directory_check_reads_the_imported_payers_too(tmp_path: Path) -> None:
    own, _ = import_into(tmp_path, CSV, "csv", "--api-key-env", "STEDI_KEY")
    imported = tmp_path / "payers.imported.toml"
    problems = [str(p) for p in check_directory(str(own), available(), {})]
    assert problems == [
        f"{imported}: {payer}: api_key_env: names the environment variable STEDI_KEY, which is "
        "not set"
        for payer in ("62308", "87726")
    ]
    assert check_directory(str(own), available(), {"STEDI_KEY": "k"}) == []


def test_import_again_replaces_the_imported_payers_whole(tmp_path: Path) -> None:
    import_into(tmp_path, CSV, "csv")
    own, _ = import_into(tmp_path, "payer_id,name\n11111,Only Payer\n", "csv")
    assert [p.id for p in load_directory(str(own)).payers] == ["ACME", "11111"]


def test_duplicate_names_and_aliases_in_a_list_stay_unique_so_the_check_passes(
    tmp_path: Path,
) -> None:
    listing = "payer_id,name,aliases\nA1,Same Name,X\nA2,Same Name,X\nA1,Again,\n"
    own, output = import_into(tmp_path, listing, "csv")
    names = [p.name for p in load_directory(str(own)).payers]
    assert names == ["Acme Health", "Same Name", "Same Name (A2)"]
    assert "1 skipped: an earlier payer in the list has the same id" in output
    assert check_directory(str(own), available(), {}) == []
