"""Asynchronous clearinghouse APIs (202 and "In Progress"), polled with respx as the gateway."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import respx

from adapters.base import GarbledAnswer, PayerTimeout, PayerUnreachable
from adapters.directory import PayerSettings
from adapters.http.adapters import ClearinghouseJsonAdapter
from adapters.http.client import PayerHttp
from adapters.http.polling import Polling
from adapters.http.resilience import CircuitBreaker
from tests.integration.test_http_adapters import BASE, JSON_URL, REQUEST, fixture
from verifier.domain.coverage import interpret

POLL_URL = f"{JSON_URL}/req-1"
ACCEPTED = httpx.Response(202, json={"id": "req-1", "status": "In Progress"})
WORKING = httpx.Response(200, json={"id": "req-1", "status": "In Progress"})
# First pause 1 s, doubling to at most 8 s, for at most 30 s.
POLLING = Polling(1.0, 8.0, 30.0)


class Clock:
    """Time that passes only when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def polling_adapter(
    clock: Clock, polling: Polling | None = POLLING, **http: Any
) -> ClearinghouseJsonAdapter:
    payer = PayerSettings(
        id="ACME", name="Acme Health", adapter="clearinghouse-json", base_url=BASE,
        api_key_env="TEST_CLEARINGHOUSE_KEY", timeout_seconds=2.0,
    )  # fmt: skip
    client = PayerHttp(
        payer, httpx.Client(), attempts=3, backoff_seconds=0.01, sleep=clock.sleep,
        polling=polling, clock=clock, **http,
    )  # fmt: skip
    return ClearinghouseJsonAdapter(payer, client, retry_pause=0.0)


@respx.mock
def test_a_202_with_an_id_is_polled_with_doubling_pauses_until_the_answer_is_complete() -> None:
    post = respx.post(JSON_URL).mock(return_value=ACCEPTED)
    poll = respx.get(POLL_URL).mock(
        side_effect=[WORKING, WORKING, httpx.Response(200, json=fixture("MOCK-IOP-DUAL"))]
    )
    clock = Clock()
    response = polling_adapter(clock).check(REQUEST)
    assert interpret(response.answers[0]).status == "active"
    assert (post.call_count, poll.call_count) == (1, 3)
    assert clock.slept == [1.0, 2.0, 4.0]
    assert json.loads(response.raw)["benefitsInformation"]  # the answer kept, not a status


@respx.mock
def test_a_location_header_says_where_to_poll_and_retry_after_how_soon() -> None:
    respx.post(JSON_URL).mock(
        return_value=httpx.Response(
            202, json={"status": "Pending"}, headers={"Location": "/jobs/9", "Retry-After": "3"}
        )
    )
    poll = respx.get(f"{BASE}/jobs/9").mock(
        return_value=httpx.Response(200, json=fixture("MOCK-HMO"))
    )
    clock = Clock()
    polling_adapter(clock).check(REQUEST)
    assert poll.call_count == 1
    assert clock.slept == [3.0]


@respx.mock
def test_an_answer_still_in_progress_at_the_deadline_fails_as_a_retryable_timeout() -> None:
    respx.post(JSON_URL).mock(return_value=ACCEPTED)
    poll = respx.get(POLL_URL).mock(return_value=WORKING)
    clock = Clock()
    with pytest.raises(PayerTimeout, match="still preparing") as failure:
        polling_adapter(clock, Polling(1.0, 8.0, 20.0)).check(REQUEST)
    assert failure.value.retryable is True
    # Pauses of 1, 2, 4, 8, then the 5 seconds left: never past the 20-second limit.
    assert clock.slept == [1.0, 2.0, 4.0, 8.0, 5.0]
    assert clock.now == 20.0
    assert poll.call_count == 5


@respx.mock
def test_a_poll_that_fails_transiently_is_retried_without_asking_the_payer_again() -> None:
    post = respx.post(JSON_URL).mock(return_value=ACCEPTED)
    poll = respx.get(POLL_URL).mock(
        side_effect=[httpx.Response(503), httpx.Response(200, json=fixture("MOCK-HMO"))]
    )
    assert polling_adapter(Clock()).check(REQUEST).answers
    assert (post.call_count, poll.call_count) == (1, 2)


@respx.mock
def test_failing_polls_open_the_payers_circuit_like_failing_inquiries() -> None:
    respx.post(JSON_URL).mock(return_value=ACCEPTED)
    respx.get(POLL_URL).mock(return_value=httpx.Response(502))
    breaker = CircuitBreaker(threshold=3, reset_seconds=60)
    with pytest.raises(PayerUnreachable):
        polling_adapter(Clock(), breaker=breaker).check(REQUEST)
    assert breaker.opened_at is not None


@respx.mock
def test_a_202_naming_nothing_to_poll_is_a_garbled_answer() -> None:
    respx.post(JSON_URL).mock(return_value=httpx.Response(202, json={"status": "In Progress"}))
    with pytest.raises(GarbledAnswer, match="no id to poll"):
        polling_adapter(Clock()).check(REQUEST)


@respx.mock
def test_a_payer_without_poll_does_not_wait_on_a_202() -> None:
    respx.post(JSON_URL).mock(return_value=ACCEPTED)
    poll = respx.get(POLL_URL).mock(return_value=httpx.Response(200, json=fixture("MOCK-HMO")))
    with pytest.raises(GarbledAnswer):
        polling_adapter(Clock(), polling=None).check(REQUEST)
    assert poll.call_count == 0


def test_polling_is_bounded_by_the_verifications_deadline_or_the_payers_own_limit() -> None:
    assert Polling.from_extra({}, 45.0) is None
    assert Polling.from_extra({"poll": True}, 45.0) == Polling(1.0, 8.0, 45.0)
    limited = Polling.from_extra({"poll": True, "poll_timeout_seconds": 10}, 45.0)
    assert limited is not None and limited.within_seconds == 10.0
    slow = Polling.from_extra({"poll": True, "poll_interval_seconds": 2}, None)
    assert slow == Polling(2.0, 8.0, float("inf"))
