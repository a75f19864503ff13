"""Console sign-in, CSRF and the audit trail.

A member of staff signs in as themselves through the identity provider (`console_oidc`), or, in
development, with an API key. There is no server-side session store: who signed in travels in
Flask's signed session cookie, encrypted first (Fernet, keyed from `SECRET_KEY`), and expires
`VERIFIER_CONSOLE_SESSION_HOURS` after sign-in. A key is looked up again on every request, so
revoking it ends the session at once; a person's scopes are mapped again from their groups, so a
changed scope map applies at once. Every form carries a per-session CSRF token. The console never
uses the `/v1` API-key header hook.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import uuid
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from flask import Response, abort, current_app, g, request, session

from verifier.current import current_services, current_settings
from verifier.security.keys import ApiKey
from verifier.security.staff import StaffMember
from verifier.services.access import KeyRefused, MissingScope, authenticate
from verifier.web import console_oidc

READ, WRITE = "verifications:read", "verifications:write"
CSRF_FIELD = "csrf_token"


class ConsoleNotConfigured(RuntimeError):
    """The app has no SECRET_KEY, so the console cannot keep anyone signed in."""


def _fernet() -> Fernet:
    secret = current_app.config.get("SECRET_KEY")
    if not secret:
        raise ConsoleNotConfigured("set SECRET_KEY (VERIFIER_SECRET_KEY) to use the console")
    raw = secret if isinstance(secret, bytes) else str(secret).encode()
    digest = hashlib.sha256(b"verifier-console-session\x00" + raw).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def session_seconds() -> int:
    hours = current_settings().console_session_hours
    return max(1, round(hours * 3600))


def sign_in(token: str) -> tuple[ApiKey | None, str | None]:
    """The key for `token` and None, or None and a message a person can act on."""
    if not current_settings().console_key_sign_in:
        name = console_oidc.provider_name()
        return None, f"API-key sign-in is turned off here. Sign in with {name}."
    token = token.strip()
    try:
        key = authenticate(current_services().keys, token, (READ,))
    except MissingScope as refused:
        return None, f"This key may not read verifications; it needs the scope {refused.needed}."
    except KeyRefused:
        return None, "That API key was not recognised, or it has been revoked."
    session.clear()  # a fresh session (and CSRF token) for every sign-in
    session["key_id"] = key.id
    session["token"] = _fernet().encrypt(token.encode()).decode("ascii")
    session[CSRF_FIELD] = secrets.token_urlsafe(32)
    g.console_key = key
    return key, None


def sign_in_person(identity: console_oidc.Identity) -> tuple[StaffMember | None, str | None]:
    """Start a session for the person the provider signed in, or None and a message when
    their groups give them no console scope that reads verifications."""
    person = _person(identity.subject, identity.email, identity.name, identity.groups)
    if not person.allows(READ):
        who = identity.email or identity.name
        return None, (
            f"You signed in as {who}, but your account may not use this console: none of your "
            f"groups at {console_oidc.provider_name()} gives access to verifications. Ask an "
            "administrator to add you to a group that does."
        )
    sealed = {
        "sub": identity.subject,
        "email": identity.email,
        "name": identity.name,
        "groups": list(identity.groups),
        "id_token": identity.id_token,  # for signing out at the provider; encrypted, never logged
    }
    session.clear()
    session["staff"] = _fernet().encrypt(json.dumps(sealed).encode()).decode("ascii")
    session[CSRF_FIELD] = secrets.token_urlsafe(32)
    g.console_key = person
    return person, None


def _person(subject: str, email: str | None, name: str, groups: Any) -> StaffMember:
    values = tuple(str(group) for group in groups) if isinstance(groups, list | tuple) else ()
    return StaffMember(subject, email, name, console_oidc.scopes_of(values))


def sign_out() -> str | None:
    """End the console session; the ID token of a person who signed in through the provider
    (to end its session too), else None."""
    staff = _unsealed(session.get("staff"))
    session.clear()
    g.console_key = None
    token = staff.get("id_token") if staff else None
    return token if isinstance(token, str) else None


def signed_in_before() -> bool:
    """The session names someone, signed in or not any more (expired, revoked)."""
    return bool(session.get("key_id") or session.get("staff"))


def _unsealed(sealed: Any) -> dict[str, Any] | None:
    if not isinstance(sealed, str):
        return None
    try:
        found = json.loads(_fernet().decrypt(sealed, ttl=session_seconds()))
    except (InvalidToken, ValueError):
        return None
    return found if isinstance(found, dict) else None


def _current_person() -> StaffMember | None:
    staff = _unsealed(session.get("staff"))
    if staff is None or not console_oidc.enabled() or not isinstance(staff.get("sub"), str):
        return None
    email, name = staff.get("email"), staff.get("name")
    person = _person(
        staff["sub"],
        email if isinstance(email, str) else None,
        name if isinstance(name, str) else staff["sub"],
        staff.get("groups"),
    )
    return person if person.allows(READ) else None


def current_key() -> StaffMember | ApiKey | None:
    """Who is signed in: a StaffMember (through the provider) or an ApiKey (checked against the
    key store now), both with `name` and `allows(scope)`; None when signed out, expired, revoked
    or no longer allowed to read."""
    if "console_key" in g:
        known: StaffMember | ApiKey | None = g.console_key
        return known
    if session.get("staff"):
        person = g.console_key = _current_person()
        return person
    key = None
    sealed, key_id = session.get("token"), session.get("key_id")
    allowed = current_settings().console_key_sign_in
    if isinstance(sealed, str) and isinstance(key_id, str) and allowed:
        try:
            token = _fernet().decrypt(sealed, ttl=session_seconds()).decode()
            found = authenticate(current_services().keys, token, (READ,))
        except (InvalidToken, KeyRefused):
            found = None
        key = found if found is not None and found.id == key_id else None
    g.console_key = key
    return key


def signed_in() -> StaffMember | ApiKey:
    """Who is signed in, on a page the console's sign-in guard already let through."""
    who = current_key()
    if who is None:
        abort(401)
    return who


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
    if event is None:
        return
    log = current_services().audit
    who = g.get("console_key")
    person = who if isinstance(who, StaffMember) else None
    log.append(
        at=current_services().service.clock(),
        key_id=who.id if isinstance(who, ApiKey) else None,
        subject=person.subject if person else None,
        email=person.email if person else None,
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
    # Signing out may end the provider's session too: that form's redirect goes there.
    provider = console_oidc.origin()
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; script-src 'self'; connect-src 'self'; img-src 'self' data:; "
        f"style-src 'self' 'nonce-{nonce}'; form-action 'self'{provider}; frame-ancestors 'none'; "
        "base-uri 'none'"
    )
