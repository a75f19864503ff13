"""The identity check: the person asked about against the member the payer answered for."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from schemas.record import IDENTITY_DIFFERENCES
from verifier.domain.identity import (
    FIELDS,
    PAYER_CORRECTION,
    Identity,
    Who,
    asked_about,
    compare,
    identity_notice,
    identity_of,
)
from verifier.records import VerificationRecord

JANE = Who("Jane", "Doe", date(1985, 3, 15), "MOCK-IOP-DUAL")
REQUEST: dict[str, Any] = {
    "payer_id": "MOCK",
    "subscriber": {
        "member_id": "MOCK-IOP-DUAL",
        "first_name": "Jane",
        "last_name": "Doe",
        "date_of_birth": "1985-03-15",
    },
    "patient": None,
}


def determination(status: str = "active", **member: Any) -> dict[str, Any]:
    base = {
        "relationship": "subscriber",
        "first_name": "JANE",
        "last_name": "DOE",
        "member_id": "MOCK-IOP-DUAL",
        "date_of_birth": "1985-03-15",
        "corrected": False,
    }
    return {"status": status, "member": {**base, **member}}


def test_the_same_person_in_the_payers_upper_case_matches() -> None:
    answered = Who("JANE", "DOE", date(1985, 3, 15), "MOCK-IOP-DUAL")
    assert compare(JANE, answered) == Identity(True, ())


@pytest.mark.parametrize(
    ("asked", "answered"),
    [
        ("  Jane ", "JANE"),
        ("Mary Ann", "MARYANN"),
        ("O'Neil", "ONEIL"),
        ("Smith-Jones", "SMITH JONES"),
        ("José", "JOSE"),
    ],
)
def test_names_match_ignoring_case_spaces_punctuation_and_accents(
    asked: str, answered: str
) -> None:
    assert compare(Who(first_name=asked), Who(first_name=answered)).matches is True


def test_member_ids_match_ignoring_case_spaces_and_hyphens() -> None:
    assert compare(Who(member_id="abc 123-45"), Who(member_id="ABC12345")).matches is True


def test_a_member_id_with_another_suffix_is_a_different_member() -> None:
    identity = compare(Who(member_id="W123456789"), Who(member_id="W12345678901"))
    assert identity == Identity(False, ("member_id",))


def test_each_differing_field_is_named_in_a_fixed_order() -> None:
    answered = Who("ROBERT", "QUINLAN", date(1962, 9, 2), "MOCK-IOP-DUAL")
    identity = compare(JANE, answered)
    assert identity == Identity(False, ("first_name", "last_name", "date_of_birth"))


def test_only_the_date_of_birth_differs() -> None:
    answered = Who("JANE", "DOE", date(1985, 5, 13), "MOCK-IOP-DUAL")
    assert compare(JANE, answered) == Identity(False, ("date_of_birth",))


def test_a_field_the_payer_leaves_out_is_not_compared() -> None:
    answered = Who("JANE", "DOE", None, "MOCK-IOP-DUAL")
    assert compare(JANE, answered) == Identity(True, ())


def test_an_answer_with_nothing_to_compare_is_unknown() -> None:
    assert compare(JANE, Who()) == Identity(None, ())
    assert compare(JANE, Who(first_name="  ")) == Identity(None, ())
    assert compare(JANE, None) == Identity(None, ())


def test_a_correction_the_payer_reported_is_a_difference_even_when_values_agree() -> None:
    answered = Who("JANE", "DOE", date(1985, 3, 15), "MOCK-IOP-DUAL")
    identity = compare(JANE, answered, corrected=True)
    assert identity == Identity(False, (PAYER_CORRECTION,))


def test_a_corrected_date_of_birth_names_the_field_and_the_correction() -> None:
    answered = Who("JANE", "DOE", date(1985, 3, 16), None)
    identity = compare(JANE, answered, corrected=True)
    assert identity == Identity(False, ("date_of_birth", PAYER_CORRECTION))


def test_a_dependent_patient_is_the_person_asked_about_with_the_subscribers_member_id() -> None:
    request = {
        **REQUEST,
        "patient": {
            "first_name": "Sam",
            "last_name": "Doe",
            "date_of_birth": "2009-07-04",
            "relationship": "child",
        },
    }
    assert asked_about(request) == Who("Sam", "Doe", date(2009, 7, 4), "MOCK-IOP-DUAL")


@pytest.mark.parametrize("status", ["not_found", "rejected", "payer_unavailable"])
def test_answers_without_a_member_are_unknown_whatever_names_they_echo(status: str) -> None:
    answer = determination(status, first_name="SOMEONE", last_name="ELSE")
    assert identity_of(REQUEST, answer) == Identity(None, ())


def test_no_determination_yet_is_unknown() -> None:
    assert identity_of(REQUEST, None) == Identity(None, ())


def test_an_inactive_plan_still_says_whom_it_is_about() -> None:
    answer = determination("inactive", date_of_birth="1985-03-16")
    assert identity_of(REQUEST, answer) == Identity(False, ("date_of_birth",))


def test_the_determinations_correction_flag_wins_over_the_fallback() -> None:
    assert identity_of(REQUEST, determination(corrected=True)).matches is False
    assert identity_of(REQUEST, determination(), corrected=True).matches is True


def test_a_determination_stored_before_the_correction_flag_uses_the_fallback() -> None:
    answer = determination()
    del answer["member"]["corrected"]
    assert identity_of(REQUEST, answer).matches is True
    assert identity_of(REQUEST, answer, corrected=True).differences == (PAYER_CORRECTION,)


def test_the_notice_names_fields_in_words_and_never_their_values() -> None:
    notice = identity_notice(Identity(False, ("first_name", "date_of_birth")))
    assert notice is not None
    assert notice.startswith(
        "The payer answered for a different person: first name and date of birth differ"
    )
    one = identity_notice(Identity(False, ("date_of_birth",)))
    assert one is not None and "date of birth differs" in one
    assert identity_notice(Identity(True)) is None
    assert identity_notice(Identity(None)) is None


def test_a_reported_correction_alone_gets_its_own_notice() -> None:
    notice = identity_notice(Identity(False, (PAYER_CORRECTION,)))
    assert notice is not None and "corrected" in notice


def test_the_api_schema_allows_exactly_the_differences_the_domain_names() -> None:
    assert [*FIELDS, PAYER_CORRECTION] == IDENTITY_DIFFERENCES


def _record(answer: dict[str, Any] | None, summary: str | None) -> VerificationRecord:
    from datetime import UTC, datetime

    return VerificationRecord(
        id="r1",
        payer_id="MOCK",
        member_id="MOCK-IOP-DUAL",
        request=REQUEST,
        created_at=datetime(2026, 11, 27, tzinfo=UTC),
        determination=answer,
        summary=summary,
    )


def test_the_staff_summary_starts_with_the_flag_when_the_person_differs() -> None:
    record = _record(determination(date_of_birth="1962-09-02"), "Coverage is active.")
    assert record.identity == Identity(False, ("date_of_birth",))
    lines = (record.staff_summary or "").splitlines()
    assert lines[0].startswith("The payer answered for a different person: date of birth")
    assert lines[1] == "Coverage is active."


def test_the_staff_summary_is_the_stored_one_when_the_person_matches() -> None:
    record = _record(determination(), "Coverage is active.")
    assert record.staff_summary == "Coverage is active."


def test_a_record_of_the_previous_release_reads_its_correction_from_its_summary() -> None:
    answer = determination()
    del answer["member"]["corrected"]
    summary = "The insurer corrected the member's details: use the name and birth date it returned."
    record = _record(answer, summary)
    assert record.identity == Identity(False, (PAYER_CORRECTION,))
    assert record.staff_summary == summary  # it already says so; no second line
