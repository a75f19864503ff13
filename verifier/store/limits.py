"""Rate limits kept in the database, so that every gunicorn worker and every server shares one
count per bucket instead of each process allowing the whole limit on its own."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

from sqlalchemy import Connection, bindparam, delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from verifier.security.ratelimit import wait_seconds, window_start
from verifier.store.engine import dialect_insert, transaction
from verifier.store.tables import rate_windows

_COUNT = select(rate_windows.c.events).where(
    rate_windows.c.bucket == bindparam("b_bucket"),
    rate_windows.c.window_start == bindparam("b_start"),
)
_GIVE_BACK = (
    update(rate_windows)
    .where(
        rate_windows.c.bucket == bindparam("b_bucket"),
        rate_windows.c.window_start == bindparam("b_start"),
    )
    .values(events=rate_windows.c.events - 1)
)
_FORGET = delete(rate_windows).where(
    rate_windows.c.bucket == bindparam("b_bucket"),
    rate_windows.c.window_start < bindparam("b_before"),
)


def _count_one(connection: Connection, bucket: str, start: int) -> int:
    """Add one event to the bucket's window and return its count, in one atomic statement that
    also locks the row until the transaction ends."""
    upsert = dialect_insert(connection, rate_windows).values(
        bucket=bucket, window_start=start, events=1
    )
    upsert = upsert.on_conflict_do_update(
        index_elements=[rate_windows.c.bucket, rate_windows.c.window_start],
        set_={"events": rate_windows.c.events + 1},
    ).returning(rate_windows.c.events)
    return int(connection.execute(upsert).scalar_one())


class SqlRateLimits:
    """`allow(bucket, limit)`: at most `limit` events per sliding `window` seconds a bucket."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        window: int = 60,
        clock: Callable[[], float] = time.time,  # wall-clock: shared by every process
    ) -> None:
        self._sessions = session_factory
        self.window = window
        self.clock = clock

    def allow(self, bucket: str, limit: int) -> float | None:
        """None when the event is allowed (and counted); otherwise the seconds to wait.

        A refused event is not counted, so a client that retries too early is not kept out
        for longer. `bucket` is hashed before it is stored.
        """
        key = hashlib.sha256(bucket.encode()).hexdigest()
        now = self.clock()
        start = window_start(now, self.window)
        with transaction(self._sessions) as connection:
            current = _count_one(connection, key, start) - 1
            row = connection.execute(_COUNT, {"b_bucket": key, "b_start": start - self.window})
            previous = row.scalar() or 0
            wait = wait_seconds(previous, current, now - start, self.window, limit)
            if wait > 0:
                connection.execute(_GIVE_BACK, {"b_bucket": key, "b_start": start})
                return wait
            if current == 0:
                # The bucket's first event in this window: drop its windows no one needs now.
                # Only its own, whose row lock this transaction holds; `verifier purge` clears
                # the windows of buckets never seen again.
                connection.execute(_FORGET, {"b_bucket": key, "b_before": start - self.window})
        return None
