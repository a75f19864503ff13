"""A development key for the embedded default, so `make run` works with the curl it prints."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from verifier.ports import KeyStore
from verifier.services.keys import first_key

DEV_KEY_FILE = Path(".verifier-dev-key")


def _now() -> datetime:
    return datetime.now(UTC)


def development_key(
    keys: KeyStore, path: Path = DEV_KEY_FILE, clock: Callable[[], datetime] = _now
) -> str | None:
    """The local development key: read from `path`, or created there (mode 0600) on first start.

    Never made when the database already holds keys an operator created (see `first_key`).
    """
    if path.exists():
        token = path.read_text("utf-8").strip()
        if keys.by_token(token) is not None:
            return token
    fresh = first_key(keys, clock, "development (make run)", ["admin"])
    if fresh is None:
        return None
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(fresh.token + "\n")
    return fresh.token
