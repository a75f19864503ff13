"""Property: no figure is ever merged across two plans of one answer.

Each generated 271 holds the medical plan that covers behavioral health and another plan (a
dental, vision or pharmacy rider, or Medicare Part A beside Part B) whose rows
follow its own coverage row. The other plan's amounts end in .37 cents and the medical plan's
in .00, so any figure of the determination that ends in .37 came from the wrong plan.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.unit.test_reading_rules import read

_NETWORKS = st.sampled_from(["Y", "N", "W", ""])
_LEVELS = st.sampled_from(["IND", "FAM", ""])
_OTHERS = st.sampled_from(
    [
        "EB*1**AL*HN*ACME VISION",
        "EB*1**35*PR*ACME DENTAL",
        "EB*1**88*PR*ACME RX",
        "EB*1**30*PR*ACME VISION PLUS",
        "EB*1**30*MA",  # Medicare Part A beside a Part B that names the behavioral types
    ]
)


@st.composite
def _row(draw: Any, cents: str) -> str:
    """One cost row: deductible, out-of-pocket, copay or coinsurance, plan-wide or BH."""
    kind = draw(st.sampled_from(["C", "G", "B", "A"]))
    # the other plan's rows name its own services; a row naming behavioral health belongs to
    # the medical plan wherever it stands (plans.split_plans)
    own = ["30", "MH", "CH", "AI^CJ", "BB"] if cents == "00" else ["30", "35", "AL", "88"]
    types = draw(st.sampled_from(own if kind in "AB" else ["30"]))
    network, level = draw(_NETWORKS), draw(_LEVELS)
    dollars = draw(st.integers(min_value=0, max_value=8000))
    period = draw(st.sampled_from(["23", "29", "27", "7"]))
    if kind == "A":
        share = draw(st.sampled_from(["0.1", "0.37", "0.5"] if cents == "37" else ["0.2", "0.4"]))
        return f"EB*A*{level}*{types}***{period}**{share}****{network}"
    return f"EB*{kind}*{level}*{types}***{period}*{dollars}.{cents}*****{network}"


def _figures(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [f for key, item in value.items() if key != "summary" for f in _figures(item)]
    if isinstance(value, list):
        return [f for item in value for f in _figures(item)]
    return [value] if isinstance(value, str) else []


@settings(max_examples=150, deadline=None)
@given(
    medical=st.lists(_row("00"), max_size=6),
    other_head=_OTHERS,
    other=st.lists(_row("37"), min_size=1, max_size=6),
    medical_first=st.booleans(),
)
def test_no_figure_is_merged_across_two_plans(
    medical: list[str], other_head: str, other: list[str], medical_first: bool
) -> None:
    medical_plan = ["EB*1**30^MH^CH^AI^CJ^BB*MB*ACME MEDICAL", *medical]
    other_plan = [other_head, *other]
    rows = medical_plan + other_plan if medical_first else other_plan + medical_plan
    determination = read("".join(f"{row}~" for row in rows))
    leaked = [f for f in _figures(determination) if f.endswith(".37") or f == "0.37"]
    assert leaked == []
    assert determination["plan"]["name"] == "ACME MEDICAL"
