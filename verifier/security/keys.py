"""API keys: generated once, stored as a SHA-256, carrying scopes."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime

SCOPES = ("verifications:read", "verifications:write", "intake:submit", "admin")
PREFIX = "vk_"


class KeyRequestError(ValueError):
    """A key request that cannot be honoured (unknown scope, empty name)."""


@dataclass(slots=True)
class ApiKey:
    id: str
    name: str
    scopes: tuple[str, ...]
    created_at: datetime
    allowed_origins: tuple[str, ...] = ()
    revoked_at: datetime | None = None

    def allows(self, scope: str) -> bool:
        return "admin" in self.scopes or scope in self.scopes


@dataclass(frozen=True, slots=True)
class NewKey:
    """A freshly made key: `token` is shown once and never stored."""

    key: ApiKey
    token: str = field(repr=False)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_key(name: str, scopes: list[str], origins: list[str], now: datetime) -> NewKey:
    """Make a key. Raises KeyRequestError on an unknown scope or an empty name."""
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        raise KeyRequestError(
            f"unknown scope {', '.join(unknown)}; choose from {', '.join(SCOPES)}"
        )
    if not name.strip() or not scopes:
        raise KeyRequestError("a key needs a name and at least one scope")
    key_id = "k_" + secrets.token_hex(8)
    token = f"{PREFIX}{secrets.token_urlsafe(32)}"
    key = ApiKey(key_id, name.strip(), tuple(dict.fromkeys(scopes)), now, tuple(origins))
    return NewKey(key, token)
