"""The mock payer answers for the person asked about, except in MOCK-OTHER-MEMBER."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from adapters.mock import MockAdapter, scenario_271
from adapters.x12.reader import read_271
from verifier.domain.identity import identity_of
from verifier.domain.request import Dependent, Provider, Subscriber, VerificationRequest


def request(member_id: str, patient: Dependent | None = None) -> VerificationRequest:
    return VerificationRequest(
        payer_id="MOCK",
        subscriber=Subscriber(member_id, "Ana María", "Núñez-Ortiz", date(1990, 2, 28)),
        provider=Provider("1234567893", "Example Recovery"),
        service_date=date(2026, 11, 27),
        patient=patient,
    )


def test_an_ordinary_scenario_names_the_subscriber_asked_about() -> None:
    answer = MockAdapter().check(request("MOCK-IOP-DUAL")).answers[0]
    assert answer.subscriber is not None
    subscriber = answer.subscriber
    assert (subscriber.first_name, subscriber.last_name) == ("ANA MARIA", "NUNEZ-ORTIZ")
    assert subscriber.date_of_birth == date(1990, 2, 28)
    assert subscriber.member_id == "MOCK-IOP-DUAL"


def test_the_dependent_scenario_names_the_dependent_patient_asked_about() -> None:
    child = Dependent("Lee", "Núñez-Ortiz", date(2012, 6, 1), "child")
    answer = MockAdapter().check(request("MOCK-DEPENDENT", child)).answers[0]
    assert answer.dependent is not None
    assert (answer.dependent.first_name, answer.dependent.date_of_birth) == (
        "LEE",
        date(2012, 6, 1),
    )
    assert answer.dependent.corrected  # the scenario's INS*25 stays: the payer reports it


def test_separator_characters_in_a_name_cannot_break_the_answer() -> None:
    asked = request("MOCK-IOP-DUAL")
    odd = VerificationRequest(
        payer_id="MOCK",
        subscriber=Subscriber("MOCK-IOP-DUAL", "Jo*~^:", "Doe\n", date(1985, 3, 15)),
        provider=asked.provider,
        service_date=asked.service_date,
    )
    raw = scenario_271("MOCK-IOP-DUAL", odd)
    assert raw.count("~") == scenario_271("MOCK-IOP-DUAL").count("~")
    subscriber = read_271(raw)[0].subscriber
    assert subscriber is not None and subscriber.first_name == "JO"


def test_without_a_request_the_scenario_is_the_file_as_written() -> None:
    assert "NM1*IL*1*DOE*JANE****MI*MOCK-IOP-DUAL~" in scenario_271("MOCK-IOP-DUAL")


@dataclass(frozen=True)
class Person:
    first_name: str | None = None
    last_name: str | None = None
    date_of_birth: date | None = None


@dataclass(frozen=True)
class Inquiry:
    subscriber: Person | None
    patient: Person | None = None


def test_what_an_inquiry_leaves_out_keeps_the_scenarios_own() -> None:
    raw = scenario_271("MOCK-IOP-DUAL", Inquiry(Person(last_name="Quinn", first_name=" ")))
    assert "NM1*IL*1*QUINN*JANE****MI*MOCK-IOP-DUAL~" in raw
    assert "DMG*D8*19850315*F~" in raw
    assert scenario_271("MOCK-IOP-DUAL", Inquiry(None)) == scenario_271("MOCK-IOP-DUAL")


def test_other_member_answers_for_someone_else_whoever_is_asked_about() -> None:
    raw = scenario_271("MOCK-OTHER-MEMBER", request("MOCK-OTHER-MEMBER"))
    assert raw == scenario_271("MOCK-OTHER-MEMBER")
    answer = read_271(raw)[0]
    assert answer.subscriber is not None
    assert answer.subscriber.first_name == "ROBERT"


def test_every_ordinary_scenario_matches_the_person_asked_about() -> None:
    from adapters.mock import NOT_ECHOED, SCENARIOS
    from verifier.domain.coverage import interpret
    from verifier.domain.determination import as_json

    body: dict[str, Any] = {
        "subscriber": {
            "member_id": "",
            "first_name": "Ana María",
            "last_name": "Núñez-Ortiz",
            "date_of_birth": "1990-02-28",
        },
        "patient": None,
    }
    for name in SCENARIOS:
        if name in NOT_ECHOED or name == "MOCK-DEPENDENT":
            continue
        asked = request(name)
        determination = as_json(interpret(MockAdapter().check(asked).answers[0]))
        body["subscriber"]["member_id"] = name
        assert identity_of(body, determination).matches in (True, None), name
