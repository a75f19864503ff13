"""SQL storage for verification records: tables, engines, the repository and migrations."""

from verifier.store.engine import make_engine, make_session_factory
from verifier.store.migrate import current, upgrade
from verifier.store.repository import SqlVerificationRepository
from verifier.store.tables import metadata, verifications

__all__ = [
    "SqlVerificationRepository",
    "current",
    "make_engine",
    "make_session_factory",
    "metadata",
    "upgrade",
    "verifications",
]
