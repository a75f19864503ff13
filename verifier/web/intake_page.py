"""The public intake page: a plain, accessible form that posts to `POST /v1/intake`.

Configuration (each also as a `VERIFIER_*` environment variable):

- `INTAKE_PAGE_KEY`: an `intake:submit` key made for the site. It is written into the page, so
  it must carry that scope only (rate-limited, and bound to the site's origins).
- `INTAKE_PAGE_API_BASE`: where the API is, e.g. `https://verify.example.org`; empty (the
  default) means this page's own origin.
- `INTAKE_PAGE_CENTRE_NAME`: who checks the benefits, named in the consent wording.

Without a usable key the page answers 503 and says the form is not set up, rather than showing a
form that cannot be sent.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, make_response, render_template

from verifier.current import current_services, current_settings
from verifier.services.access import KeyRefused, MissingScope, authenticate
from verifier.settings import Settings

log = logging.getLogger(__name__)

bp = Blueprint(
    "intake_page",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/intake/static",
)

INTAKE_SCOPE = "intake:submit"


def _origin(url: str) -> str | None:
    """`scheme://host[:port]` of an absolute http(s) URL; None for a relative or empty one."""
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return None


def _key_origins(token: str) -> tuple[str, ...] | None:
    """The origins the page key may be used from (empty: any); None when the key is unusable."""
    try:
        key = authenticate(current_services().keys, token, (INTAKE_SCOPE,))
    except MissingScope:
        log.warning("INTAKE_PAGE_KEY lacks the intake:submit scope; the intake page is disabled")
        return None
    except KeyRefused:
        log.warning("INTAKE_PAGE_KEY is unknown or revoked; the intake page is disabled")
        return None
    if "admin" in key.scopes or set(key.scopes) - {INTAKE_SCOPE}:
        # Still served (the scope check above passed), but this key should not be public.
        log.warning("INTAKE_PAGE_KEY has scopes beyond intake:submit; make an intake-only key")
    return tuple(key.allowed_origins)


def _secured(
    response: Response, api_origin: str | None, frame_origins: tuple[str, ...]
) -> Response:
    """No inline script or style, no third parties; framing only by the key's own sites."""
    connect = "'self'" + (f" {api_origin}" if api_origin else "")
    policy = [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        f"connect-src {connect}",
        "form-action 'self'",
        "base-uri 'none'",
    ]
    if frame_origins:
        policy.append("frame-ancestors 'self' " + " ".join(frame_origins))
    response.headers["Content-Security-Policy"] = "; ".join(policy)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/intake")
def page() -> Response:
    """The intake form, or a 503 page saying it is not configured."""
    settings = current_settings()
    centre = settings.intake_page_centre_name.strip() or Settings.intake_page_centre_name
    token = (settings.intake_page_key or "").strip()
    api_base = settings.intake_page_api_base.strip().rstrip("/")
    origins = _key_origins(token) if token else None
    context: dict[str, Any] = {"centre": centre, "configured": origins is not None}
    if origins is None:
        response = make_response(render_template("intake.html", **context), 503)
        return _secured(response, None, ())
    context.update(key=token, api_base=api_base)
    response = make_response(render_template("intake.html", **context))
    return _secured(response, _origin(api_base), origins)
