"""The services and settings of the Flask app handling this request, typed.

The API and the pages reach the use cases only through here, never through `current_app`'s
extensions by name: `verifier/app.py` registers both when it builds the app.
"""

from __future__ import annotations

from flask import current_app
from flask.sansio.app import App

from verifier.bootstrap import Services
from verifier.settings import Settings


def current_services() -> Services:
    """The services (`verifier/bootstrap.py`) of the app handling this request."""
    services: Services = current_app.extensions["verifier"]
    return services


def current_settings() -> Settings:
    """The settings of the app handling this request."""
    return settings_of(current_app)


def settings_of(app: App) -> Settings:
    """The settings `app` was built with, for setting it up before any request."""
    settings: Settings = app.extensions["settings"]
    return settings
