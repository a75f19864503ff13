"""Which behavioral inquiries a generic answer leaves worth paying for (fan_out = adaptive)."""

from __future__ import annotations

from adapters.answers import read_answers
from tests.helpers import SCENARIOS
from verifier.domain.followups import follow_up_types
from verifier.domain.model import PayerAnswer

CONFIGURED = ("30", "MH", "AI", "CH", "CJ", "BB")


def scenario(name: str, drop: tuple[str, ...] = ()) -> PayerAnswer:
    """A mock scenario's 271, less the segments that start with any of `drop`."""
    text = (SCENARIOS / f"{name}.271").read_text()
    kept = [s for s in text.split("~") if not s.strip().startswith(drop)]
    return read_answers("~".join(kept))[0]


def test_a_generic_answer_carrying_mh_and_ai_leaves_only_partial_hospitalization_to_ask() -> None:
    # MOCK-GENERAL-MH answers 30 with MH^AI rows: MH states mental-health IOP, AI both
    # substance-use levels; CH and CJ speak only for levels already stated; BB's is not.
    assert follow_up_types(scenario("MOCK-GENERAL-MH"), CONFIGURED) == ("BB",)


def test_a_generic_answer_stating_every_level_leaves_nothing_to_ask() -> None:
    # The carve-out names its administrator for MH, A8, CH, AI, CJ and BB: every level is
    # stated ("ask them"), and asking again by type would only repeat it.
    assert follow_up_types(scenario("MOCK-CARVE-OUT"), CONFIGURED) == ()


def test_a_generic_answer_with_plan_rows_only_leaves_every_behavioral_type_to_ask() -> None:
    plan_only = scenario("MOCK-GENERAL-MH", drop=("EB*1**MH", "EB*B", "EB*A"))
    assert follow_up_types(plan_only, CONFIGURED) == ("MH", "AI", "CH", "CJ", "BB")


def test_a_level_stated_as_not_covered_needs_no_second_call() -> None:
    # MOCK-MH-ONLY covers A8^CH and denies AI^CJ^AJ^AK outright (EB*I): both are statements.
    assert follow_up_types(scenario("MOCK-MH-ONLY"), ("30", "MH", "AI", "CJ")) == ()


def test_only_the_types_whose_levels_are_unstated_are_asked() -> None:
    # Mental health only: the substance-use types are still to ask, MH and CH are not.
    mental_health_only = scenario("MOCK-GENERAL-MH", drop=("EB*1**MH^AI", "EB*B", "EB*A"))
    mental_health_only.benefits += scenario("MOCK-MH-ONLY", drop=("EB*I",)).benefits[1:3]
    assert follow_up_types(mental_health_only, ("30", "MH", "AI", "CH", "CJ")) == ("AI", "CJ")


def test_an_inactive_plan_a_member_not_found_or_a_payer_down_settles_it_without_more_calls() -> (
    None
):
    assert follow_up_types(scenario("MOCK-INACTIVE"), CONFIGURED) == ()
    assert follow_up_types(scenario("MOCK-NOT-FOUND"), CONFIGURED) == ()
    assert follow_up_types(scenario("MOCK-PAYER-DOWN"), CONFIGURED) == ()


def test_without_a_generic_answer_every_configured_type_is_asked_once() -> None:
    assert follow_up_types(None, ("30", "MH", "AI", "MH")) == ("MH", "AI")


def test_a_type_that_speaks_for_no_level_of_care_is_still_asked() -> None:
    # A6 (psychotherapy) feeds no IOP or PHP level: the rule cannot say it is answered.
    assert follow_up_types(scenario("MOCK-CARVE-OUT"), ("30", "MH", "A6")) == ("A6",)
