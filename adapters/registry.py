"""Adapters by name: the built-in ones and any third party's from the `verifier.adapters` group."""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Any

from adapters.base import PayerAdapter
from adapters.directory import PayerSettings
from adapters.keys import HTTP_KEYS, takes

__all__ = ["AdapterFactory", "UnknownAdapter", "available", "build"]

AdapterFactory = Callable[..., PayerAdapter]
ENTRY_POINT_GROUP = "verifier.adapters"


class UnknownAdapter(LookupError):
    """The directory names an adapter nobody installed."""


@takes()  # the scenarios need no settings: the member id picks one
def _mock(settings: PayerSettings, **context: Any) -> PayerAdapter:
    from adapters.mock import MockAdapter

    return MockAdapter(timeout_seconds=float(context.get("mock_timeout_seconds", 1.0)))


@takes(**HTTP_KEYS)
def _http(settings: PayerSettings, **context: Any) -> PayerAdapter:
    import httpx

    from adapters.http.adapters import HTTP_ADAPTERS
    from adapters.http.client import PayerHttp

    if not settings.base_url:
        raise UnknownAdapter(
            f"payer {settings.id} needs a base_url for adapter {settings.adapter!r}"
        )
    http = PayerHttp(
        settings,
        httpx.Client(limits=httpx.Limits(max_connections=max(1, settings.max_concurrency))),
        attempts=int(context.get("payer_attempts", 3)),
        backoff_seconds=float(context.get("payer_backoff_seconds", 0.5)),
    )
    return HTTP_ADAPTERS[settings.adapter](settings, http)


_BUILTIN: dict[str, AdapterFactory] = {
    "mock": _mock,
    "x12-http": _http,
    "clearinghouse-json": _http,
    "fhir": _http,
}


def available() -> dict[str, AdapterFactory]:
    """Built-in adapters, overridden by none: third parties may only add names."""
    found: dict[str, AdapterFactory] = {}
    for point in entry_points(group=ENTRY_POINT_GROUP):
        if point.name not in _BUILTIN:
            found[point.name] = point.load()
    return {**found, **_BUILTIN}


def build(
    settings: PayerSettings, factories: dict[str, AdapterFactory], **context: Any
) -> PayerAdapter:
    """The adapter for one payer. Raises UnknownAdapter."""
    factory = factories.get(settings.adapter)
    if factory is None:
        raise UnknownAdapter(f"no adapter named {settings.adapter!r} is installed")
    return factory(settings, **context)
