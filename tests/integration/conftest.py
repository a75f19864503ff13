"""Fixtures for integration tests: a fresh database per test, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from verifier.app import create_app
from verifier.store.migrate import upgrade
from verifier.store.scratch import postgres_schema

POSTGRES_URL_VARIABLE = "VERIFIER_TEST_POSTGRES_URL"


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    ]
)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database: a SQLite file, or a throwaway PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'verifier.sqlite3'}"
        return
    base = os.environ.get(POSTGRES_URL_VARIABLE)
    if not base:
        pytest.skip(f"{POSTGRES_URL_VARIABLE} is not set")
    yield from postgres_schema(base)


@pytest.fixture
def make_app(database_url: str) -> Iterator[Callable[..., Flask]]:
    """Build the app on the test database, migrated, with the given settings on top; every app
    built is closed after the test."""
    upgrade(database_url)
    apps: list[Flask] = []

    def build(**settings: Any) -> Flask:
        app = create_app({"DATABASE_URL": database_url, **settings})
        apps.append(app)
        return app

    yield build
    for app in apps:
        app.extensions["verifier"].close()
