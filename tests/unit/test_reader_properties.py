"""The reader raises nothing but its own clear error, whatever it is fed."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.answers import read_answers
from tests.helpers import SCENARIOS
from verifier.domain.coverage import interpret
from verifier.domain.model import UnreadableAnswer

REAL = sorted(p.read_text() for p in SCENARIOS.glob("*.271"))


def survives(raw: str | bytes) -> None:
    try:
        answers = read_answers(raw)
    except UnreadableAnswer as error:
        assert str(error) and "\n" not in str(error)
        return
    for answer in answers:
        interpret(answer)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_arbitrary_bytes_are_read_or_refused_clearly(raw: bytes) -> None:
    survives(raw)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(REAL), st.integers(min_value=0, max_value=4000))
def test_truncated_271s_are_read_or_refused_clearly(text: str, cut: int) -> None:
    survives(text[:cut])


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(REAL), st.integers(min_value=106, max_value=4000), st.text(max_size=20))
def test_271s_with_garbage_spliced_in_are_read_or_refused_clearly(
    text: str, at: int, junk: str
) -> None:
    survives(text[:at] + junk + text[at:])


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=10),
        lambda inner: (
            st.lists(inner, max_size=4)
            | st.dictionaries(
                st.sampled_from(
                    [
                        "benefitsInformation",
                        "code",
                        "subscriber",
                        "errors",
                        "serviceTypeCodes",
                        "benefitAmount",
                        "resourceType",
                        "insurance",
                        "item",
                        "dependents",
                        "payer",
                    ]
                ),
                inner,
                max_size=4,
            )
        ),
        max_leaves=20,
    )
)
def test_arbitrary_json_is_read_or_refused_clearly(data: object) -> None:
    import json

    survives(json.dumps(data))
