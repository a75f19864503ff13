"""Console sign-in, CSRF and the audit trail.

A member of staff signs in with an API key. There is no server-side session store, so the key
travels in Flask's signed session cookie, encrypted first (Fernet, keyed from `SECRET_KEY`), and
is looked up again on every request: revoking the key ends the session at once. Every form
carries a per-session CSRF token. The console never uses the `/v1` API-key header hook.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import uuid
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from flask import Response, abort, current_app, g, request, session

from verifier.settings import current_settings

READ, WRITE = "verifications:read", "verifications:write"
CSRF_FIELD = "csrf_token"


class ConsoleNotConfigured(RuntimeError):
    """The app has no SECRET_KEY, so the console cannot keep anyone signed in."""


def services() -> Any:
    return current_app.extensions["verifier"]


def _fernet() -> Fernet:
    secret = current_app.config.get("SECRET_KEY")
    if not secret:
        raise ConsoleNotConfigured("set SECRET_KEY (VERIFIER_SECRET_KEY) to use the console")
    raw = secret if isinstance(secret, bytes) else str(secret).encode()
    digest = hashlib.sha256(b"verifier-console-session\x00" + raw).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def session_seconds() -> int:
    hours = current_settings().console_session_hours
    return max(60, int(hours * 3600))


def sign_in(token: str) -> tuple[Any, str | None]:
    """The key for `token` and None, or None and a message a person can act on."""
    keys = services().keys
    token = token.strip()
    key = keys.by_token(token) if token and keys is not None else None
    if key is None:
        return None, "That API key was not recognised, or it has been revoked."
    if not key.allows(READ):
        return None, f"This key may not read verifications; it needs the scope {READ}."
    session.clear()  # a fresh session (and CSRF token) for every sign-in
    session["key_id"] = key.id
    session["token"] = _fernet().encrypt(token.encode()).decode("ascii")
    session[CSRF_FIELD] = secrets.token_urlsafe(32)
    g.console_key = key
    return key, None


def sign_out() -> None:
    session.clear()
    g.console_key = None


def current_key() -> Any:
    """The signed-in key, checked against the key store now; None when signed out, expired,
    revoked or no longer allowed to read."""
    if "console_key" in g:
        return g.console_key
    key = None
    sealed, key_id = session.get("token"), session.get("key_id")
    keys = services().keys
    if isinstance(sealed, str) and isinstance(key_id, str) and keys is not None:
        try:
            token = _fernet().decrypt(sealed, ttl=session_seconds()).decode()
        except InvalidToken:
            token = None
        found = keys.by_token(token) if token else None
        if found is not None and found.id == key_id and found.allows(READ):
            key = found
    g.console_key = key
    return key


def csrf_token() -> str:
    token = session.get(CSRF_FIELD)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session[CSRF_FIELD] = token
    return token


def check_csrf() -> None:
    """Refuse (400) a form whose CSRF token is missing or not this session's."""
    expected = session.get(CSRF_FIELD)
    sent = request.form.get(CSRF_FIELD, "")
    if not isinstance(expected, str) or not hmac.compare_digest(expected.encode(), sent.encode()):
        abort(400, description="This form has expired. Go back, reload the page and try again.")


def audit(action: str, resource_id: str | None = None, resource: str = "verification") -> None:
    """Ask for an audit row for this request; it is written with the response's status."""
    g.console_audit = (action, resource_id, resource)


def write_audit(response: Response) -> None:
    event = g.pop("console_audit", None)
    log = services().audit
    if event is None or log is None:
        return
    key = g.get("console_key")
    log.append(
        at=services().service.clock(),
        key_id=key.id if key is not None else None,
        action=event[0],
        resource=event[2],
        resource_id=event[1],
        route=request.url_rule.rule if request.url_rule else request.path[:100],
        method=request.method,
        client_address=(request.remote_addr or "")[:64] or None,
        status_code=response.status_code,
        request_id=g.get("request_id") or uuid.uuid4().hex,
    )


def secure_headers(response: Response) -> None:
    """PHI on every page: never cached, never framed, no scripts but our own, no referrer."""
    nonce = g.get("console_nonce", "")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; script-src 'self'; connect-src 'self'; img-src 'self' data:; "
        f"style-src 'self' 'nonce-{nonce}'; form-action 'self'; frame-ancestors 'none'; "
        "base-uri 'none'"
    )
