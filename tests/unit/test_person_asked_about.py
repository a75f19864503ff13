"""Who a request is about: what decides whether two queued checks are one."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from verifier.domain.request import (
    Dependent,
    Provider,
    Subscriber,
    VerificationRequest,
    person_asked_about,
)

PARENT = VerificationRequest(
    payer_id="MOCK",
    subscriber=Subscriber("FAM-1", "Jane", "Doe", date(1985, 3, 15)),
    provider=Provider("1234567893", "Example Recovery"),
    service_date=date(2026, 12, 7),
)
CHILD = replace(PARENT, patient=Dependent("Robin", "Doe", date(2010, 6, 1), "child"))


def test_a_dependent_is_not_the_subscriber_on_the_same_member_id() -> None:
    assert person_asked_about(PARENT) != person_asked_about(CHILD)


def test_two_dependents_of_one_subscriber_are_different_people() -> None:
    sibling = replace(PARENT, patient=Dependent("Sam", "Doe", date(2012, 2, 2), "child"))
    assert person_asked_about(CHILD) != person_asked_about(sibling)


def test_another_date_of_service_is_another_question() -> None:
    assert person_asked_about(PARENT) != person_asked_about(
        replace(PARENT, service_date=date(2027, 1, 4))
    )


def test_case_spacing_provider_and_group_do_not_make_a_different_person() -> None:
    retyped = replace(
        PARENT,
        subscriber=Subscriber(" FAM-1", "JANE ", "doe", date(1985, 3, 15), "GRP9"),
        provider=Provider("1992753883", "Other"),
    )
    assert person_asked_about(retyped) == person_asked_about(PARENT)


def test_fields_cannot_run_into_each_other() -> None:
    split_differently = replace(
        PARENT, subscriber=Subscriber("FAM-1", "Jan", "eDoe", date(1985, 3, 15))
    )
    assert person_asked_about(split_differently) != person_asked_about(PARENT)
