"""Staff sign in to the console as themselves through the organisation's OpenID provider.

Authlib's Flask client runs the authorization code flow with PKCE (S256); the provider's
endpoints and keys come from `<issuer>/.well-known/openid-configuration`, read at the first
sign-in, so the service starts while the provider is away. Authlib keeps the state, nonce and
code verifier in the session and checks the ID token's signature, issuer, audience, nonce and
expiry; the claims then come from the ID token and the userinfo endpoint, whose subject must be
the same. Tokens are never logged: only the kind of failure is.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import OAuth
from flask import current_app, session, url_for
from flask.sansio.app import App
from flask.typing import ResponseReturnValue
from joserfc.errors import JoseError
from requests import RequestException

from verifier.current import current_settings, settings_of
from verifier.security.staff import claim_values, scopes_for

CLIENT = "staff"
EXTENSION = "verifier.console_oidc"
log = logging.getLogger(__name__)


class SignInFailed(Exception):
    """The provider did not sign the person in; the message is for them."""


@dataclass(frozen=True, slots=True)
class Identity:
    """Who the provider says signed in: their claims, and the ID token for signing out."""

    subject: str
    email: str | None
    name: str
    groups: tuple[str, ...]
    id_token: str


def init_oidc(app: App) -> None:
    """Register the provider with Authlib when the settings name one; nothing is fetched yet."""
    settings = settings_of(app)
    if not settings.oidc_issuer or EXTENSION in app.extensions:
        return
    oauth = OAuth(app)
    client_kwargs: dict[str, Any] = {
        "scope": settings.oidc_request_scopes,
        "code_challenge_method": "S256",
        "default_timeout": 10,
    }
    if not settings.oidc_client_secret:  # a public client: PKCE alone protects the code
        client_kwargs["token_endpoint_auth_method"] = "none"
    oauth.register(
        CLIENT,
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret,
        server_metadata_url=settings.oidc_issuer.rstrip("/") + "/.well-known/openid-configuration",
        client_kwargs=client_kwargs,
    )
    app.extensions[EXTENSION] = oauth


def enabled() -> bool:
    return EXTENSION in current_app.extensions


def _client() -> Any:
    client = current_app.extensions[EXTENSION].create_client(CLIENT)
    metadata = client.load_server_metadata()
    configured = str(current_settings().oidc_issuer).rstrip("/")
    if str(metadata.get("issuer", "")).rstrip("/") != configured:
        # OpenID Connect Discovery 4.3: a document for another issuer must not be used.
        raise SignInFailed("The identity provider's configuration names another issuer.")
    return client


def start(callback_url: str) -> ResponseReturnValue:
    """Send the browser to the provider. Raises SignInFailed when it cannot be reached."""
    for key in [key for key in session if key.startswith(f"_state_{CLIENT}_")]:
        session.pop(key)  # one sign-in in flight per browser: the cookie never grows with retries
    try:
        response: ResponseReturnValue = _client().authorize_redirect(callback_url)
    except (AuthlibBaseError, RequestException, ValueError, KeyError) as error:
        log.warning("oidc sign-in could not start: %s", type(error).__name__)
        raise SignInFailed(_unreachable()) from error
    return response


def finish() -> Identity:
    """Complete the sign-in the provider sent the browser back from.

    Raises SignInFailed, with a message for the person, when the provider refused, the state
    does not match this browser's, or the tokens or claims do not hold.
    """
    try:
        client = _client()
        token = client.authorize_access_token()
        claims = token.get("userinfo")
        if not claims or not token.get("id_token"):
            raise SignInFailed("The identity provider sent no ID token.")
        claims = dict(claims)
        if client.load_server_metadata().get("userinfo_endpoint"):
            info = dict(client.userinfo(token=token))
            if info.get("sub") != claims["sub"]:
                raise SignInFailed("The identity provider answered for someone else.")
            claims = {**info, **claims}
    except MismatchingStateError as error:
        raise SignInFailed("This sign-in expired or was started elsewhere. Try again.") from error
    except OAuthError as error:
        log.info("oidc sign-in refused by the provider: %s", error.error)
        raise SignInFailed(f"The identity provider did not sign you in ({error.error}).") from error
    except (AuthlibBaseError, JoseError, RequestException, ValueError, KeyError) as error:
        log.warning("oidc sign-in failed: %s", type(error).__name__)
        raise SignInFailed(_unreachable()) from error
    return _identity(claims, str(token["id_token"]))


def _identity(claims: dict[str, Any], id_token: str) -> Identity:
    email = claims.get("email") if isinstance(claims.get("email"), str) else None
    name = claims.get("name") if isinstance(claims.get("name"), str) else None
    subject = str(claims["sub"])
    groups = claim_values(claims, current_settings().oidc_scopes_claim)
    return Identity(subject, email, name or email or subject, groups, id_token)


def scopes_of(groups: tuple[str, ...]) -> tuple[str, ...]:
    """The console scopes these claim values give under the current settings."""
    return scopes_for(groups, current_settings().oidc_scopes)


def end_session_url(id_token: str | None) -> str | None:
    """Where to end the provider's session too (RP-initiated logout), returning to the sign-in
    page; None when the provider has no end_session_endpoint or cannot be reached."""
    try:
        client = _client()
        if not client.load_server_metadata().get("end_session_endpoint"):
            return None
        back = url_for("console.login", _external=True)
        logout = client.create_logout_url(
            post_logout_redirect_uri=back, id_token_hint=id_token, client_id=client.client_id
        )
    except (SignInFailed, AuthlibBaseError, RequestException, ValueError, KeyError) as error:
        log.warning("oidc sign-out at the provider skipped: %s", type(error).__name__)
        return None
    return str(logout["url"])


def origin() -> str:
    """The provider's origin with a leading space, for a CSP source list; empty without one."""
    if not enabled():
        return ""
    found = urlsplit(str(current_settings().oidc_issuer))
    return f" {found.scheme}://{found.netloc}"


def provider_name() -> str:
    return current_settings().oidc_provider_name


def _unreachable() -> str:
    return (
        f"Sign-in with {provider_name()} did not work. Try again; if it keeps failing, tell "
        "whoever runs this service."
    )
