"""Who an API key's token is and what it may do: one rule for the API and the console's
development sign-in alike.

    KeyRefused           the key may not do this; `key` is who asked, None when nobody is known
    ├── UnknownKey       no token, or one of no active key (unknown or revoked)
    ├── WrongOrigin      the key is for its own sites only, and the browser is on another
    └── MissingScope     none of the scopes needed; `needed` is the first of them
"""

from __future__ import annotations

from collections.abc import Sequence

from verifier.ports import KeyStore
from verifier.security.keys import ApiKey


class KeyRefused(Exception):
    """The key may not do what was asked."""

    def __init__(self, key: ApiKey | None) -> None:
        super().__init__(key.id if key else "no key")
        self.key = key


class UnknownKey(KeyRefused):
    """No token, or the token of no active key."""

    def __init__(self) -> None:
        super().__init__(None)


class WrongOrigin(KeyRefused):
    """The key names the sites it may be used from, and the request came from another."""


class MissingScope(KeyRefused):
    """The key has none of the scopes needed; `needed` names the first."""

    def __init__(self, key: ApiKey, needed: str) -> None:
        super().__init__(key)
        self.needed = needed


def authenticate(
    keys: KeyStore, token: str | None, any_of: Sequence[str], origin: str | None = None
) -> ApiKey:
    """The active key whose token this is, if it may do what needs any one of `any_of` (at
    least one; admin may do anything) from `origin`, the site a browser sent the request from
    (None outside a browser). Raises UnknownKey, WrongOrigin or MissingScope, in that order."""
    key = keys.by_token(token) if token else None
    if key is None:
        raise UnknownKey()
    if origin and key.allowed_origins and origin not in key.allowed_origins:
        raise WrongOrigin(key)
    if not any(key.allows(scope) for scope in any_of):
        raise MissingScope(key, any_of[0])
    return key


def site_may_read(keys: KeyStore, origin: str, key: ApiKey | None) -> bool:
    """Whether a browser on the site `origin` may read an answer (CORS): a site of the key that
    asked, or, when no key is known yet (a preflight sends none), of any active key."""
    if key is not None:
        return origin in key.allowed_origins
    return any(origin in each.allowed_origins for each in keys.all() if not each.revoked_at)
