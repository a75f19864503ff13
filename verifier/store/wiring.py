"""The SQL stores, all on one engine built from the settings: the only place one is built."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine

from verifier.ports import Stores
from verifier.security.protector import load_protector
from verifier.settings import Settings
from verifier.store.changes import SqlChangeStore
from verifier.store.engine import make_engine, make_session_factory
from verifier.store.intake import SqlIntakeQueue
from verifier.store.limits import SqlRateLimits
from verifier.store.phone import SqlPhoneFacts
from verifier.store.queue import SqlJobQueue
from verifier.store.repository import SqlVerificationRepository
from verifier.store.retention import purge
from verifier.store.reverifications import SqlReverifications
from verifier.store.rotation import rotate_data
from verifier.store.security import SqlAuditLog, SqlIdempotency, SqlKeyStore
from verifier.store.unit import SqlUnitOfWork


class SqlMaintenance:
    """Retention and key rotation on the services' own engine."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def purge(self, older_than_days: int, now: datetime) -> int:
        return purge(make_session_factory(self._engine), older_than_days, now)

    def rotate_data(self) -> int:
        return rotate_data(self._engine)


def sql_stores(settings: Settings) -> Stores:
    """Every store on the database `settings` name, with its encryption keys."""
    engine = make_engine(settings.database_url, load_protector(settings))
    sessions = make_session_factory(engine)
    repository = SqlVerificationRepository(sessions)
    queue = SqlJobQueue(sessions, lease_seconds=settings.job_lease_seconds)
    changes = SqlChangeStore(sessions)
    idempotency = SqlIdempotency(sessions)

    def unit() -> SqlUnitOfWork:
        return SqlUnitOfWork(
            engine,
            verifications=repository,
            jobs=queue,
            changes=changes,
            idempotency=idempotency,
        )

    return Stores(
        repository=repository,
        queue=queue,
        changes=changes,
        keys=SqlKeyStore(sessions),
        audit=SqlAuditLog(sessions),
        idempotency=idempotency,
        phone=SqlPhoneFacts(sessions),
        limits=SqlRateLimits(sessions),
        reverifications=SqlReverifications(sessions),
        maintenance=SqlMaintenance(engine),
        intake=SqlIntakeQueue(sessions),
        unit=unit,
        close=engine.dispose,
    )
