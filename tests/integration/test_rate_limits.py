"""Rate limits kept in the database hold across processes, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, func, select

from verifier.security.protector import load_protector
from verifier.store.engine import make_engine, make_session_factory
from verifier.store.limits import SqlRateLimits
from verifier.store.migrate import upgrade
from verifier.store.retention import purge
from verifier.store.tables import rate_windows

T0 = 1_800_000_000.0  # on a minute boundary


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def engines(database_url: str) -> Iterator[list[Engine]]:
    """Two engines on one database: two server processes, as far as the limits can tell."""
    upgrade(database_url)
    made = [
        make_engine(database_url, load_protector()),
        make_engine(database_url, load_protector()),
    ]
    yield made
    for engine in made:
        engine.dispose()


def limits(engine: Engine, clock: Clock) -> SqlRateLimits:
    return SqlRateLimits(make_session_factory(engine), clock=clock)


def stored_windows(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(rate_windows)).scalar_one())


def test_two_processes_share_one_count(engines: list[Engine]) -> None:
    clock = Clock()
    first, second = limits(engines[0], clock), limits(engines[1], clock)
    answers = [(first if n % 2 else second).allow("address 192.0.2.7", 3) for n in range(4)]
    assert answers[:3] == [None, None, None]
    assert answers[3] is not None and answers[3] > 0
    assert first.allow("address 192.0.2.8", 3) is None  # another bucket is not affected


def test_at_once_from_many_threads_exactly_the_limit_gets_through(engines: list[Engine]) -> None:
    clock = Clock()
    clock.now = T0 + 30
    shared = [limits(engine, clock) for engine in engines]

    def attempts(n: int) -> list[float | None]:
        return [shared[n % 2].allow("busy", 10) for _ in range(5)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = [a for batch in pool.map(attempts, range(8)) for a in batch]
    assert answers.count(None) == 10


def test_refusals_are_not_counted_and_the_window_slides(engines: list[Engine]) -> None:
    clock = Clock()
    limit = limits(engines[0], clock)
    clock.now = T0 + 59
    assert [limit.allow("b", 3) for _ in range(3)] == [None, None, None]
    clock.now = T0 + 61  # the burst of a second ago still counts in the new window
    wait = limit.allow("b", 3)
    assert wait == pytest.approx(20 - 1)  # 3 × (1 - e/60) + 1 <= 3 from e = 20 s
    for _ in range(5):
        assert limit.allow("b", 3) is not None
    clock.now = T0 + 60 + 20  # had the refusals counted, this one would be refused too
    assert limit.allow("b", 3) is None


def test_a_bucket_forgets_windows_it_no_longer_needs(engines: list[Engine]) -> None:
    clock = Clock()
    limit = limits(engines[0], clock)
    for minute in range(4):
        clock.now = T0 + 60 * minute
        assert limit.allow("b", 10) is None
    assert stored_windows(engines[0]) == 2  # this window and the one before it


def test_purge_clears_the_windows_of_buckets_never_seen_again(
    engines: list[Engine], database_url: str
) -> None:
    old, recent = Clock(), Clock()
    recent.now = datetime.now(UTC).timestamp()
    old.now = recent.now - 2 * 86_400
    limits(engines[0], old).allow("gone", 10)
    limits(engines[0], recent).allow("still here", 10)
    purge(make_session_factory(engines[0]), 365, datetime.now(UTC))
    assert stored_windows(engines[0]) == 1
