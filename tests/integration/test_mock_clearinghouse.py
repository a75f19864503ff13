"""The mock clearinghouse: both eligibility v3 endpoints, auth, bad input, limits, failures."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from datetime import date
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from adapters.clearinghouse.reader import read_clearinghouse
from adapters.directory import PayerSettings
from adapters.mock import SCENARIOS, TIMEOUT_SCENARIO, scenario_271
from adapters.mock_clearinghouse import MockClearinghouse, clearinghouse_response
from adapters.registry import available, build
from adapters.x12.reader import read_271
from verifier.cli import main
from verifier.domain.coverage import interpret
from verifier.domain.determination import as_json
from verifier.domain.identity import identity_of
from verifier.domain.request import Dependent, Provider, Subscriber, VerificationRequest

JSON_PATH = "/change/medicalnetwork/eligibility/v3"
RAW_PATH = JSON_PATH + "/raw-x12"
AUTH = {"Authorization": "test-api-key"}


def inquiry_270(member_id: str, element: str = "*", segment: str = "~") -> str:
    """A small 270 asking about one subscriber, with the separators its ISA declares."""
    segments = [
        "ISA*00*          *00*          *ZZ*EXAMPLERECOV   *ZZ*ACMEHEALTH     "
        "*261127*0930*^*00501*000000001*0*T*:",
        "GS*HS*EXAMPLERECOV*ACMEHEALTH*20261127*0930*1*X*005010X279A1",
        "ST*270*0001*005010X279A1",
        "BHT*0022*13*REF1*20261127*0930",
        "HL*1**20*1",
        "NM1*PR*2*ACME HEALTH PLAN*****PI*ACME1",
        "HL*2*1*21*1",
        "NM1*1P*2*EXAMPLE RECOVERY*****XX*1234567893",
        "HL*3*2*22*0",
        f"NM1*IL*1*DOE*JANE****MI*{member_id}",
        "DMG*D8*19850315",
        "EQ*30",
        "SE*11*0001",
        "GE*1*1",
        "IEA*1*000000001",
    ]
    return "".join(s.replace("*", element) + segment for s in segments)


def json_request(member_id: str) -> dict[str, Any]:
    return {
        "controlNumber": "123456789",
        "tradingPartnerServiceId": "ACME1",
        "provider": {"organizationName": "EXAMPLE RECOVERY", "npi": "1234567893"},
        "subscriber": {
            "memberId": member_id,
            "firstName": "JANE",
            "lastName": "DOE",
            "dateOfBirth": "19850315",
        },
        "encounter": {"serviceTypeCodes": ["30"]},
    }


def without_evidence(determination: dict[str, Any]) -> dict[str, Any]:
    for level in determination["levels_of_care"].values():
        level["evidence"] = []
    return determination


@pytest.fixture
def start() -> Iterator[Any]:
    """Start mock clearinghouses with the given options; every one is stopped afterwards."""
    started: list[MockClearinghouse] = []

    def starter(**options: Any) -> MockClearinghouse:
        mock = MockClearinghouse(**options)
        mock.start()
        started.append(mock)
        return mock

    yield starter
    for mock in started:
        mock.stop()


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5.0) as http:
        yield http


@pytest.mark.parametrize("member_id", SCENARIOS)
def test_the_json_answer_gives_the_same_determination_as_the_271_it_was_made_from(
    member_id: str,
) -> None:
    raw = scenario_271(member_id)
    from_json = as_json(interpret(read_clearinghouse(clearinghouse_response(raw))))
    from_x12 = as_json(interpret(read_271(raw)[0]))
    assert without_evidence(from_json) == without_evidence(from_x12)


def test_the_json_answer_carries_the_v3_fields_and_the_raw_271() -> None:
    raw = scenario_271("MOCK-DEPENDENT")
    answer = clearinghouse_response(raw)
    assert answer["x12"] == raw
    assert answer["controlNumber"] == "000000108"
    assert answer["payer"]["payorIdentification"] == "ACME1"
    assert answer["subscriber"]["dateOfBirth"] == "19800101"
    assert answer["dependents"][0]["relationToSubscriberCode"] == "19"
    assert answer["dependents"][0]["maintenanceReasonCode"] == "25"
    assert answer["planDateInformation"] == {"planBegin": "20260101", "planEnd": "20261231"}
    copay = answer["benefitsInformation"][2]
    assert (copay["code"], copay["benefitAmount"], copay["inPlanNetworkIndicatorCode"]) == (
        "B",
        "35",
        "Y",
    )


def test_a_rejection_becomes_an_error_with_its_loop() -> None:
    errors = clearinghouse_response(scenario_271("MOCK-NOT-FOUND"))["errors"]
    assert [(e["code"], e["location"]) for e in errors] == [("75", "Loop 2100C")]
    assert errors[0]["followupAction"] == "Please correct and resubmit"


def jane_doe(member_id: str) -> VerificationRequest:
    """The person `inquiry_270` asks about, as the mock payer would be asked about her."""
    return VerificationRequest(
        payer_id="ACME",
        subscriber=Subscriber(member_id, "JANE", "DOE", date(1985, 3, 15)),
        provider=Provider("1234567893", "EXAMPLE RECOVERY"),
        service_date=date(2026, 11, 27),
    )


def test_the_raw_x12_endpoint_answers_each_scenarios_271_for_the_person_asked_about(
    start: Any, client: httpx.Client
) -> None:
    url = start().url + RAW_PATH
    for member_id in SCENARIOS:
        response = client.post(url, json={"x12": inquiry_270(member_id)}, headers=AUTH)
        assert response.status_code == 200
        assert response.json() == {"x12": scenario_271(member_id, jane_doe(member_id))}


def test_the_member_id_is_found_with_the_separators_the_270_declares(
    start: Any, client: httpx.Client
) -> None:
    inquiry = inquiry_270("MOCK-MEDICARE", element="|", segment="\n")
    response = client.post(start().url + RAW_PATH, json={"x12": inquiry}, headers=AUTH)
    answer = response.json()["x12"]
    assert answer == scenario_271("MOCK-MEDICARE", jane_doe("MOCK-MEDICARE"))
    assert "DMG*D8*19850315*F~" in answer  # the date of birth the 270 gave, not the scenario's


def test_the_json_endpoint_answers_each_scenario_and_echoes_the_control_number(
    start: Any, client: httpx.Client
) -> None:
    url = start().url + JSON_PATH
    for member_id in SCENARIOS:
        response = client.post(url, json=json_request(member_id), headers=AUTH)
        assert response.status_code == 200
        answer = response.json()
        expected = clearinghouse_response(scenario_271(member_id))
        assert answer["controlNumber"] == "123456789"
        assert answer["benefitsInformation"] == expected["benefitsInformation"]
        assert answer["errors"] == expected["errors"]


# Someone other than the scenarios' own JANE DOE (1985-03-15), so an answer that is not echoed
# shows: names, accents and a date of birth no scenario file carries.
ASKED = Subscriber("PLACEHOLDER", "Ana María", "Núñez-Ortiz", date(1990, 2, 28))
CHILD = Dependent("Lee", "Núñez-Ortiz", date(2012, 6, 1), "child")
# How each adapter reaches the mock clearinghouse (its settings beside adapter and base_url).
ADAPTERS: dict[str, tuple[str, dict[str, Any]]] = {
    "x12-http": ("", {"api_key_env": "MOCK_CH_TEST_KEY"}),
    "clearinghouse-json": ("", {"api_key_env": "MOCK_CH_TEST_KEY"}),
    "core-soap": (
        "/core/realtime",
        {
            "extra": {
                "username_env": "MOCK_CH_TEST_USER",
                "password_env": "MOCK_CH_TEST_PASSWORD",
                "sender_id": "SUBMITTER1",
                "receiver_id": "MOCKCH",
            }
        },
    ),
}


def identity_through(
    mock: MockClearinghouse, adapter: str, member_id: str, patient: Dependent | None = None
) -> dict[str, Any]:
    """Verify through the real adapter against the mock clearinghouse; the record's identity."""
    path, options = ADAPTERS[adapter]
    settings = PayerSettings(
        id="ACME", name="ACME HEALTH PLAN", adapter=adapter, base_url=mock.url + path, **options
    )
    subscriber = Subscriber(member_id, ASKED.first_name, ASKED.last_name, ASKED.date_of_birth)
    request = VerificationRequest(
        payer_id="ACME",
        subscriber=subscriber,
        provider=Provider("1234567893", "Example Recovery"),
        service_date=date(2026, 11, 27),
        patient=patient,
    )
    response = build(settings, available(), payer_backoff_seconds=0.01).check(request)
    determination = as_json(interpret(response.answers[0]))
    body: dict[str, Any] = {
        "subscriber": {
            "member_id": member_id,
            "first_name": subscriber.first_name,
            "last_name": subscriber.last_name,
            "date_of_birth": subscriber.date_of_birth.isoformat(),
        },
        "patient": None
        if patient is None
        else {
            "first_name": patient.first_name,
            "last_name": patient.last_name,
            "date_of_birth": patient.date_of_birth.isoformat(),
            "relationship": patient.relationship,
        },
    }
    return identity_of(body, determination).as_json()


@pytest.fixture
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOCK_CH_TEST_KEY", "test-api-key")
    monkeypatch.setenv("MOCK_CH_TEST_USER", "mock-user")
    monkeypatch.setenv("MOCK_CH_TEST_PASSWORD", "mock-password")


@pytest.mark.usefixtures("credentials")
@pytest.mark.parametrize("adapter", list(ADAPTERS))
@pytest.mark.parametrize("member_id", ["MOCK-MEDICARE", "MOCK-IOP-DUAL"])
def test_an_ordinary_scenario_answers_for_the_person_asked_about(
    start: Any, adapter: str, member_id: str
) -> None:
    identity = identity_through(start(), adapter, member_id)
    assert identity == {"matches": True, "differences": []}


@pytest.mark.usefixtures("credentials")
@pytest.mark.parametrize("adapter", list(ADAPTERS))
def test_the_dependent_scenario_answers_for_the_dependent_asked_about(
    start: Any, adapter: str
) -> None:
    identity = identity_through(start(), adapter, "MOCK-DEPENDENT", CHILD)
    # The scenario's payer reports it corrected the child's details; nothing else differs.
    assert identity == {"matches": False, "differences": ["payer_correction"]}


@pytest.mark.usefixtures("credentials")
@pytest.mark.parametrize("adapter", list(ADAPTERS))
def test_other_member_still_answers_for_someone_else(start: Any, adapter: str) -> None:
    identity = identity_through(start(), adapter, "MOCK-OTHER-MEMBER")
    assert identity["matches"] is False
    assert {"first_name", "last_name", "date_of_birth"} <= set(identity["differences"])


def test_the_healthcheck_answers_200(start: Any, client: httpx.Client) -> None:
    assert client.get(start().url + "/healthcheck").status_code == 200


@pytest.mark.parametrize("path", [JSON_PATH, RAW_PATH])
def test_a_request_without_authorization_is_refused_with_401(
    start: Any, client: httpx.Client, path: str
) -> None:
    response = client.post(start().url + path, json=json_request("MOCK-HMO"))
    assert response.status_code == 401
    assert response.json()["errors"]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (JSON_PATH, b"{not json"),
        (JSON_PATH, b"[1, 2]"),
        (JSON_PATH, json.dumps({"subscriber": {"firstName": "JANE"}}).encode()),
        (RAW_PATH, b"{not json"),
        (RAW_PATH, json.dumps({"x12": "not an interchange"}).encode()),
        (RAW_PATH, json.dumps({"x12": inquiry_270("")}).encode()),
    ],
    ids=["bad json", "not an object", "no member", "raw bad json", "not x12", "no NM109"],
)
def test_bad_json_or_a_missing_member_is_a_400_with_errors(
    start: Any, client: httpx.Client, path: str, body: bytes
) -> None:
    response = client.post(start().url + path, content=body, headers=AUTH)
    assert response.status_code == 400
    assert response.json()["errors"][0]["description"]


def test_requests_beyond_the_rate_limit_get_429_without_retry_after(
    start: Any, client: httpx.Client
) -> None:
    mock = start(rate_limit=2)
    url = mock.url + JSON_PATH
    responses = [client.post(url, json=json_request("MOCK-HMO"), headers=AUTH) for _ in range(12)]
    throttled = [r for r in responses if r.status_code == 429]
    assert throttled and any(r.status_code == 200 for r in responses)
    assert all(r.json()["errors"][0]["code"] == "TOO_MANY_REQUESTS" for r in throttled)
    assert not any("retry-after" in r.headers for r in throttled)
    assert (mock.counters.requests, mock.counters.throttled) == (12, len(throttled))


def injected(response: httpx.Response) -> bool:
    """Whether an answer is one of the injected failures: a 5xx, or a 200 no client can read."""
    if response.status_code in (500, 502, 503):
        return True
    try:
        return not isinstance(response.json().get("x12"), str)
    except (ValueError, AttributeError):
        return True


def test_with_fail_rate_one_every_request_fails_in_an_injected_way(start: Any) -> None:
    mock = start(fail_rate=1.0, seed=3)
    kinds = set()
    with httpx.Client(timeout=0.5) as client:
        for _ in range(12):
            try:
                response = client.post(
                    mock.url + RAW_PATH, json={"x12": inquiry_270("MOCK-HMO")}, headers=AUTH
                )
            except httpx.ReadTimeout:
                kinds.add("timeout")
                continue
            assert injected(response)
            kinds.add(str(response.status_code) if response.status_code != 200 else "malformed")
    assert len(kinds) >= 3
    assert mock.counters.injected_failures == 12


def test_the_same_seed_injects_the_same_failures() -> None:
    first, second = (MockClearinghouse(fail_rate=0.5, seed=11) for _ in range(2))
    assert [first.draw_failure() for _ in range(30)] == [second.draw_failure() for _ in range(30)]


def test_latency_is_applied_to_every_request(start: Any, client: httpx.Client) -> None:
    mock = start(latency_ms=200)
    for request in (
        lambda: client.get(mock.url + "/healthcheck"),
        lambda: client.post(mock.url + JSON_PATH, json=json_request("MOCK-HMO"), headers=AUTH),
        lambda: client.post(mock.url + JSON_PATH, json=json_request("MOCK-HMO")),
    ):
        began = time.monotonic()
        request()
        assert time.monotonic() - began >= 0.18


@pytest.mark.parametrize("path", [JSON_PATH, RAW_PATH])
def test_the_timeout_member_is_never_answered_in_time_and_stop_still_returns_quickly(
    start: Any, path: str
) -> None:
    mock = start()
    body = {"x12": inquiry_270(TIMEOUT_SCENARIO)} if path == RAW_PATH else None
    with httpx.Client(timeout=0.5) as client, pytest.raises(httpx.ReadTimeout):
        client.post(mock.url + path, json=body or json_request(TIMEOUT_SCENARIO), headers=AUTH)
    began = time.monotonic()
    mock.stop()
    assert time.monotonic() - began < 5


def test_stop_ends_the_server_and_can_be_called_twice(start: Any, client: httpx.Client) -> None:
    mock = start()
    assert client.get(mock.url + "/healthcheck").status_code == 200
    mock.stop()
    mock.stop()
    with pytest.raises(httpx.ConnectError):
        client.get(mock.url + "/healthcheck")


def test_the_server_writes_no_member_id_name_or_birth_date_to_stderr_or_the_logs(
    start: Any, client: httpx.Client, capfd: pytest.CaptureFixture[str], caplog: Any
) -> None:
    caplog.set_level(logging.DEBUG)
    mock = start()
    client.post(mock.url + JSON_PATH, json=json_request("MOCK-IOP-DUAL"), headers=AUTH)
    client.post(mock.url + JSON_PATH, json=json_request("MOCK-IOP-DUAL"))
    client.post(mock.url + RAW_PATH, json={"x12": inquiry_270("MOCK-IOP-DUAL")}, headers=AUTH)
    mock.stop()
    out, err = capfd.readouterr()
    for phi in ("MOCK-IOP-DUAL", "19850315", "JANE"):
        assert phi not in out + err + caplog.text
    assert err == ""


def test_the_command_line_help_explains_every_option() -> None:
    result = CliRunner().invoke(main, ["mock-clearinghouse", "--help"])
    assert result.exit_code == 0
    for option in ("--port", "--latency-ms", "--rate-limit", "--fail-rate", "--seed"):
        assert option in result.output
    assert "429" in result.output and "Ctrl-C" in result.output
