"""API keys: create, list and revoke them. Stored hashed (`verifier/security/keys.py`): a key's
token is shown once, when it is created, and never again."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from verifier.ports import KeyStore
from verifier.security.keys import ApiKey, NewKey, new_key


class NoActiveKey(LookupError):
    """No key that is still active has this id."""


def create_key(
    keys: KeyStore,
    clock: Callable[[], datetime],
    name: str,
    scopes: Sequence[str],
    origins: Sequence[str] = (),
) -> NewKey:
    """Make a key for `name` with `scopes` (and, for intake keys, the sites a browser may post
    from) and store it; the answer's token is the only copy. Raises KeyRequestError on an
    unknown scope, an empty name or no scope."""
    fresh = new_key(name, list(scopes), list(origins), clock())
    keys.add(fresh)
    return fresh


def first_key(
    keys: KeyStore, clock: Callable[[], datetime], name: str, scopes: Sequence[str]
) -> NewKey | None:
    """A key made and stored only while there is no key at all, revoked ones included; None
    otherwise, so a deployment whose operators made keys never grows one nobody asked for."""
    if keys.count() > 0:
        return None
    return create_key(keys, clock, name, scopes)


def list_keys(keys: KeyStore) -> list[ApiKey]:
    """Every key, revoked ones too, oldest first; never a token, which is not stored."""
    return sorted(keys.all(), key=lambda key: key.created_at)


def revoke_key(keys: KeyStore, clock: Callable[[], datetime], key_id: str) -> None:
    """Revoke the key now: it stops working at once. Raises NoActiveKey when no active key has
    this id (an unknown one, or one already revoked)."""
    if not keys.revoke(key_id, clock()):
        raise NoActiveKey(key_id)
