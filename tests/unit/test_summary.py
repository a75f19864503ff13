"""The plain-language summary: understood in twenty seconds, no bare codes."""

from __future__ import annotations

import re

import pytest

from adapters.mock import SCENARIOS
from tests.helpers import determine, fixture_path
from verifier.domain.summary import DISCLAIMER

ALL = list(SCENARIOS)


def summary(name: str) -> str:
    return str(determine(fixture_path(name))["summary"])


def test_dual_ppo_summary_says_what_they_pay_and_whom_to_call() -> None:
    text = summary("MOCK-IOP-DUAL")
    assert "is active" in text
    assert (
        "Mental health: covered; $40 copay per day in network; 40% coinsurance out of network"
        in text
    )
    assert "Prior authorization is required" in text
    assert "ACME BEHAVIORAL UM at (800) 555-0101" in text
    assert "individual $900 left of $1,500" in text
    assert "dual diagnosis" in text


def test_deductible_met_is_said_plainly() -> None:
    assert "individual $1,500, already met" in summary("MOCK-DEDUCTIBLE-MET")


def test_carve_out_summary_names_the_administrator_and_phone() -> None:
    assert "managed by MINDBRIDGE BEHAVIORAL HEALTH at (800) 555-0123" in summary("MOCK-CARVE-OUT")


def test_unavailable_payer_summary_says_to_try_again() -> None:
    text = summary("MOCK-PAYER-DOWN")
    assert "could not answer right now" in text
    assert "Try again later" in text


@pytest.mark.parametrize("name", ALL)
def test_every_summary_ends_with_the_disclaimer_and_has_no_bare_codes(name: str) -> None:
    text = summary(name)
    assert text.endswith(DISCLAIMER)
    assert not re.search(r"\b(EB|AAA|CH|CJ|MH|AI|A8|BB|HC)\b|\*", text)
