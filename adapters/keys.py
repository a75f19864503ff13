"""What an adapter takes from its payer directory entry: each key's kind and whether it is required.

An adapter declares its keys with `takes` (a built-in one in the registry, a third party's on the
factory its entry point names), so the directory is checked against them at start:

    @takes(base_url=Key(URL, required=True), region=Key(TEXT))
    def factory(settings, **context): ...

Keys that are not fields of PayerSettings reach the adapter in `settings.extra`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from verifier.domain.codes import SERVICE_TYPES as SERVICE_TYPE_CODES

__all__ = [
    "COMMON",
    "ENV_VAR",
    "HTTP_KEYS",
    "NUMBER",
    "SERVICE_TYPES",
    "TEXT",
    "TEXTS",
    "URL",
    "WHOLE_NUMBER",
    "Key",
    "Kind",
    "declared_keys",
    "takes",
]

# A kind checks a value (with the environment, for keys that name a variable) and says what is
# wrong with it, or None. Messages name variables, never their values: those may be secrets.
Kind = Callable[[Any, Mapping[str, str]], str | None]


@dataclass(frozen=True, slots=True)
class Key:
    """One key an adapter takes from a directory entry."""

    kind: Kind
    required: bool = False


def TEXT(value: Any, environ: Mapping[str, str]) -> str | None:
    return None if isinstance(value, str) and value.strip() else "must be non-empty text"


def TEXTS(value: Any, environ: Mapping[str, str]) -> str | None:
    if isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value):
        return None
    return 'must be a list of text, like ["A", "B"]'


def URL(value: Any, environ: Mapping[str, str]) -> str | None:
    if isinstance(value, str) and value.startswith(("http://", "https://")) and value[8:]:
        return None
    return "must be an http:// or https:// URL"


def NUMBER(value: Any, environ: Mapping[str, str]) -> str | None:
    # TOML booleans are Python ints: `timeout_seconds = true` is a mistake, not 1 second.
    fits = isinstance(value, int | float) and not isinstance(value, bool)
    return None if fits and math.isfinite(value) and value > 0 else "must be a number above 0"


def WHOLE_NUMBER(value: Any, environ: Mapping[str, str]) -> str | None:
    fits = isinstance(value, int) and not isinstance(value, bool)
    return None if fits and value > 0 else "must be a whole number above 0"


def ENV_VAR(value: Any, environ: Mapping[str, str]) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return "must be the name of an environment variable"
    if not environ.get(value):
        return f"names the environment variable {value}, which is not set"
    return None


def SERVICE_TYPES(value: Any, environ: Mapping[str, str]) -> str | None:
    if (wrong := TEXTS(value, environ)) is not None or not value:
        return wrong or "must name at least one service type"
    unknown = [code for code in value if code not in SERVICE_TYPE_CODES]
    return f"unknown service type codes: {', '.join(unknown)}" if unknown else None


# Every entry's keys, whatever its adapter: they are the directory's, not the adapter's.
COMMON: Mapping[str, Key] = {
    "id": Key(TEXT, required=True),
    "name": Key(TEXT, required=True),
    "adapter": Key(TEXT),
    "aliases": Key(TEXTS),
}

# What the built-in HTTP adapters (x12-http, clearinghouse-json, fhir) take.
HTTP_KEYS: Mapping[str, Key] = {
    "base_url": Key(URL, required=True),
    "api_key_env": Key(ENV_VAR),
    "trading_partner_id": Key(TEXT),
    "service_types": Key(SERVICE_TYPES),
    "rate_limit_per_second": Key(NUMBER),
    "max_concurrency": Key(WHOLE_NUMBER),
    "timeout_seconds": Key(NUMBER),
}

F = TypeVar("F")
ATTRIBUTE = "directory_keys"


def takes(**keys: Key) -> Callable[[F], F]:
    """Declare the directory keys an adapter factory (function or class) takes."""

    def declare(factory: F) -> F:
        setattr(factory, ATTRIBUTE, dict(keys))
        return factory

    return declare


def declared_keys(factory: object) -> Mapping[str, Key] | None:
    """The keys a factory declared with `takes`, or None when it declared none."""
    keys = getattr(factory, ATTRIBUTE, None)
    if isinstance(keys, Mapping) and all(isinstance(k, Key) for k in keys.values()):
        return keys
    return None
