"""OAuth2 client credentials (RFC 6749 §4.4) for payer gateways, through Authlib's httpx client.

One token per (token endpoint, client id, scope) per process, shared by every payer that uses the
same credentials, fetched on first use and renewed `leeway` seconds before it expires. A 401 from
the payer renews it once (see PayerHttp). Client id and secret come from environment variables the
directory names; neither they nor a token ever appear in a message or a log line.
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass
from typing import Any

import httpx
from authlib.integrations.httpx_client import OAuth2Client, OAuthError

from adapters.base import PayerError, PayerTimeout, PayerUnreachable

__all__ = ["CredentialsRefused", "OAuth2Credentials", "OAuth2Settings", "TokenCache"]

# Renew this long before the token's stated expiry: a 5-minute token (Availity) then lives 4.5
# minutes, and a call that starts just before expiry does not arrive with a dead token.
LEEWAY_SECONDS = 30
_ERROR_CODE = re.compile(r"^[a-z_]{1,40}$")


class CredentialsRefused(PayerError):
    """The token endpoint or the payer refused our client credentials: fix the configuration."""

    code, retryable = "credentials_refused", False


@dataclass(frozen=True, slots=True)
class OAuth2Settings:
    """A payer's `auth = "oauth2"` keys: where to get a token and which variables hold the
    client id and secret."""

    token_url: str
    client_id_env: str
    client_secret_env: str
    scope: str | None = None

    @classmethod
    def from_extra(cls, extra: dict[str, Any]) -> OAuth2Settings | None:
        """The settings when the directory entry asks for OAuth2, else None."""
        if extra.get("auth") != "oauth2":
            return None
        scope = extra.get("scope")
        return cls(
            str(extra["token_url"]),
            str(extra["client_id_env"]),
            str(extra["client_secret_env"]),
            str(scope) if scope else None,
        )


class OAuth2Credentials:
    """A cached client-credentials token: `authorization()` for each call, `renew()` after a 401.

    Thread-safe and single-flight: threads that need a token while one is being fetched wait for
    it rather than fetching their own (token calls count against the gateway's rate limit).
    """

    def __init__(
        self,
        settings: OAuth2Settings,
        *,
        timeout_seconds: float = 10.0,
        leeway: int = LEEWAY_SECONDS,
    ) -> None:
        self.settings = settings
        self.leeway = leeway
        self.timeout_seconds = timeout_seconds
        self._lock = threading.Lock()
        self._client: OAuth2Client | None = None

    def authorization(self) -> str:
        """The `Authorization` header value, fetching a token when none is fresh. Raises
        PayerError: CredentialsRefused when the endpoint refuses us, a retryable one otherwise."""
        with self._lock:
            client = self._oauth()
            token = client.token
            if not token or token.is_expired(leeway=self.leeway):
                token = self._fetch(client)
            return f"Bearer {token['access_token']}"

    def renew(self, rejected: str) -> None:
        """Fetch a new token because the payer rejected `rejected` (an `authorization()` value);
        when another thread has already replaced it, keep theirs."""
        with self._lock:
            client = self._oauth()
            token = client.token
            if token and f"Bearer {token['access_token']}" != rejected:
                return
            self._fetch(client)

    def _oauth(self) -> OAuth2Client:
        if self._client is None:
            self._client = OAuth2Client(
                client_id=_secret(self.settings.client_id_env),
                client_secret=_secret(self.settings.client_secret_env),
                scope=self.settings.scope,
                token_endpoint=self.settings.token_url,
                grant_type="client_credentials",
                leeway=self.leeway,
                timeout=httpx.Timeout(self.timeout_seconds),
            )
        return self._client

    def _fetch(self, client: OAuth2Client) -> Any:
        try:
            token = client.fetch_token(self.settings.token_url, grant_type="client_credentials")
        except OAuthError as error:
            # The error code is protocol vocabulary (invalid_client, ...); its description is
            # the server's free text and may quote what we sent, so it is left out.
            code = error.error if isinstance(error.error, str) else ""
            named = f" ({code})" if _ERROR_CODE.match(code) else ""
            raise CredentialsRefused(
                f"the payer's token endpoint refused the client credentials{named}"
            ) from None
        except httpx.TimeoutException:
            raise PayerTimeout("the payer's token endpoint did not answer in time") from None
        except httpx.HTTPStatusError as error:
            status = error.response.status_code
            if status >= 500 or status == 429:
                raise PayerUnreachable(
                    f"the payer's token endpoint failed with HTTP {status}"
                ) from None
            raise CredentialsRefused(
                f"the payer's token endpoint refused the request with HTTP {status}"
            ) from None
        except httpx.TransportError as error:
            raise PayerUnreachable(
                f"could not reach the payer's token endpoint ({type(error).__name__})"
            ) from None
        except ValueError:
            raise PayerUnreachable("the payer's token endpoint sent a garbled answer") from None
        if not isinstance(token.get("access_token"), str) or not token["access_token"]:
            client.token = None
            raise PayerUnreachable("the payer's token endpoint sent no access_token")
        return token


def _secret(variable: str) -> str:
    value = os.environ.get(variable)
    if not value:
        raise CredentialsRefused(f"the environment variable {variable} is not set")
    return value


class TokenCache:
    """The process's OAuth2 credentials, one per (token endpoint, client id variable, scope)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._credentials: dict[OAuth2Settings, OAuth2Credentials] = {}

    def credentials(self, settings: OAuth2Settings, timeout_seconds: float) -> OAuth2Credentials:
        with self._lock:
            if settings not in self._credentials:
                self._credentials[settings] = OAuth2Credentials(
                    settings, timeout_seconds=timeout_seconds
                )
            return self._credentials[settings]
