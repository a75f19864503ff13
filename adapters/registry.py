"""Adapters by name: the built-in ones and any third party's from the `verifier.adapters` group."""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Any

from adapters.base import PayerAdapter
from adapters.directory import PayerSettings

__all__ = ["AdapterFactory", "UnknownAdapter", "available", "build"]

AdapterFactory = Callable[..., PayerAdapter]
ENTRY_POINT_GROUP = "verifier.adapters"


class UnknownAdapter(LookupError):
    """The directory names an adapter nobody installed."""


def _mock(settings: PayerSettings, **context: Any) -> PayerAdapter:
    from adapters.mock import MockAdapter

    return MockAdapter(timeout_seconds=float(context.get("mock_timeout_seconds", 1.0)))


_BUILTIN: dict[str, AdapterFactory] = {"mock": _mock}


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
