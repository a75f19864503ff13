"""The services as the composition root wires them, on in-memory stores, for use-case tests."""

from __future__ import annotations

from datetime import UTC, datetime

from adapters.directory import PayerDirectory, PayerSettings
from verifier.bootstrap import Services, bootstrap
from verifier.settings import load_settings
from verifier.store.memory import memory_stores

NOW = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)


def in_memory() -> Services:
    """Every store in memory, no payer to call, and a clock stopped at NOW; the settings are
    the defaults, whatever the environment running the tests holds."""
    return bootstrap(
        load_settings(environ={}),
        stores=memory_stores(lambda: NOW),
        adapter_for=lambda payer: None,  # no test here asks a payer
        directory=PayerDirectory([PayerSettings(id="ACME", name="Acme Health")]),
        clock=lambda: NOW,
    )
