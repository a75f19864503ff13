"""Adapters by name: the built-in ones and any third party's from the `verifier.adapters` group."""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any

from adapters.base import PayerAdapter
from adapters.directory import PayerSettings
from adapters.keys import CORE_SOAP_KEYS, FAN_OUT_KEYS, HTTP_KEYS, OAUTH_KEYS, POLL_KEYS, takes

if TYPE_CHECKING:
    from adapters.http.client import PayerHttp

__all__ = ["AdapterFactory", "UnknownAdapter", "available", "build"]

AdapterFactory = Callable[..., PayerAdapter]
ENTRY_POINT_GROUP = "verifier.adapters"


class UnknownAdapter(LookupError):
    """The directory names an adapter nobody installed."""


@takes()  # the scenarios need no settings: the member id picks one
def _mock(settings: PayerSettings, **context: Any) -> PayerAdapter:
    from adapters.mock import MockAdapter

    return MockAdapter(timeout_seconds=float(context.get("mock_timeout_seconds", 1.0)))


@takes(**HTTP_KEYS, **OAUTH_KEYS, **POLL_KEYS, **FAN_OUT_KEYS)
def _http(settings: PayerSettings, **context: Any) -> PayerAdapter:
    from adapters.http.adapters import HTTP_ADAPTERS

    return HTTP_ADAPTERS[settings.adapter](settings, _payer_http(settings, context))


@takes(**CORE_SOAP_KEYS, **FAN_OUT_KEYS)
def _core_soap(settings: PayerSettings, **context: Any) -> PayerAdapter:
    from adapters.http.core_soap import CoreSoapAdapter

    return CoreSoapAdapter(settings, _payer_http(settings, context))


def _payer_http(settings: PayerSettings, context: dict[str, Any]) -> PayerHttp:
    """The payer's HTTP endpoint: its client, retries, credentials (one OAuth2 token cache per
    process, from the context) and polling (bounded by the verification's deadline)."""
    import httpx

    from adapters.http.client import PayerHttp
    from adapters.http.oauth import OAuth2Settings, TokenCache
    from adapters.http.polling import Polling

    if not settings.base_url:
        raise UnknownAdapter(
            f"payer {settings.id} needs a base_url for adapter {settings.adapter!r}"
        )
    oauth = OAuth2Settings.from_extra(settings.extra)
    tokens = context.get("oauth_tokens") or TokenCache()
    return PayerHttp(
        settings,
        httpx.Client(limits=httpx.Limits(max_connections=max(1, settings.max_concurrency))),
        attempts=int(context.get("payer_attempts", 3)),
        backoff_seconds=float(context.get("payer_backoff_seconds", 0.5)),
        credentials=tokens.credentials(oauth, settings.timeout_seconds) if oauth else None,
        polling=Polling.from_extra(settings.extra, context.get("deadline_seconds")),
    )


_BUILTIN: dict[str, AdapterFactory] = {
    "mock": _mock,
    "x12-http": _http,
    "clearinghouse-json": _http,
    "fhir": _http,
    "core-soap": _core_soap,
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
