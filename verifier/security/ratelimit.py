"""A sliding-window rate limit from two fixed-window counters: pure arithmetic, no storage.

A counter per fixed window (a minute starting on the minute) is cheap to keep in a database
that every server process shares; the previous window's count, weighted by how much of it
still falls inside the last `window` seconds, stands in for the events a true sliding window
would remember one by one. So a burst at the end of one minute still counts early in the next.
"""

from __future__ import annotations

import math


def window_start(now: float, window: int) -> int:
    """The start, in whole seconds, of the fixed window `now` falls in."""
    return int(now // window) * window


def wait_seconds(previous: int, current: int, elapsed: float, window: int, limit: int) -> float:
    """How long until one more event fits under `limit`: 0 when it fits now.

    `previous` and `current` count the events of the previous and the current fixed window
    (without the one asked about); `elapsed` is how far the current window has run.
    """
    if limit <= 0:
        return float(window)
    weight = 1 - elapsed / window
    if previous * weight + current + 1 <= limit:
        return 0.0
    if current + 1 <= limit:
        # Room in this window once enough of the previous one has slid out.
        needed = window * (1 - (limit - 1 - current) / previous)
        return max(needed - elapsed, 0.0)
    # Only the next window has room, once enough of this one has slid out of it.
    needed_next = window * (1 - (limit - 1) / current)
    return (window - elapsed) + max(needed_next, 0.0)


def retry_after(wait: float) -> int:
    """Whole seconds for a Retry-After header: rounded up, and never 0 for a refusal."""
    return max(1, math.ceil(wait))
