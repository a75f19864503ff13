"""The services and settings of the Flask app handling this request, typed.

The API and the pages reach the use cases only through here, never through `current_app`'s
extensions by name: `verifier/app.py` registers both when it builds the app, and the pages
register the VOB drawer the API's export uses.
"""

from __future__ import annotations

from typing import Protocol

from flask import current_app
from flask.sansio.app import App
from werkzeug.datastructures import MultiDict

from verifier.bootstrap import Services
from verifier.records import VerificationRecord
from verifier.settings import Settings

VOB_PDF = "vob_pdf"


class VobPdf(Protocol):
    """The VOB as a PDF: drawn by the pages (`verifier/web/vob.py`), served by the API too."""

    def __call__(
        self,
        record: VerificationRecord,
        verified_by: str,
        exported_by: str | None = None,
        args: MultiDict[str, str] | None = None,
    ) -> bytes: ...


def current_services() -> Services:
    """The services (`verifier/bootstrap.py`) of the app handling this request."""
    services: Services = current_app.extensions["verifier"]
    return services


def current_settings() -> Settings:
    """The settings of the app handling this request."""
    return settings_of(current_app)


def current_vob_pdf() -> VobPdf:
    """The VOB drawer the pages registered, so the API exports without importing them."""
    draw: VobPdf = current_app.extensions[VOB_PDF]
    return draw


def settings_of(app: App) -> Settings:
    """The settings `app` was built with, for setting it up before any request."""
    settings: Settings = app.extensions["settings"]
    return settings
