"""Asynchronous eligibility APIs: an answer that is not ready yet, and how long to wait for it.

Some gateways (Availity's coverages API among them) answer a POST with 202 and an id, or with a
status of "In Progress", and the answer must be fetched with GETs until it is complete. A payer
with `poll = true` in the directory is polled with doubling pauses, never past the verification's
own deadline; every poll passes the same rate limit, retries and circuit breaker as the POST.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import httpx

from adapters.base import GarbledAnswer

__all__ = ["IN_PROGRESS", "Pending", "Polling", "pending"]

# `status` values that mean "not yet" in the APIs we know of (compared case-blind).
IN_PROGRESS = frozenset({"in progress", "in_progress", "inprogress", "pending", "processing"})


@dataclass(frozen=True, slots=True)
class Pending:
    """The gateway is still working: poll `url`, not sooner than `retry_after` seconds."""

    url: str
    retry_after: float | None = None


@dataclass(frozen=True, slots=True)
class Polling:
    """How to wait for an asynchronous answer: the first pause, the longest, and the limit."""

    interval_seconds: float = 1.0
    max_interval_seconds: float = 8.0
    within_seconds: float = math.inf

    @classmethod
    def from_extra(cls, extra: dict[str, Any], deadline: float | None) -> Polling | None:
        """The payer's polling when its entry says `poll = true`, else None. The limit is the
        entry's `poll_timeout_seconds` or the verification's deadline, whichever is sooner."""
        if extra.get("poll") is not True:
            return None
        interval = float(extra.get("poll_interval_seconds", 1.0))
        limits = [float(extra.get("poll_timeout_seconds", math.inf)), deadline or math.inf]
        return cls(interval, max(interval, 8.0), min(limits))

    def pauses(self) -> Iterator[float]:
        """Doubling pauses from the first interval up to the longest, forever."""
        pause = self.interval_seconds
        while True:
            yield pause
            pause = min(pause * 2, self.max_interval_seconds)


def pending(response: httpx.Response, answer: Any) -> Pending | None:
    """A Pending when `response` (with its decoded JSON `answer`) says the answer is not ready.
    Raises GarbledAnswer for a 202 that says neither where to poll nor the request's id."""
    status = answer.get("status") if isinstance(answer, dict) else None
    waiting = isinstance(status, str) and status.strip().casefold() in IN_PROGRESS
    if response.status_code != 202 and not waiting:
        return None
    request_url = str(response.request.url)
    location = response.headers.get("Location")
    ident = answer.get("id") if isinstance(answer, dict) else None
    if location:
        url = urljoin(request_url, location)
    elif isinstance(ident, str | int) and str(ident).strip():
        # A GET of the resource itself (`.../coverages/{id}`) keeps its URL; a POST names a
        # collection, whose member is the id.
        url = request_url if response.request.method == "GET" else f"{request_url}/{ident}"
    else:
        raise GarbledAnswer("the payer's gateway accepted the request but named no id to poll")
    return Pending(url, _seconds(response.headers.get("Retry-After")))


def _seconds(value: str | None) -> float | None:
    try:
        return min(float(value), 60.0) if value else None
    except ValueError:
        return None
