"""Each HTTP adapter's success and failure paths, with respx standing in for the payer."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import httpx
import pytest
import respx

from adapters.base import (
    CircuitOpen,
    GarbledAnswer,
    PayerProtocolError,
    PayerTimeout,
    PayerUnreachable,
)
from adapters.directory import PayerSettings
from adapters.http.adapters import ClearinghouseJsonAdapter, FhirAdapter, X12HttpAdapter
from adapters.http.client import PayerHttp, PayerRefused
from adapters.http.resilience import CircuitBreaker, RateLimiter
from tests.helpers import FIXTURES
from tests.unit.test_formats import FHIR
from verifier.domain.coverage import interpret
from verifier.domain.request import Provider, Subscriber, VerificationRequest

BASE = "http://payer.test"
JSON_URL = f"{BASE}/change/medicalnetwork/eligibility/v3"
X12_URL = f"{JSON_URL}/raw-x12"
REQUEST = VerificationRequest(
    payer_id="ACME",
    subscriber=Subscriber("MOCK-IOP-DUAL", "Jane", "Doe", date(1985, 3, 15), "GRP1001"),
    provider=Provider("1234567893", "Example Recovery"),
    service_date=date(2026, 11, 27),
)


def fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / "clearinghouse" / f"{name}.json").read_text())


def adapter(
    kind: type = ClearinghouseJsonAdapter, breaker: CircuitBreaker | None = None, **settings: Any
) -> tuple[Any, list[float]]:
    slept: list[float] = []
    payer = PayerSettings(
        id="ACME",
        name="Acme Health",
        adapter="clearinghouse-json",
        base_url=BASE,
        api_key_env="TEST_CLEARINGHOUSE_KEY",
        trading_partner_id="60054",
        timeout_seconds=2.0,
        **settings,
    )
    http = PayerHttp(
        payer, httpx.Client(), attempts=3, backoff_seconds=0.01, breaker=breaker, sleep=slept.append
    )
    return kind(payer, http, retry_pause=0.0), slept


@respx.mock
def test_clearinghouse_json_sends_v3_request_and_reads_the_answer(monkeypatch) -> None:
    monkeypatch.setenv("TEST_CLEARINGHOUSE_KEY", "secret-key")
    route = respx.post(JSON_URL).mock(
        return_value=httpx.Response(200, json=fixture("MOCK-IOP-DUAL"))
    )
    a, _ = adapter()
    response = a.check(REQUEST)
    sent = json.loads(route.calls.last.request.content)
    assert route.calls.last.request.headers["Authorization"] == "secret-key"
    assert sent["tradingPartnerServiceId"] == "60054"
    assert sent["encounter"]["serviceTypeCodes"] == ["30"]
    assert sent["subscriber"]["dateOfBirth"] == "19850315"
    assert len(sent["controlNumber"]) == 9
    assert interpret(response.answers[0]).levels_of_care["iop_mental_health"].covered is True


@respx.mock
def test_fan_out_sends_one_inquiry_per_service_type_and_cites_each() -> None:
    route = respx.post(JSON_URL).mock(
        return_value=httpx.Response(200, json=fixture("MOCK-IOP-DUAL"))
    )
    a, _ = adapter(service_types=("30", "MH", "AI"))
    response = a.check(REQUEST)
    sent = sorted(
        json.loads(c.request.content)["encounter"]["serviceTypeCodes"][0] for c in route.calls
    )
    assert sent == ["30", "AI", "MH"]
    evidence = interpret(response.answers[0]).levels_of_care["iop_mental_health"].evidence
    assert any(e.startswith("[inquiry MH] ") for e in evidence)


@respx.mock
def test_retries_a_5xx_then_succeeds() -> None:
    route = respx.post(JSON_URL).mock(
        side_effect=[httpx.Response(503), httpx.Response(200, json=fixture("MOCK-HMO"))]
    )
    a, slept = adapter()
    assert a.check(REQUEST).answers[0].benefits
    assert route.call_count == 2
    assert len(slept) == 1


@respx.mock
def test_honours_retry_after_on_429() -> None:
    respx.post(JSON_URL).mock(
        side_effect=[
            httpx.Response(429, headers={"Retry-After": "7"}),
            httpx.Response(200, json=fixture("MOCK-HMO")),
        ]
    )
    a, slept = adapter()
    a.check(REQUEST)
    assert slept and slept[0] >= 7


@respx.mock
def test_timeouts_are_retried_then_reported_as_timeout() -> None:
    route = respx.post(JSON_URL).mock(side_effect=httpx.ReadTimeout("slow"))
    a, _ = adapter()
    with pytest.raises(PayerTimeout):
        a.check(REQUEST)
    assert route.call_count == 3


@respx.mock
def test_connection_errors_are_payer_unreachable() -> None:
    respx.post(JSON_URL).mock(side_effect=httpx.ConnectError("refused"))
    a, _ = adapter()
    with pytest.raises(PayerUnreachable):
        a.check(REQUEST)


@respx.mock
def test_bad_request_is_never_retried() -> None:
    route = respx.post(JSON_URL).mock(return_value=httpx.Response(400, json={"errors": []}))
    a, _ = adapter()
    with pytest.raises(PayerRefused):
        a.check(REQUEST)
    assert route.call_count == 1


GARBLED = {
    "a proxy's HTML page": b"<html><body><h1>502 Bad Gateway</h1></body></html>",
    "a body cut short": b'{"benefitsInformation": [{"code": "1", "serv',
    "an empty body": b"",
}


@pytest.mark.parametrize("body", GARBLED.values(), ids=GARBLED.keys())
@respx.mock
def test_a_200_that_is_not_json_is_retried_like_a_5xx_and_fails_retryable(body: bytes) -> None:
    route = respx.post(JSON_URL).mock(return_value=httpx.Response(200, content=body))
    a, _ = adapter()
    with pytest.raises(GarbledAnswer, match="garbled answer") as failure:
        a.check(REQUEST)
    assert failure.value.retryable is True
    assert route.call_count == 3


@respx.mock
def test_a_proxy_page_then_the_payers_answer_completes_the_verification() -> None:
    respx.post(JSON_URL).mock(
        side_effect=[
            httpx.Response(200, content=GARBLED["a proxy's HTML page"]),
            httpx.Response(200, json=fixture("MOCK-IOP-DUAL")),
        ]
    )
    a, _ = adapter()
    assert interpret(a.check(REQUEST).answers[0]).status == "active"


@pytest.mark.parametrize(
    ("kind", "url"),
    [(X12HttpAdapter, X12_URL), (ClearinghouseJsonAdapter, JSON_URL), (FhirAdapter, BASE)],
)
@respx.mock
def test_json_that_is_not_the_adapters_envelope_is_retried(kind: type, url: str) -> None:
    # What an API gateway in front of the payer says when it, not the payer, failed.
    route = respx.post(url).mock(
        return_value=httpx.Response(200, json={"message": "Internal server error"})
    )
    a, _ = adapter(kind)
    with pytest.raises(GarbledAnswer):
        a.check(REQUEST)
    assert route.call_count == 3


@respx.mock
def test_an_envelope_holding_an_unreadable_271_is_final_and_keeps_what_the_payer_sent() -> None:
    route = respx.post(X12_URL).mock(
        return_value=httpx.Response(200, json={"x12": "GS*HB*not an interchange~"})
    )
    a, _ = adapter(X12HttpAdapter)
    with pytest.raises(PayerProtocolError) as failure:
        a.check(REQUEST)
    assert failure.value.retryable is False
    assert failure.value.raw == "GS*HB*not an interchange~"
    assert route.call_count == 1


@respx.mock
def test_payer_unable_to_respond_is_retried_and_member_not_found_is_not() -> None:
    route = respx.post(JSON_URL).mock(
        side_effect=[
            httpx.Response(200, json=fixture("MOCK-PAYER-DOWN")),
            httpx.Response(200, json=fixture("MOCK-IOP-DUAL")),
        ]
    )
    a, _ = adapter()
    assert interpret(a.check(REQUEST).answers[0]).status == "active"
    assert route.call_count == 2
    missing = respx.post(JSON_URL).mock(
        return_value=httpx.Response(200, json=fixture("MOCK-NOT-FOUND"))
    )
    assert interpret(a.check(REQUEST).answers[0]).status == "not_found"
    assert missing.call_count == 3  # two from before plus exactly one


@respx.mock
def test_circuit_opens_after_repeated_failures_and_refuses_at_once() -> None:
    route = respx.post(JSON_URL).mock(return_value=httpx.Response(502))
    a, _ = adapter(breaker=CircuitBreaker(threshold=3, reset_seconds=60))
    with pytest.raises(PayerUnreachable):
        a.check(REQUEST)
    calls = route.call_count
    with pytest.raises(CircuitOpen, match="try later or call"):
        a.check(REQUEST)
    assert route.call_count == calls


def test_circuit_lets_one_call_through_after_the_reset_time() -> None:
    now = [0.0]
    breaker = CircuitBreaker(threshold=1, reset_seconds=10, clock=lambda: now[0])
    breaker.failure()
    with pytest.raises(CircuitOpen):
        breaker.before_call()
    now[0] = 11
    breaker.before_call()
    breaker.success()
    breaker.before_call()


def test_rate_limiter_holds_the_rate_with_only_a_small_burst() -> None:
    now = [0.0]
    starts: list[float] = []

    def sleep(seconds: float) -> None:
        now[0] += seconds

    limiter = RateLimiter(10, clock=lambda: now[0], sleep=sleep)
    for _ in range(40):
        limiter.acquire()
        starts.append(now[0])
    assert starts[:2] == [0.0, 0.0]  # a burst of a fifth of a second's worth
    # In any one second: the rate plus the burst (a fifth of it), never more.
    assert max(sum(1 for t in starts if s <= t < s + 1) for s in starts) <= 12
    assert starts[-1] == pytest.approx(3.8)


@respx.mock
def test_fhir_adapter_posts_a_benefits_request_and_reads_the_response() -> None:
    route = respx.post(BASE).mock(return_value=httpx.Response(200, json=FHIR))
    a, _ = adapter(kind=FhirAdapter)
    response = a.check(REQUEST)
    sent = json.loads(route.calls.last.request.content)
    assert sent["resourceType"] == "CoverageEligibilityRequest"
    assert sent["purpose"] == ["benefits"]
    assert interpret(response.answers[0]).status == "active"
