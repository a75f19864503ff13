"""Alembic migrations run from code: no alembic.ini, no logging configuration."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext

from verifier.security.protector import Protector
from verifier.store.engine import make_engine

# Beside this module, so it resolves the same from a checkout or an installed wheel.
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> Config:
    """An Alembic Config for `url`, built in memory."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # Config values pass through ConfigParser interpolation; a URL-encoded `%` must be doubled.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head", keys: Protector | None = None) -> None:
    """Migrate the database at `url` to `revision`; a no-op when already there. A migration
    that rewrites stored PHI (0004 encrypts rows written before it) needs the data `keys`.

    Raises sqlalchemy OperationalError if the database cannot be reached.
    """
    config = alembic_config(url)
    # Our own engine, so migrations see the same SQLite pragmas and options as the app.
    engine = make_engine(url, keys)
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    finally:
        engine.dispose()


def current(url: str) -> str | None:
    """The database's revision, or None if it was never migrated."""
    engine = make_engine(url, None)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def head() -> str | None:
    """The newest revision the migrations know."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
