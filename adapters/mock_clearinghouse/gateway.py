"""The mock clearinghouse's gateway features: an OAuth2 token endpoint and asynchronous jobs.

`POST /oauth2/token` issues client-credentials tokens (HTTP Basic or form credentials); paths under
`/oauth2/` then need a live `Bearer` token, and `expire_all()` ends every token early so clients
meet the 401 a revoked token gets. Paths under `/async/` answer 202 with an id; `GET <path>/<id>`
says "In Progress" a set number of times, then gives the answer.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from collections.abc import Mapping
from urllib.parse import parse_qs

__all__ = ["Jobs", "Reply", "TokenIssuer", "oauth_error"]

Reply = tuple[int, bytes]


def oauth_error(code: str, status: int) -> Reply:
    return status, json.dumps({"error": code}).encode()


class TokenIssuer:
    """Client-credentials tokens for the known clients, each valid for `lifetime` seconds."""

    def __init__(self, clients: Mapping[str, str], lifetime: int = 3600) -> None:
        self.clients = dict(clients)
        self.lifetime = lifetime
        self.issued = 0
        self._expiry: dict[str, float] = {}
        self._lock = threading.Lock()

    def issue(self, body: bytes, authorization: str | None) -> Reply:
        """The token endpoint's answer (RFC 6749 §4.4.3, §5.2) to a form-encoded request."""
        form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
        client = _basic(authorization) or (form.get("client_id"), form.get("client_secret"))
        if form.get("grant_type") != "client_credentials":
            return oauth_error("unsupported_grant_type", 400)
        client_id, secret = client
        if not client_id or self.clients.get(client_id) != secret:
            return oauth_error("invalid_client", 401)
        token = secrets.token_urlsafe(24)
        with self._lock:
            self.issued += 1
            self._expiry[token] = time.monotonic() + self.lifetime
        answer = {"access_token": token, "token_type": "Bearer", "expires_in": self.lifetime}
        return 200, json.dumps(answer).encode()

    def valid(self, authorization: str | None) -> bool:
        scheme, _, token = (authorization or "").partition(" ")
        with self._lock:
            expiry = self._expiry.get(token.strip())
        return scheme.lower() == "bearer" and expiry is not None and time.monotonic() < expiry

    def expire_all(self) -> None:
        """End every token now, before the lifetime the client was told."""
        with self._lock:
            self._expiry.clear()


def _basic(authorization: str | None) -> tuple[str | None, str | None] | None:
    scheme, _, value = (authorization or "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        client_id, _, secret = base64.b64decode(value).decode().partition(":")
    except ValueError:
        return None
    return client_id, secret


class Jobs:
    """Answers held for polling: each says "In Progress" `polls` times before it is given."""

    def __init__(self, polls: int = 2) -> None:
        self.polls = polls
        self._jobs: dict[str, tuple[bytes | None, int]] = {}
        self._lock = threading.Lock()

    def accept(self, answer: bytes | None) -> Reply:
        """Hold `answer` (None: one that never completes) and say where it will be."""
        job = secrets.token_hex(8)
        with self._lock:
            self._jobs[job] = (answer, 0)
        return 202, json.dumps({"id": job, "status": "In Progress"}).encode()

    def poll(self, job: str) -> Reply:
        with self._lock:
            if job not in self._jobs:
                return 404, json.dumps({"errors": [{"code": "NOT_FOUND"}]}).encode()
            answer, polled = self._jobs[job]
            if answer is None or polled < self.polls:
                self._jobs[job] = (answer, polled + 1)
                return 200, json.dumps({"id": job, "status": "In Progress"}).encode()
            del self._jobs[job]
            return 200, answer
