"""POST JSON to a payer or clearinghouse, translating transport failures into PayerErrors.

Retries (tenacity, jittered exponential backoff) happen only on transient failures: connect
errors, timeouts, 5xx, 429 (honouring Retry-After) and a 200 whose body is not the protocol's
envelope (a proxy's HTML page, a truncated body). Bad requests are never retried.
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


def any_json(answer: Any) -> str | None:
    return None


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
    """One payer's HTTP endpoint with its guard and retry policy."""

    def __init__(
        self,
        settings: PayerSettings,
        client: httpx.Client,
        *,
        attempts: int = 3,
        backoff_seconds: float = 0.5,
        breaker: CircuitBreaker | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.settings = settings
        self.client = client
        self.attempts = attempts
        self.backoff_seconds = backoff_seconds
        self.guard = Guard(
            settings.rate_limit_per_second, settings.max_concurrency, breaker or CircuitBreaker()
        )
        self.sleep = sleep

    def headers(self) -> dict[str, str]:
        key = os.environ.get(self.settings.api_key_env) if self.settings.api_key_env else None
        return {"Authorization": key} if key else {}

    def post_json(self, url: str, body: dict[str, Any], envelope: Envelope = any_json) -> Any:
        """POST with retries on transient failures; an answer `envelope` finds lacking is one.
        Raises PayerError."""
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
                return self._once(url, body, envelope)
            except CircuitOpen:
                if earlier:  # the circuit opened during our own retries: report why
                    raise earlier[-1] from None
                raise
            except PayerError as error:
                earlier.append(error)
                raise

        return retrying(once)

    def _once(self, url: str, body: dict[str, Any], envelope: Envelope) -> Any:
        with self.guard.slot():
            try:
                result = self._send(url, body)
                if (lacking := envelope(result)) is not None:
                    raise GarbledAnswer(f"the payer's gateway sent a garbled answer ({lacking})")
            except PayerError as error:
                if error.retryable:
                    self.guard.breaker.failure()
                raise
            self.guard.breaker.success()
            return result

    def _send(self, url: str, body: dict[str, Any]) -> Any:
        timeout = httpx.Timeout(
            self.settings.timeout_seconds, connect=min(5.0, self.settings.timeout_seconds)
        )
        try:
            response = self.client.post(url, json=body, headers=self.headers(), timeout=timeout)
        except httpx.TimeoutException as error:
            raise PayerTimeout(
                f"the payer did not answer within {self.settings.timeout_seconds:g} seconds"
            ) from error
        except httpx.TransportError as error:
            raise PayerUnreachable(f"could not reach the payer ({type(error).__name__})") from error
        if response.status_code == 429:
            raise Throttled("the payer is throttling requests (429)", _retry_after(response))
        if response.status_code >= 500:
            raise PayerUnreachable(f"the payer failed with HTTP {response.status_code}")
        if response.status_code >= 400:
            raise PayerRefused(f"the payer refused the request with HTTP {response.status_code}")
        try:
            return response.json()
        except ValueError as error:
            # A proxy's error page or a body cut short: nothing the payer said about the member.
            raise GarbledAnswer("the payer's gateway sent a garbled answer (not JSON)") from error
