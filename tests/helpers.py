"""Helpers for tests: the hand-written payer answers and their determinations."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from adapters.answers import read_answers
from verifier.domain.coverage import interpret
from verifier.domain.determination import as_json

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "adapters" / "mock" / "scenarios"
FIXTURES = ROOT / "tests" / "fixtures"


def fixture_path(name: str) -> Path:
    """A 271 by name: a mock scenario (MOCK-...) or a test-only file."""
    if name.startswith("MOCK-"):
        return SCENARIOS / f"{name}.271"
    return FIXTURES / "x12" / f"{name}.271"


def determine(path: Path) -> dict[str, Any]:
    """The determination JSON of the first answer in a file."""
    return as_json(interpret(read_answers(path.read_bytes())[0]))


def authorize(
    client: Any, scopes: tuple[str, ...] = ("admin",), origins: tuple[str, ...] = ()
) -> str:
    """Create an API key in the client's app and make the client send it; returns the key."""
    from datetime import UTC, datetime

    from verifier.security.keys import new_key

    fresh = new_key("test", list(scopes), list(origins), datetime.now(UTC))
    client.application.extensions["verifier"].keys.add(fresh)
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {fresh.token}"
    return fresh.token


def authorized(app: Any, scopes: tuple[str, ...] = ("admin",)) -> Any:
    """A test client of `app` that sends a fresh key with `scopes`."""
    client = app.test_client()
    authorize(client, scopes)
    return client


def at_once(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run `calls` in threads released together; their results in order."""
    results: list[Any] = [None] * len(calls)
    start = threading.Barrier(len(calls))

    def run(i: int) -> None:
        start.wait()
        results[i] = calls[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
