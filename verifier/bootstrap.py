"""The composition root: build the engine, repository, directory and adapters from settings.

Nothing here runs at import time; tests pass in-memory stores and fake adapters to `bootstrap`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from adapters.base import PayerAdapter
from adapters.directory import PayerDirectory, PayerSettings, load_directory
from adapters.registry import available, build
from verifier.metrics import PrometheusMetrics
from verifier.ports import (
    AuditLog,
    ChangeLog,
    Idempotency,
    IntakeFollowUps,
    JobQueue,
    KeyStore,
    Maintenance,
    PhoneFacts,
    RateLimits,
    Reverifications,
    Stores,
)
from verifier.records import VerificationRepository
from verifier.service import VerificationService
from verifier.settings import Settings


@dataclass
class Services:
    """Everything the app and the command line use, wired once. Every store is required:
    auditing, for one, cannot be switched off by leaving its store out."""

    service: VerificationService
    repository: VerificationRepository
    directory: PayerDirectory
    metrics: PrometheusMetrics
    close: Callable[[], None]
    queue: JobQueue
    keys: KeyStore
    audit: AuditLog
    idempotency: Idempotency
    phone: PhoneFacts
    limits: RateLimits  # rate limits every process shares (verifier/store/limits.py)
    changes: ChangeLog
    reverifications: Reverifications
    maintenance: Maintenance
    intake: IntakeFollowUps  # the intake queue's follow-ups (verifier/store/intake.py)


def adapter_cache(
    factories: Mapping[str, Callable[..., PayerAdapter]], context: dict[str, Any]
) -> Callable[[PayerSettings], PayerAdapter]:
    """One adapter per payer, built on first use (so HTTP clients are created lazily)."""
    built: dict[str, PayerAdapter] = {}

    def adapter_for(settings: PayerSettings) -> PayerAdapter:
        if settings.id not in built:
            built[settings.id] = build(settings, dict(factories), **context)
        return built[settings.id]

    return adapter_for


def bootstrap(
    settings: Settings,
    *,
    stores: Stores | None = None,
    adapter_for: Callable[[PayerSettings], PayerAdapter] | None = None,
    directory: PayerDirectory | None = None,
    clock: Callable[[], datetime] | None = None,
) -> Services:
    """Wire the services for `settings`: SQL stores on its database unless `stores` are given
    (tests pass in-memory ones), adapters from the registry unless `adapter_for` is given."""
    if stores is None:
        from verifier.store.wiring import sql_stores

        stores = sql_stores(settings)
    from adapters.http.oauth import TokenCache

    directory = directory or load_directory(settings.payers_file)
    metrics = PrometheusMetrics()
    context = {
        "mock_timeout_seconds": settings.mock_timeout_seconds,
        "payer_attempts": settings.payer_attempts,
        "payer_backoff_seconds": settings.payer_backoff_seconds,
        # One OAuth2 token per credentials for the whole process, whichever payers share them.
        "oauth_tokens": TokenCache(),
        # Polling for an asynchronous answer stops when a synchronous caller would stop waiting.
        "deadline_seconds": settings.sync_timeout_seconds,
    }
    service = VerificationService(
        repository=stores.repository,
        directory=directory,
        adapter_for=adapter_for or adapter_cache(available(), context),
        metrics=metrics,
        queue=stores.queue,
        changes=stores.changes,
        idempotency=stores.idempotency,
        unit=stores.unit,
        answer_within=settings.sync_timeout_seconds,
    )
    if clock is not None:
        service.clock = clock
    return Services(
        service=service,
        repository=stores.repository,
        directory=directory,
        metrics=metrics,
        close=stores.close,
        queue=stores.queue,
        keys=stores.keys,
        audit=stores.audit,
        idempotency=stores.idempotency,
        phone=stores.phone,
        limits=stores.limits,
        changes=stores.changes,
        reverifications=stores.reverifications,
        maintenance=stores.maintenance,
        intake=stores.intake,
    )
