"""Call a payer or clearinghouse over HTTP, translating transport failures into PayerErrors.

Retries (tenacity, jittered exponential backoff) happen only on transient failures: connect
errors, timeouts, 5xx, 429 (honouring Retry-After) and a 200 whose body is not the protocol's
envelope (a proxy's HTML page, a truncated body). Bad requests are never retried.

Credentials are an API key in `Authorization` or an OAuth2 client-credentials token (renewed
once on a 401). A payer whose API answers asynchronously (202, "In Progress") is polled.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt
from tenacity.wait import wait_exponential_jitter

from adapters.base import (
    CircuitOpen,
    GarbledAnswer,
    PayerError,
    PayerTimeout,
    PayerUnreachable,
)
from adapters.directory import PayerSettings
from adapters.http.oauth import CredentialsRefused, OAuth2Credentials
from adapters.http.polling import Pending, Polling, pending
from adapters.http.resilience import CircuitBreaker, Guard


class Throttled(PayerUnreachable):
    code = "throttled"

    def __init__(self, message: str, retry_after: float | None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PayerRefused(PayerError):
    """The payer refused the request itself (4xx other than 429): retrying will not help."""

    code, retryable = "payer_refused_request", False


# Given the decoded JSON, what the protocol's envelope lacks, or None when it is one.
Envelope = Callable[[Any], str | None]
# Given the payer's HTTP response (other than a 401), what it says; raises PayerError.
Reader = Callable[[httpx.Response], Any]


def any_json(answer: Any) -> str | None:
    return None


def check_status(response: httpx.Response) -> None:
    """Raise the PayerError an HTTP error status means: 429 and 5xx are transient, 4xx final."""
    if response.status_code == 429:
        raise Throttled("the payer is throttling requests (429)", _retry_after(response))
    if response.status_code >= 500:
        raise PayerUnreachable(f"the payer failed with HTTP {response.status_code}")
    if response.status_code >= 400:
        raise PayerRefused(f"the payer refused the request with HTTP {response.status_code}")


def json_body(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError as error:
        # A proxy's error page or a body cut short: nothing the payer said about the member.
        raise GarbledAnswer("the payer's gateway sent a garbled answer (not JSON)") from error


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return min(float(value), 60.0) if value else None
    except ValueError:
        return None


class _Wait:
    """Jittered exponential backoff, but never shorter than a Retry-After the payer asked for."""

    def __init__(self, initial: float, maximum: float) -> None:
        self.backoff = wait_exponential_jitter(multiplier=initial, max=maximum)

    def __call__(self, state: RetryCallState) -> float:
        wait = float(self.backoff(state))
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, Throttled) and error.retry_after:
            wait = max(wait, error.retry_after)
        return wait


class PayerHttp:
    """One payer's HTTP endpoint with its credentials, guard, retry policy and polling."""

    def __init__(
        self,
        settings: PayerSettings,
        client: httpx.Client,
        *,
        attempts: int = 3,
        backoff_seconds: float = 0.5,
        breaker: CircuitBreaker | None = None,
        sleep: Callable[[float], None] | None = None,
        credentials: OAuth2Credentials | None = None,
        polling: Polling | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.client = client
        self.attempts = attempts
        self.backoff_seconds = backoff_seconds
        self.guard = Guard(
            settings.rate_limit_per_second, settings.max_concurrency, breaker or CircuitBreaker()
        )
        self.sleep = sleep
        self.credentials = credentials
        self.polling = polling
        self.clock = clock

    def headers(self) -> dict[str, str]:
        """The `Authorization` header: an OAuth2 token, or the API key. Raises PayerError when
        no token can be had."""
        if self.credentials is not None:
            return {"Authorization": self.credentials.authorization()}
        key = os.environ.get(self.settings.api_key_env) if self.settings.api_key_env else None
        return {"Authorization": key} if key else {}

    def post_json(self, url: str, body: dict[str, Any], envelope: Envelope = any_json) -> Any:
        """POST with retries on transient failures; an answer `envelope` finds lacking is one.
        An asynchronous answer is polled for. Raises PayerError."""
        read = self._json_reader(envelope)
        result = self.call("POST", url, read, json=body)
        return self._poll(result, read) if isinstance(result, Pending) else result

    def call(self, method: str, url: str, read: Reader, **send: Any) -> Any:
        """One request (httpx keyword arguments in `send`), retried on transient failures, its
        response given to `read`. Raises PayerError."""
        retrying = Retrying(
            stop=stop_after_attempt(self.attempts),
            wait=_Wait(self.backoff_seconds, self.backoff_seconds * 8),
            # An open circuit will not close within a backoff; stop rather than wait on it.
            retry=retry_if_exception(
                lambda e: (
                    isinstance(e, PayerError) and e.retryable and not isinstance(e, CircuitOpen)
                )
            ),
            reraise=True,
            sleep=self.sleep or time.sleep,
        )
        earlier: list[PayerError] = []

        def once() -> Any:
            try:
                return self._once(method, url, read, send)
            except CircuitOpen:
                if earlier:  # the circuit opened during our own retries: report why
                    raise earlier[-1] from None
                raise
            except PayerError as error:
                earlier.append(error)
                raise

        return retrying(once)

    def _once(self, method: str, url: str, read: Reader, send: dict[str, Any]) -> Any:
        with self.guard.slot():
            try:
                result = read(self._send(method, url, send))
            except PayerError as error:
                if error.retryable:
                    self.guard.breaker.failure()
                raise
            self.guard.breaker.success()
            return result

    def _send(self, method: str, url: str, send: dict[str, Any]) -> httpx.Response:
        authorization = self.headers()
        response = self._request(method, url, send, authorization)
        if response.status_code == 401 and self.credentials is not None:
            # Revoked or expired early: one new token and one more try, never a loop.
            self.credentials.renew(authorization["Authorization"])
            response = self._request(method, url, send, self.headers())
            if response.status_code == 401:
                raise CredentialsRefused("the payer refused a newly issued token (HTTP 401)")
        return response

    def _request(
        self, method: str, url: str, send: dict[str, Any], authorization: dict[str, str]
    ) -> httpx.Response:
        timeout = httpx.Timeout(
            self.settings.timeout_seconds, connect=min(5.0, self.settings.timeout_seconds)
        )
        headers = {**authorization, **send.get("headers", {})}
        options = {k: v for k, v in send.items() if k != "headers"}
        try:
            return self.client.request(method, url, headers=headers, timeout=timeout, **options)
        except httpx.TimeoutException as error:
            raise PayerTimeout(
                f"the payer did not answer within {self.settings.timeout_seconds:g} seconds"
            ) from error
        except httpx.TransportError as error:
            raise PayerUnreachable(f"could not reach the payer ({type(error).__name__})") from error

    def _json_reader(self, envelope: Envelope) -> Reader:
        def read(response: httpx.Response) -> Any:
            check_status(response)
            answer = json_body(response)
            if self.polling is not None and (waiting := pending(response, answer)) is not None:
                return waiting
            if (lacking := envelope(answer)) is not None:
                raise GarbledAnswer(f"the payer's gateway sent a garbled answer ({lacking})")
            return answer

        return read

    def _poll(self, waiting: Pending, read: Reader) -> Any:
        """GET the pending answer with doubling pauses until it is ready. Raises PayerTimeout
        when the polling limit passes first, and what each poll may raise."""
        assert self.polling is not None  # only a polling reader returns a Pending
        limit = self.polling.within_seconds
        deadline = self.clock() + limit
        for pause in self.polling.pauses():
            remaining = deadline - self.clock()
            if remaining <= 0:
                raise PayerTimeout(
                    f"the payer was still preparing its answer after {limit:g} seconds"
                )
            (self.sleep or time.sleep)(min(max(pause, waiting.retry_after or 0), remaining))
            result = self.call("GET", waiting.url, read)
            if not isinstance(result, Pending):
                return result
            waiting = result
        raise AssertionError("unreachable: the pauses never end")
