"""Per-payer guards: a token-bucket rate limit, a concurrency cap and a circuit breaker."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from adapters.base import CircuitOpen


class RateLimiter:
    """At most `rate` calls a second on average; callers wait their turn.

    Bursts are kept to a fifth of a second's worth, well inside what a payer's own limiter at
    the same rate lets through, so network jitter that bunches calls up does not earn a 429.
    """

    def __init__(
        self,
        rate: float | None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.rate = rate
        self.clock = clock
        self.sleep = sleep
        self.capacity = max(1.0, (rate or 0) / 5)
        self.tokens = self.capacity
        self.updated = clock()
        self.lock = threading.Lock()

    def acquire(self) -> None:
        if not self.rate:
            return
        while True:
            with self.lock:
                now = self.clock()
                self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
                self.updated = now
                # A hair under one token is one: float rounding must not make a caller spin.
                if self.tokens >= 1 - 1e-9:
                    self.tokens = max(0.0, self.tokens - 1)
                    return
                wait = (1 - self.tokens) / self.rate
            self.sleep(wait)


class CircuitBreaker:
    """After `threshold` failures in a row, refuse calls for `reset_seconds`, then try one."""

    def __init__(
        self,
        threshold: int = 5,
        reset_seconds: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.threshold = threshold
        self.reset_seconds = reset_seconds
        self.clock = clock
        self.failures = 0
        self.opened_at: float | None = None
        self.lock = threading.Lock()

    def before_call(self) -> None:
        """Raises CircuitOpen while the payer is considered down."""
        with self.lock:
            if self.opened_at is None:
                return
            if self.clock() - self.opened_at < self.reset_seconds:
                raise CircuitOpen(
                    "payer unavailable: recent calls failed; try later or call the payer"
                )
            # Half-open: let this call through; its outcome closes or re-opens the circuit.
            self.opened_at = self.clock()

    def success(self) -> None:
        with self.lock:
            self.failures, self.opened_at = 0, None

    def failure(self) -> None:
        with self.lock:
            self.failures += 1
            if self.failures >= self.threshold:
                self.opened_at = self.clock()


class Guard:
    """Everything one payer's calls pass through."""

    def __init__(self, rate: float | None, max_concurrency: int, breaker: CircuitBreaker) -> None:
        self.limiter = RateLimiter(rate)
        self.slots = threading.BoundedSemaphore(max(1, max_concurrency))
        self.breaker = breaker

    @contextmanager
    def slot(self) -> Iterator[None]:
        self.breaker.before_call()
        self.limiter.acquire()
        with self.slots:
            yield
