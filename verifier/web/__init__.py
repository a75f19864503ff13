"""The web pages: the API documentation and the intake form (public), and the staff console
(its own sign-in)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the pages, and the VOB export the API's PDF route asks for."""
    from verifier.current import VOB_PDF
    from verifier.web import console, docs, intake_page, vob

    app.register_blueprint(docs.bp)
    app.register_blueprint(intake_page.bp)
    app.register_blueprint(console.bp)
    # The API serves the VOB as a PDF without importing the pages that draw it.
    app.extensions[VOB_PDF] = vob.vob_pdf
