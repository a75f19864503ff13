"""A determination stored by the previous release reads in the second edition's shape."""

from __future__ import annotations

import json
from typing import Any

from schemas.determination import DeterminationSchema
from tests.helpers import FIXTURES, determine, fixture_path
from verifier.domain.edition import second_edition

# MOCK-IOP-DUAL as the first edition wrote it (`basis: service_type`, no network_not_stated,
# no per-block basis, no other_payers).
OLD = FIXTURES / "stored" / "first_edition_MOCK-IOP-DUAL.json"


def old_record() -> dict[str, Any]:
    return json.loads(OLD.read_text())  # type: ignore[no-any-return]


def test_a_first_edition_determination_gains_the_second_editions_keys() -> None:
    upgraded = second_edition(old_record())
    assert upgraded is not None
    mental = upgraded["levels_of_care"]["iop_mental_health"]
    assert mental["basis"] == "general_service_type"
    assert mental["in_network"]["basis"] == "general_service_type"
    assert mental["in_network"]["copay"] == "40.00"
    assert mental["network_not_stated"] is None
    assert upgraded["deductible"]["network_not_stated"] is None
    assert upgraded["other_payers"] == []


def test_an_upgraded_first_edition_record_validates_against_the_public_schema() -> None:
    assert DeterminationSchema().validate(second_edition(old_record()) or {}) == {}


def test_a_second_edition_determination_is_left_as_it_is() -> None:
    current = determine(fixture_path("MOCK-IOP-DUAL"))
    assert second_edition(current) == current
