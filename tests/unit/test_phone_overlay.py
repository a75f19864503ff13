"""Laying facts confirmed by phone over an electronic determination."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

from tests.helpers import determine, fixture_path
from verifier.domain.phone import with_phone_facts

CALL = {
    "added_by": "key-1",
    "added_by_name": "Admissions desk",
    "added_at": datetime(2026, 11, 27, 9, 30, tzinfo=UTC),
    "facts": {
        "level": "iop_substance_use",
        "covered": False,
        "rep_name": "Sam",
        "call_reference": "CALL-1",
    },
}


def test_the_stored_determination_is_left_as_the_payer_gave_it() -> None:
    electronic = determine(fixture_path("MOCK-IOP-DUAL"))
    before = copy.deepcopy(electronic)

    shown = with_phone_facts(electronic, [CALL])

    assert electronic == before
    level = shown["levels_of_care"]["iop_substance_use"]
    assert level["covered"] is False
    assert level["source"]["covered"] == "phone"
    assert level["confirmed_by_phone"]["covered"]["call_reference"] == "CALL-1"
    assert shown["dual_diagnosis"]["covered"] is False
    assert before["dual_diagnosis"]["covered"] is True


def test_without_calls_every_value_is_electronic() -> None:
    electronic = determine(fixture_path("MOCK-IOP-DUAL"))

    shown = with_phone_facts(electronic, [])

    for level in shown["levels_of_care"].values():
        assert level["source"] == {"covered": "electronic", "prior_auth_required": "electronic"}
        assert level["confirmed_by_phone"] == {}
    assert shown["dual_diagnosis"] == electronic["dual_diagnosis"]
    assert "source" not in electronic["levels_of_care"]["iop_mental_health"]
