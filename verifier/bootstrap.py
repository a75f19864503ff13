"""The composition root: build the engine, repository, directory and adapters from settings.

Nothing here runs at import time; tests pass their own pieces to `create_app(services=...)`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from adapters.base import PayerAdapter
from adapters.directory import PayerDirectory, PayerSettings, load_directory
from adapters.registry import available, build
from verifier.metrics import PrometheusMetrics
from verifier.records import VerificationRepository
from verifier.service import VerificationService
from verifier.settings import Settings


@dataclass
class Services:
    """Everything the app and the command line use, wired once."""

    service: VerificationService
    repository: VerificationRepository
    directory: PayerDirectory
    metrics: PrometheusMetrics
    close: Callable[[], None] = field(default=lambda: None)
    queue: Any = None
    keys: Any = None
    audit: Any = None
    idempotency: Any = None
    phone: Any = None
    limits: Any = None  # rate limits every process shares (verifier/store/limits.py)
    intake: Any = None  # the intake queue's follow-ups (verifier/store/intake.py)


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


def _nothing() -> None:
    """Nothing to release: the caller owns the repository it passed in."""


def bootstrap(settings: Settings, repository: VerificationRepository | None = None) -> Services:
    """Wire the real pieces for `settings`."""
    close: Callable[[], None] = _nothing
    queue = changes = None
    security: tuple[Any, Any, Any] = (None, None, None)
    phone = limits = intake = None
    if repository is None:
        from verifier.security.protector import load_protector
        from verifier.store.changes import SqlChangeStore
        from verifier.store.engine import make_engine, make_session_factory
        from verifier.store.intake import SqlIntakeQueue
        from verifier.store.limits import SqlRateLimits
        from verifier.store.phone import SqlPhoneFacts
        from verifier.store.queue import SqlJobQueue
        from verifier.store.repository import SqlVerificationRepository
        from verifier.store.security import SqlAuditLog, SqlIdempotency, SqlKeyStore

        engine = make_engine(settings.database_url, load_protector(settings))
        sessions = make_session_factory(engine)
        repository = SqlVerificationRepository(sessions)
        queue = SqlJobQueue(sessions, lease_seconds=settings.job_lease_seconds)
        changes = SqlChangeStore(sessions)
        security = (SqlKeyStore(sessions), SqlAuditLog(sessions), SqlIdempotency(sessions))
        phone = SqlPhoneFacts(sessions)
        limits = SqlRateLimits(sessions)
        intake = SqlIntakeQueue(sessions)
        close = engine.dispose
    directory = load_directory(settings.payers_file)
    metrics = PrometheusMetrics()
    context = {
        "mock_timeout_seconds": settings.mock_timeout_seconds,
        "payer_attempts": settings.payer_attempts,
        "payer_backoff_seconds": settings.payer_backoff_seconds,
    }
    service = VerificationService(
        repository=repository,
        directory=directory,
        adapter_for=adapter_cache(available(), context),
        metrics=metrics,
        queue=queue,
        changes=changes,
        answer_within=settings.sync_timeout_seconds,
    )
    return Services(
        service, repository, directory, metrics, close, queue, *security, phone, limits, intake
    )
