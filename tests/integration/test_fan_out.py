"""`fan_out`: every service type (all) or `30` first and then only what it left unstated
(adaptive), with respx answering each inquiry as a payer would."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import respx

from adapters.directory import PayerSettings
from adapters.http.adapters import X12HttpAdapter
from adapters.http.client import PayerHttp
from tests.helpers import SCENARIOS
from tests.integration.test_http_adapters import REQUEST, X12_URL
from verifier.domain.coverage import interpret
from verifier.domain.determination import as_json

CONFIGURED = ("30", "MH", "AI", "CH", "CJ")


def scenario(name: str, drop: tuple[str, ...] = ()) -> str:
    """A mock scenario's 271, less the segments that start with any of `drop`."""
    text = (SCENARIOS / f"{name}.271").read_text()
    return "~".join(s for s in text.split("~") if not s.strip().startswith(drop))


# A payer that puts its behavioral rows in the generic answer and repeats them when asked by type.
CARRIES = scenario("MOCK-GENERAL-MH")
# A payer whose generic answer is plan-level only: MH and AI rows come only when asked for.
PLAN_ONLY = scenario("MOCK-GENERAL-MH", drop=("EB*1**MH^AI", "EB*B", "EB*A"))


def payer(generic: str, by_type: str) -> Callable[[httpx.Request], httpx.Response]:
    """Answer `generic` to a 30 inquiry and `by_type` to any other."""

    def answer(request: httpx.Request) -> httpx.Response:
        x12 = json.loads(request.content)["x12"]
        asked = x12.split("EQ*", 1)[1].split("~", 1)[0]
        return httpx.Response(200, json={"x12": generic if asked == "30" else by_type})

    return answer


def adapter(fan_out: str, service_types: tuple[str, ...] = CONFIGURED) -> X12HttpAdapter:
    settings = PayerSettings(
        id="ACME",
        name="Acme Health",
        adapter="x12-http",
        base_url="http://payer.test",
        service_types=service_types,
        fan_out=fan_out,
    )
    http = PayerHttp(settings, httpx.Client(), attempts=1, backoff_seconds=0.0)
    return X12HttpAdapter(settings, http, retry_pause=0.0)


def asked(route: respx.Route) -> list[str]:
    return sorted(
        json.loads(c.request.content)["x12"].split("EQ*", 1)[1].split("~", 1)[0]
        for c in route.calls
    )


def cited(determination: dict[str, Any]) -> dict[str, Any]:
    """The determination with each piece of evidence as the segment it cites: the label
    naming the inquiry that brought it differs by design when fewer inquiries are made."""
    for level in determination["levels_of_care"].values():
        segments = [
            e.split("] ", 1)[1] if e.startswith("[inquiry ") else e for e in level["evidence"]
        ]
        level["evidence"] = list(dict.fromkeys(segments))
    return determination


@respx.mock
def test_adaptive_stops_after_the_generic_answer_when_it_states_mh_and_ai() -> None:
    route = respx.post(X12_URL).mock(side_effect=payer(CARRIES, CARRIES))
    response = adapter("adaptive").check(REQUEST)
    assert asked(route) == ["30"]
    levels = interpret(response.answers[0]).levels_of_care
    assert levels["iop_mental_health"].covered and levels["iop_substance_use"].covered


@respx.mock
def test_adaptive_asks_the_behavioral_types_a_plan_level_generic_answer_left_unstated() -> None:
    route = respx.post(X12_URL).mock(side_effect=payer(PLAN_ONLY, CARRIES))
    response = adapter("adaptive").check(REQUEST)
    assert asked(route) == ["30", "AI", "CH", "CJ", "MH"]
    evidence = interpret(response.answers[0]).levels_of_care["iop_mental_health"].evidence
    assert any(e.startswith("[inquiry MH] ") for e in evidence)


@respx.mock
def test_adaptive_asks_nothing_more_about_a_member_the_payer_cannot_find() -> None:
    not_found = scenario("MOCK-NOT-FOUND")
    route = respx.post(X12_URL).mock(side_effect=payer(not_found, not_found))
    response = adapter("adaptive").check(REQUEST)
    assert asked(route) == ["30"]
    assert interpret(response.answers[0]).status == "not_found"


@respx.mock
def test_adaptive_asks_every_type_when_the_generic_inquiry_fails() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if "EQ*30~" in json.loads(request.content)["x12"]:
            return httpx.Response(400)
        return httpx.Response(200, json={"x12": CARRIES})

    route = respx.post(X12_URL).mock(side_effect=answer)
    response = adapter("adaptive").check(REQUEST)
    assert asked(route) == ["30", "AI", "CH", "CJ", "MH"]
    assert interpret(response.answers[0]).levels_of_care["iop_mental_health"].covered is True


@respx.mock
def test_adaptive_asks_the_generic_type_first_even_when_the_directory_lists_it_later() -> None:
    route = respx.post(X12_URL).mock(side_effect=payer(CARRIES, CARRIES))
    adapter("adaptive", ("MH", "AI")).check(REQUEST)
    assert asked(route) == ["30"]


@respx.mock
def test_all_still_sends_one_inquiry_per_configured_type() -> None:
    route = respx.post(X12_URL).mock(side_effect=payer(CARRIES, CARRIES))
    adapter("all").check(REQUEST)
    assert asked(route) == ["30", "AI", "CH", "CJ", "MH"]


@pytest.mark.parametrize("generic", [CARRIES, PLAN_ONLY], ids=["carries", "plan-only"])
@respx.mock
def test_adaptive_and_all_reach_the_same_determination(generic: str) -> None:
    respx.post(X12_URL).mock(side_effect=payer(generic, CARRIES))
    every = as_json(interpret(adapter("all").check(REQUEST).answers[0]))
    adaptive = as_json(interpret(adapter("adaptive").check(REQUEST).answers[0]))
    assert cited(adaptive) == cited(every)
