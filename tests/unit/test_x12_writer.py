"""The 270 writer, read back by a small reader written here rather than the project's own."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from adapters.directory import PayerSettings
from adapters.x12.writer import write_270
from tests.helpers import ROOT
from verifier.cli import main
from verifier.domain.request import Dependent, Provider, Subscriber, VerificationRequest

SAMPLES = ROOT.parent / "shared" / "payer-samples"
NOW = datetime(2026, 3, 2, 14, 7, tzinfo=UTC)
PAYER = PayerSettings(id="MOCK", name="Mock Health Plan")
SUBSCRIBER = Subscriber("W123456789", "Jane", "Doe", date(1985, 3, 15), "GRP1001")
REQUEST = VerificationRequest(
    payer_id="MOCK",
    subscriber=SUBSCRIBER,
    provider=Provider("1234567893", "Example Recovery"),
    service_date=date(2026, 3, 2),
)
CHILD = Dependent("Sam", "Doe", date(2012, 7, 4), "child")


@dataclass
class Interchange:
    """A 270 as the receiving end sees it: separators from ISA, segments as element lists."""

    isa: str
    element: str
    repetition: str
    component: str
    terminator: str
    segments: list[list[str]]

    def all(self, name: str) -> list[list[str]]:
        return [s for s in self.segments if s[0] == name]

    def one(self, name: str) -> list[str]:
        (found,) = self.all(name)
        return found

    def ids(self) -> list[str]:
        return [s[0] for s in self.segments]


def read(text: str) -> Interchange:
    """Split by the separators at the ISA's fixed positions, as a payer's translator would."""
    element, repetition, component, terminator = text[3], text[82], text[104], text[105]
    chunks = [c.strip() for c in text.split(terminator)]
    segments = [c.split(element) for c in chunks if c]
    return Interchange(text[:106], element, repetition, component, terminator, segments)


def write(request: VerificationRequest = REQUEST, **options: object) -> Interchange:
    settings = {"control_number": 1234, "now": NOW, **options}
    return read(write_270(request, PAYER, **settings))  # type: ignore[arg-type]


def transaction(x12: Interchange) -> list[list[str]]:
    ids = x12.ids()
    return x12.segments[ids.index("ST") : ids.index("SE") + 1]


def after(x12: Interchange, hl_id: str) -> list[list[str]]:
    """The segments of one HL level: from its HL to the next HL (or SE)."""
    body = transaction(x12)
    start = next(i for i, s in enumerate(body) if s[0] == "HL" and s[1] == hl_id)
    end = next((i for i in range(start + 1, len(body)) if body[i][0] in ("HL", "SE")), len(body))
    return body[start:end]


def test_isa_is_106_characters_with_the_5010_separators_and_fixed_width_fields() -> None:
    x12 = write()
    isa = x12.isa.split("*")
    assert len(x12.isa) == 106
    assert (x12.element, x12.repetition, x12.component, x12.terminator) == ("*", "^", ":", "~")
    assert [len(field) for field in isa[1:16]] == [2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1]
    assert isa[6].strip() == "IOPVERIFIER" and isa[8].strip() == "MOCK"
    assert (isa[9], isa[10], isa[12], isa[13], isa[15]) == (
        "260302",
        "1407",
        "00501",
        "000001234",
        "P",
    )


def test_control_numbers_agree_between_headers_and_trailers() -> None:
    x12 = write(control_number=987654321)
    isa, iea = x12.isa.split("*"), x12.one("IEA")
    gs, ge, st, se = x12.one("GS"), x12.one("GE"), x12.one("ST"), x12.one("SE")
    assert isa[13] == iea[2] == "987654321" and iea[1] == "1"
    assert gs[6] == ge[2] == "987654321" and ge[1] == "1"
    assert st[2] == se[2] == "987654321"
    assert (gs[1], gs[8], st[1], st[3]) == ("HS", "005010X279A1", "270", "005010X279A1")


def test_small_control_numbers_are_zero_padded_to_four_digits_in_st02() -> None:
    x12 = write(control_number=7)
    assert x12.one("ST")[2] == x12.one("SE")[2] == "0007"
    assert x12.isa.split("*")[13] == x12.one("IEA")[2] == "000000007"


@pytest.mark.parametrize("patient", [None, CHILD])
def test_se01_counts_every_segment_from_st_to_se(patient: Dependent | None) -> None:
    x12 = write(replace(REQUEST, patient=patient))
    assert int(x12.one("SE")[1]) == len(transaction(x12))


def test_bht_asks_for_a_request_with_the_reference_date_and_time() -> None:
    assert write().one("BHT") == ["BHT", "0022", "13", "000001234", "20260302", "1407"]


def test_subscriber_patient_has_three_levels_chained_payer_provider_subscriber() -> None:
    levels = [s[1:] for s in write().all("HL")]
    assert levels == [["1", "", "20", "1"], ["2", "1", "21", "1"], ["3", "2", "22", "0"]]


def test_payer_and_provider_are_named_with_their_ids() -> None:
    x12 = write()
    payer, provider = after(x12, "1")[1], after(x12, "2")[1]
    assert payer == ["NM1", "PR", "2", "MOCK HEALTH PLAN", "", "", "", "", "PI", "MOCK"]
    assert provider == ["NM1", "1P", "2", "EXAMPLE RECOVERY", "", "", "", "", "XX", "1234567893"]


def test_payer_trading_partner_id_is_sent_when_the_directory_has_one() -> None:
    payer = replace(PAYER, trading_partner_id="87726")
    x12 = read(write_270(REQUEST, payer, control_number=5, now=NOW))
    assert x12.all("NM1")[0][-2:] == ["PI", "87726"]
    assert x12.isa.split("*")[8] == "87726".ljust(15) and x12.one("GS")[3] == "87726"


def test_subscriber_loop_carries_member_id_group_birth_date_service_date_and_service_type() -> None:
    level = after(write(), "3")
    assert [s[0] for s in level] == ["HL", "TRN", "NM1", "REF", "DMG", "DTP", "EQ"]
    trn, nm1, ref, dmg, dtp, eq = level[1:]
    assert trn[:3] == ["TRN", "1", "000001234"]
    assert len(trn[3]) == 10 and trn[3].startswith("9")
    assert nm1 == ["NM1", "IL", "1", "DOE", "JANE", "", "", "", "MI", "W123456789"]
    assert ref == ["REF", "6P", "GRP1001"]
    assert dmg == ["DMG", "D8", "19850315"]
    assert dtp == ["DTP", "291", "D8", "20260302"]
    assert eq == ["EQ", "30"]


def test_group_reference_is_left_out_when_there_is_no_group_number() -> None:
    x12 = write(replace(REQUEST, subscriber=replace(SUBSCRIBER, group_number=None)))
    assert x12.all("REF") == []


def test_service_type_is_asked_as_given() -> None:
    assert write(service_type="MH").one("EQ") == ["EQ", "MH"]


def test_procedure_is_asked_as_an_hc_composite_instead_of_a_service_type() -> None:
    x12 = write(procedure="H0015")
    eq = x12.one("EQ")
    assert eq[1] == "" and eq[2].split(x12.component) == ["HC", "H0015"]


def test_dependent_patient_is_written_in_2000d_under_the_subscriber() -> None:
    x12 = write(replace(REQUEST, patient=CHILD))
    levels = [s[1:] for s in x12.all("HL")]
    assert levels[2:] == [["3", "2", "22", "1"], ["4", "3", "23", "0"]]
    subscriber = [s[0] for s in after(x12, "3")]
    assert subscriber == ["HL", "NM1", "REF", "DMG"]
    assert after(x12, "3")[1][-2:] == ["MI", "W123456789"]
    _, trn, nm1, dmg, ins, dtp, eq = after(x12, "4")
    assert trn[:3] == ["TRN", "1", "000001234"]
    assert nm1 == ["NM1", "03", "1", "DOE", "SAM"]
    assert dmg == ["DMG", "D8", "20120704"]
    assert ins == ["INS", "N", "19"]
    assert dtp == ["DTP", "291", "D8", "20260302"]
    assert eq == ["EQ", "30"]


@pytest.mark.parametrize(
    ("relationship", "code"), [("spouse", "01"), ("child", "19"), ("other", "34")]
)
def test_dependent_relationship_uses_the_270_2100d_ins02_codes(
    relationship: str, code: str
) -> None:
    x12 = write(replace(REQUEST, patient=replace(CHILD, relationship=relationship)))
    assert x12.one("INS") == ["INS", "N", code]


def test_separator_characters_in_member_data_are_removed() -> None:
    hostile = Subscriber("AB*12~3^4:5", "Ja*ne", "O'Do~e^:", date(1985, 3, 15), "G*1~")
    patient = Dependent("S:am", "Do^e", date(2012, 7, 4), "child")
    text = write_270(
        replace(REQUEST, subscriber=hostile, patient=patient), PAYER, control_number=9, now=NOW
    )
    x12 = read(text)
    assert text.count("~") == len(x12.segments)
    assert x12.all("NM1")[2] == ["NM1", "IL", "1", "O'DOE", "JANE", "", "", "", "MI", "AB12345"]
    assert x12.one("REF") == ["REF", "6P", "G1"]
    assert x12.all("NM1")[3] == ["NM1", "03", "1", "DOE", "SAM"]
    assert int(x12.one("SE")[1]) == len(transaction(x12))


def test_accented_names_are_folded_to_ascii() -> None:
    x12 = write(replace(REQUEST, patient=replace(CHILD, first_name="José")))
    assert x12.all("NM1")[3][4] == "JOSE"


def test_two_writes_differ_only_in_control_numbers_and_trace() -> None:
    first, second = write(control_number=111), write(control_number=222)
    assert first.ids() == second.ids()
    changed = {
        (a[0], index)
        for a, b in zip(first.segments, second.segments, strict=True)
        for index, (x, y) in enumerate(zip(a, b, strict=True))
        if x != y
    }
    expected = {("ISA", 13), ("GS", 6), ("ST", 2), ("BHT", 3), ("TRN", 2), ("SE", 2)}
    assert changed == expected | {("GE", 2), ("IEA", 2)}


def test_segments_end_with_the_terminator_and_a_newline() -> None:
    text = write_270(REQUEST, PAYER, control_number=3, now=NOW)
    lines = text.splitlines()
    assert text.endswith("~\n") and all(line.endswith("~") for line in lines)
    assert lines[0] == read(text).isa


def test_time_defaults_to_now_in_utc() -> None:
    before = datetime.now(UTC)
    gs = read(write_270(REQUEST, PAYER, control_number=3)).one("GS")
    assert gs[4] in {before.strftime("%Y%m%d"), datetime.now(UTC).strftime("%Y%m%d")}


@pytest.mark.parametrize("control_number", [0, -1, 10**9])
def test_control_numbers_beyond_nine_digits_are_refused(control_number: int) -> None:
    with pytest.raises(ValueError, match="control number"):
        write_270(REQUEST, PAYER, control_number=control_number)


@pytest.mark.parametrize(
    "options", [{"service_type": "M*"}, {"service_type": None}, {"procedure": "H0015:1"}]
)
def test_codes_that_cannot_be_written_are_refused(options: dict[str, str | None]) -> None:
    with pytest.raises(ValueError):
        write_270(REQUEST, PAYER, control_number=1, **options)  # type: ignore[arg-type]


def test_subscriber_270_has_the_segments_of_the_implementation_guide_example() -> None:
    sample = SAMPLES / "LinuxForHealth__x12__subscriber-health-benefit-check.270"
    if not sample.exists():
        pytest.skip("../shared/payer-samples is not here")
    ours = write(replace(REQUEST, subscriber=replace(SUBSCRIBER, group_number=None)))
    theirs = read(sample.read_text())
    assert ours.ids() == theirs.ids()
    assert [s[1:] for s in ours.all("HL")] == [s[1:] for s in theirs.all("HL")]


def test_written_270s_pass_pyx12_when_it_has_the_x279a1_map() -> None:
    # pyx12 4.0.0 ships no X279A1 map, so this runs only with a build that has one.
    maps = pytest.importorskip("pyx12.map_index")
    params = pytest.importorskip("pyx12.params")
    document = pytest.importorskip("pyx12.x12n_document")
    if maps.map_index().get_filename("00501", "005010X279A1", "HS") is None:
        pytest.skip("this pyx12 has no 005010X279A1 map")
    for patient in (None, CHILD):
        text = write_270(replace(REQUEST, patient=patient), PAYER, control_number=42, now=NOW)
        assert document.x12n_document(params.ParamsUnix(), io.StringIO(text), None, None)


def _request_file(tmp_path: Path, body: object) -> str:
    path = tmp_path / "request.json"
    path.write_text(json.dumps(body))
    return str(path)


BODY = {
    "payer_id": "MOCK",
    "subscriber": {
        "member_id": "MOCK-IOP-DUAL",
        "first_name": "Jane",
        "last_name": "Doe",
        "date_of_birth": "1985-03-15",
    },
}


def test_cli_prints_the_270_for_a_request_body(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("VERIFIER_PAYERS_FILE", raising=False)
    result = CliRunner().invoke(
        main, ["x12", "270", _request_file(tmp_path, BODY), "--service-type", "MH"]
    )
    assert result.exit_code == 0, result.output
    x12 = read(result.stdout)
    assert x12.all("NM1")[0][3] == "MOCK HEALTH PLAN"
    assert x12.all("NM1")[1][-1] == "1234567893"  # the configured default provider
    assert x12.all("NM1")[2][-2:] == ["MI", "MOCK-IOP-DUAL"]
    assert x12.one("EQ") == ["EQ", "MH"]
    assert x12.one("DTP")[3] == date.today().strftime("%Y%m%d")
    assert x12.isa.split("*")[13] == x12.one("IEA")[2]


def test_cli_refuses_a_bad_request_in_one_line_naming_the_fields(tmp_path: Path) -> None:
    body = {**BODY, "subscriber": {"first_name": "Jane"}, "provider": {"npi": "12", "name": "X"}}
    result = CliRunner().invoke(main, ["x12", "270", _request_file(tmp_path, body)])
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and "Traceback" not in result.output
    for field in ("subscriber.member_id", "subscriber.last_name", "provider.npi"):
        assert field in result.output


def test_cli_refuses_a_file_that_is_not_json(tmp_path: Path) -> None:
    path = tmp_path / "request.json"
    path.write_text("{not json")
    result = CliRunner().invoke(main, ["x12", "270", str(path)])
    assert result.exit_code == 1 and result.output.count("\n") == 1
    assert "not valid JSON" in result.output


def test_cli_refuses_an_unknown_payer_in_one_line(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("VERIFIER_PAYERS_FILE", raising=False)
    result = CliRunner().invoke(
        main, ["x12", "270", _request_file(tmp_path, BODY), "--payer-id", "NOBODY"]
    )
    assert result.exit_code == 1 and result.output.count("\n") == 1
    assert "unknown payer 'NOBODY'" in result.output
