"""A local mock clearinghouse serving the eligibility v3 endpoints from the mock scenarios.

Beside the API-key endpoints it speaks what real gateways need (see gateway.py and core.py):
`/oauth2/...` paths want an OAuth2 token from `POST /oauth2/token`, `/async/...` paths answer
202 and are polled, and `POST /core/realtime` is a CAQH CORE SOAP endpoint. The prefixes
combine: `/oauth2/async/change/...` needs a token and answers asynchronously.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast
from urllib.parse import urlsplit

from adapters.mock import TIMEOUT_SCENARIO, scenario_271
from adapters.mock_clearinghouse.asked import asked_in_270, asked_in_json
from adapters.mock_clearinghouse.core import CORE_PATH, error_envelope, fault, read_inquiry
from adapters.mock_clearinghouse.core import response as core_response
from adapters.mock_clearinghouse.gateway import Jobs, TokenIssuer
from adapters.mock_clearinghouse.to_json import clearinghouse_response
from adapters.x12.tokens import X12Error

__all__ = ["FAILURES", "JSON_PATH", "RAW_X12_PATH", "Counters", "MockClearinghouse"]

JSON_PATH = "/change/medicalnetwork/eligibility/v3"
RAW_X12_PATH = JSON_PATH + "/raw-x12"
HEALTH_PATH = "/healthcheck"
TOKEN_PATH = "/oauth2/token"
OAUTH_CLIENTS = {"mock-client": "mock-secret"}
CORE_USERS = {"mock-user": "mock-password"}
_PREFIXES = ("/oauth2", "/async")
HANG_SECONDS = 30.0

log = logging.getLogger(__name__)


class _BadRequest(Exception):
    """The request cannot be answered; the message is safe to return and free of PHI."""


@dataclass(slots=True)
class Counters:
    """What the server has seen: every request, the 429s, and the failures it injected."""

    requests: int = 0
    throttled: int = 0
    unauthorized: int = 0  # 401s for a missing, unknown or expired token
    polls: int = 0
    injected_failures: int = 0
    injected_by_kind: dict[str, int] = field(default_factory=dict)  # FAILURES' names


def _errors(code: str, description: str) -> bytes:
    return json.dumps({"errors": [{"code": code, "description": description}]}).encode()


_INJECTED: dict[str, tuple[int, bytes] | None] = {
    "500": (500, _errors("INTERNAL_SERVER_ERROR", "injected failure")),
    "502": (502, _errors("BAD_GATEWAY", "injected failure")),
    "503": (503, _errors("SERVICE_UNAVAILABLE", "injected failure")),
    "timeout": None,
    "truncated-json": (200, b'{"x12": "garbage'),
    "not-json": (200, b"<html><body>Bad Gateway</body></html>"),
}
FAILURES = tuple(_INJECTED)


def _answer(body: bytes, raw: bool) -> tuple[str, dict[str, Any]]:
    """The member id and the answer, naming the person asked about (see asked.py), for a
    request body; raises _BadRequest."""
    try:
        data = json.loads(body)
    except ValueError:
        raise _BadRequest("the request body is not JSON") from None
    if not isinstance(data, dict):
        raise _BadRequest("the request body must be a JSON object")
    if raw:
        inquiry = data.get("x12")
        if not isinstance(inquiry, str):
            raise _BadRequest("x12 must be the 270 as a string")
        try:
            asked = asked_in_270(inquiry)
        except X12Error:
            raise _BadRequest("x12 is not an X12 interchange") from None
        if asked.member_id is None:
            raise _BadRequest("the 270 names no subscriber member id (NM1*IL NM109)")
        return asked.member_id, {"x12": scenario_271(asked.member_id, asked)}
    asked = asked_in_json(data)
    if asked.member_id is None:
        raise _BadRequest("subscriber.memberId is required")
    answer = clearinghouse_response(scenario_271(asked.member_id, asked))
    for key in ("controlNumber", "tradingPartnerServiceId"):
        if isinstance(data.get(key), str) and data[key]:
            answer[key] = data[key]
    if "controlNumber" in answer:
        answer["reassociationKey"] = answer["controlNumber"]
    return asked.member_id, answer


def _route(path: str) -> tuple[str, set[str]]:
    """The path without its feature prefixes, and the features (`oauth2`, `async`) they ask."""
    features: set[str] = set()
    while path != TOKEN_PATH and (prefix := next(filter(path.startswith, _PREFIXES), None)):
        features.add(prefix.strip("/"))
        path = path[len(prefix) :]
    return path, features


class _Server(ThreadingHTTPServer):
    # server_close() waits for the handler threads; the ones that hang wake up on stop().
    daemon_threads = False

    def __init__(self, address: tuple[str, int], mock: MockClearinghouse) -> None:
        self.mock = mock
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.debug("mock clearinghouse: a request failed mid-way")  # no traceback: it may hold PHI


class _Handler(BaseHTTPRequestHandler):
    server_version = "MockClearinghouse/1.0"
    timeout = 10  # an idle client must not hold a handler thread (and stop()) for long

    def log_message(self, format: str, *args: Any) -> None:
        """Silence http.server's stderr access log: request lines are no place for PHI."""

    @property
    def mock(self) -> MockClearinghouse:
        return cast(_Server, self.server).mock

    def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            if status == 401:
                self.send_header("WWW-Authenticate", 'Bearer error="invalid_token"')
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:  # the client gave up first
            pass

    def do_GET(self) -> None:
        mock = self.mock
        mock.count_request()
        mock.pause()
        path, features = _route(urlsplit(self.path).path.rstrip("/"))
        job = path.rpartition("/")[2]
        if path.endswith(HEALTH_PATH):
            self._send(200, b'{"status": "ok"}')
        elif "oauth2" in features and not mock.authorized(self.headers.get("Authorization")):
            self._send(401, _errors("UNAUTHORIZED", "the access token is missing or expired"))
        elif "async" in features and path.startswith(JSON_PATH + "/") and job != "raw-x12":
            mock.count("polls")
            self._send(*mock.jobs.poll(job))
        else:
            self._send(404, _errors("NOT_FOUND", "no such resource"))

    def do_POST(self) -> None:
        mock = self.mock
        path, features = _route(urlsplit(self.path).path.rstrip("/"))
        mock.count_request()
        body = self._body()  # read even when refusing: unread input makes close() reset
        if path == TOKEN_PATH:
            self._send(*mock.tokens.issue(body, self.headers.get("Authorization")))
            return
        if path == CORE_PATH:
            reply, content_type = self._core(body), "application/soap+xml; charset=utf-8"
        else:
            reply, content_type = self._eligibility(path, features, body), "application/json"
        mock.pause()
        if reply is None:
            mock.hang()  # answer nothing: the client's deadline passes first
        else:
            self._send(*reply, content_type=content_type)

    def _eligibility(self, path: str, features: set[str], body: bytes) -> tuple[int, bytes] | None:
        mock, raw = self.mock, path.endswith(RAW_X12_PATH)
        authorization = self.headers.get("Authorization")
        if not raw and not path.endswith(JSON_PATH):
            return 404, _errors("NOT_FOUND", "no such resource")
        if "oauth2" in features and not mock.authorized(authorization):
            return 401, _errors("UNAUTHORIZED", "the access token is missing or expired")
        if not (authorization or "").strip():
            return 401, _errors("UNAUTHORIZED", "an Authorization header is required")
        if not mock.admit():
            return 429, _errors("TOO_MANY_REQUESTS", "the rate limit is exceeded")
        if (failure := mock.draw_failure()) is not None:
            return _INJECTED[failure]
        try:
            member, answer = _answer(body, raw)
        except _BadRequest as error:
            return 400, _errors("BAD_REQUEST", str(error))
        encoded = None if member == TIMEOUT_SCENARIO else json.dumps(answer).encode()
        if "async" in features:  # the timeout scenario's job never completes
            return mock.jobs.accept(encoded)
        return None if encoded is None else (200, encoded)

    def _core(self, body: bytes) -> tuple[int, bytes] | None:
        mock = self.mock
        if not mock.admit():
            return 429, fault("Receiver", "the rate limit is exceeded")
        if (failure := mock.draw_failure()) is not None:
            return _INJECTED[failure]
        inquiry = read_inquiry(body, mock.core_users)
        if inquiry is None:
            return 400, fault("Sender", "the request is not a CORE real-time SOAP 1.2 envelope")
        if inquiry.x12 is None:
            return 200, error_envelope(inquiry.payload_id, inquiry.error or "Sender")
        try:
            asked = asked_in_270(inquiry.x12)
        except X12Error:
            return 200, error_envelope(inquiry.payload_id, "PayloadIllegal")
        if asked.member_id == TIMEOUT_SCENARIO:
            return None
        answer = scenario_271(asked.member_id or "MOCK-NOT-FOUND", asked)
        return 200, core_response(inquiry.payload_id, answer)

    def _body(self) -> bytes:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            return b""
        return self.rfile.read(length) if 0 < length <= 1_000_000 else b""


class MockClearinghouse:
    """A threaded HTTP server on 127.0.0.1 that answers like Stedi's eligibility v3 API.

    `latency_ms` delays every answer, `rate_limit` (requests per second) answers 429 beyond a
    token bucket, `fail_rate` injects failures (5xx, a hang, a malformed body) from a seeded RNG.
    OAuth2 clients (`OAUTH_CLIENTS`) get tokens for `token_lifetime` seconds; asynchronous
    answers say "In Progress" `polls_before_answer` times; CORE users are `CORE_USERS`.
    """

    def __init__(
        self,
        port: int = 0,
        latency_ms: int = 0,
        rate_limit: float | None = None,
        fail_rate: float = 0.0,
        seed: int | None = None,
        *,
        token_lifetime: int = 3600,
        polls_before_answer: int = 2,
    ) -> None:
        limit_ok = rate_limit is None or rate_limit > 0
        if latency_ms < 0 or not 0 <= fail_rate <= 1 or not limit_ok:
            raise ValueError("need latency_ms >= 0, 0 <= fail_rate <= 1, rate_limit > 0 or None")
        self.host, self.port = "127.0.0.1", port
        self.latency = latency_ms / 1000
        self.fail_rate = fail_rate
        self.counters = Counters()
        self.rate_limit = rate_limit
        self._tokens, self._last = max(rate_limit or 1.0, 1.0), time.monotonic()
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.tokens = TokenIssuer(OAUTH_CLIENTS, token_lifetime)
        self.jobs = Jobs(polls_before_answer)
        self.core_users = dict(CORE_USERS)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> str:
        """Listen and serve on a background thread; return the base URL."""
        if self._server is not None:
            raise RuntimeError("the mock clearinghouse is already running")
        self._stopping.clear()
        self._server = _Server((self.host, self.port), self)
        self.port = self._server.server_address[1]
        serve = self._server.serve_forever
        self._thread = threading.Thread(target=serve, args=(0.05,), daemon=True)
        self._thread.start()
        return self.url

    def stop(self) -> None:
        """Stop serving, wake the requests that hang, close the socket; safe to call twice."""
        server, thread = self._server, self._thread
        if server is None:
            return
        self._stopping.set()
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join()
        self._server = self._thread = None

    def count_request(self) -> None:
        self.count("requests")

    def count(self, counter: str) -> None:
        with self._lock:
            setattr(self.counters, counter, getattr(self.counters, counter) + 1)

    def authorized(self, authorization: str | None) -> bool:
        """Whether a request to an `/oauth2/` path carries a live token; counts the 401s."""
        if self.tokens.valid(authorization):
            return True
        self.count("unauthorized")
        return False

    def admit(self) -> bool:
        """Take a token: the bucket holds `rate_limit` (at least 1) and refills at that rate."""
        if self.rate_limit is None:
            return True
        with self._lock:
            now, rate = time.monotonic(), self.rate_limit
            self._tokens = min(max(rate, 1.0), self._tokens + (now - self._last) * rate)
            self._last = now
            if self._tokens >= 1:
                self._tokens -= 1
                return True
            self.counters.throttled += 1
            return False

    def pause(self) -> None:
        if self.latency:
            self._stopping.wait(self.latency)

    def hang(self) -> None:
        """Answer nothing for far longer than any client waits (until stop())."""
        self._stopping.wait(HANG_SECONDS)

    def draw_failure(self) -> str | None:
        with self._lock:
            if self.fail_rate <= 0 or self._random.random() >= self.fail_rate:
                return None
            self.counters.injected_failures += 1
            kind = self._random.choice(FAILURES)
            by_kind = self.counters.injected_by_kind
            by_kind[kind] = by_kind.get(kind, 0) + 1
            return kind
