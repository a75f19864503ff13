"""as_json is written out class by class for speed: it must say exactly what a generic walk
over the determination's dataclasses says, keys in the same order."""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from adapters.answers import read_answers
from adapters.x12.tokens import needs_strip
from tests.helpers import FIXTURES, SCENARIOS
from verifier.domain.coverage import interpret
from verifier.domain.determination import (
    Accumulator,
    Accumulators,
    Determination,
    DualDiagnosis,
    LevelOfCare,
    Limit,
    Member,
    Payer,
    Plan,
    Tiers,
    as_json,
)

FILES = sorted(SCENARIOS.glob("*.271")) + sorted(
    p for p in FIXTURES.rglob("*") if p.suffix in (".271", ".json") and "stored" not in p.parts
)


def generic(value: Any) -> Any:
    """The reference: any dataclass, by its fields; decimals as strings, dates ISO 8601."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: generic(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [generic(item) for item in value]
    if is_dataclass(value):
        return {f.name: generic(getattr(value, f.name)) for f in fields(value)}
    return value


def ordered(value: Any) -> Any:
    """Dicts as lists of pairs, so that comparing also compares the order of keys."""
    if isinstance(value, dict):
        return [(key, ordered(item)) for key, item in value.items()]
    if isinstance(value, list):
        return [ordered(item) for item in value]
    return value


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_as_json_matches_the_generic_walk_on_every_fixture(path: Path) -> None:
    for answer in read_answers(path.read_bytes()):
        determination = interpret(answer)
        assert ordered(as_json(determination)) == ordered(generic(determination))


def test_as_json_matches_the_generic_walk_with_every_optional_part_filled() -> None:
    money = Accumulator(total=Decimal("1500.00"), remaining=None)
    level = LevelOfCare(
        covered=True,
        basis="service_type",
        limits=[Limit(Decimal("30"), "visits", "calendar_year"), Limit(None, None, None)],
        notes=["a"],
        evidence=["EB*1"],
    )
    determination = Determination(
        status="active",
        rejection=None,
        member=Member("subscriber", "JANE", "DOE", "M1", date(1985, 3, 15)),
        plan=Plan("PPO", "G1", "Preferred Provider Organization (PPO)", date(2026, 1, 1), None),
        payer=Payer("ACME", "A1"),
        behavioral_health_administrator=None,
        levels_of_care={"iop_mental_health": level},
        dual_diagnosis=DualDiagnosis(None, "unknown"),
        deductible=Accumulators(in_network=Tiers(individual=money, family=None)),
        out_of_pocket=Accumulators(),
        summary="text",
    )
    assert ordered(as_json(determination)) == ordered(generic(determination))


@pytest.mark.parametrize(
    ("segments", "expected"),
    [
        (["ISA*00*  *", "EB*1**30", "MSG*A MESSAGE"], False),
        (["ISA", "EB*1 **30"], True),
        (["ISA", "MSG* A"], True),
        (["ISA", "EB *1"], True),
        (["ISA", "MSG*A\tB"], True),  # conservative: any other whitespace means strip
        (["ISA", "MSG*A\u00a0"], True),
        (["ISA", "MSG*CAFÉ"], False),
    ],
)
def test_needs_strip_tells_when_elements_may_carry_whitespace(
    segments: list[str], expected: bool
) -> None:
    assert needs_strip(segments, "*") is expected
