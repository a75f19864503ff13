"""A development key for the embedded default, so `make run` works with the curl it prints."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from verifier.security.keys import new_key

DEV_KEY_FILE = Path(".verifier-dev-key")


def development_key(keys: Any, path: Path = DEV_KEY_FILE) -> str | None:
    """The local development key: read from `path`, or created there (mode 0600) on first start.

    Never made when the database already holds keys an operator created, so a real deployment
    does not grow a key nobody asked for.
    """
    if path.exists():
        token = path.read_text("utf-8").strip()
        if keys.by_token(token) is not None:
            return token
    if keys.count() > 0:
        return None
    fresh = new_key("development (make run)", ["admin"], [], datetime.now(UTC))
    keys.add(fresh)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(fresh.token + "\n")
    return fresh.token
