"""The API's documentation page: Swagger UI served from the installed swagger-ui-bundle package.

Never from a CDN: the page must work offline and behind a hospital proxy, and it must not send
staff browsers to a third party. Its Content-Security-Policy allows the service's own origin only
(the UI's icons are `data:` images inside its own stylesheet).
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, render_template, send_from_directory
from swagger_ui_bundle import swagger_ui_path

bp = Blueprint(
    "docs",
    __name__,
    template_folder="templates",
    static_folder=swagger_ui_path,
    static_url_path="/docs/static",
)
OWN_FILES = Path(__file__).parent / "static"
POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


@bp.get("/docs")
def page() -> str:
    """Swagger UI over /openapi.json."""
    return render_template("docs.html")


@bp.get("/docs/start.js")
def start() -> Response:
    """The page's own script, a file so that no inline script needs allowing."""
    return send_from_directory(OWN_FILES, "docs.js")


@bp.after_request
def _secured(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
