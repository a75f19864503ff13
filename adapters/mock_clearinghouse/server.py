"""A local mock clearinghouse serving the eligibility v3 endpoints from the mock scenarios."""

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
from adapters.mock_clearinghouse.to_json import clearinghouse_response
from adapters.x12.tokens import X12Error, interchanges

__all__ = ["FAILURES", "JSON_PATH", "RAW_X12_PATH", "Counters", "MockClearinghouse", "member_of"]

JSON_PATH = "/change/medicalnetwork/eligibility/v3"
RAW_X12_PATH = JSON_PATH + "/raw-x12"
HEALTH_PATH = "/healthcheck"
HANG_SECONDS = 30.0

log = logging.getLogger(__name__)


class _BadRequest(Exception):
    """The request cannot be answered; the message is safe to return and free of PHI."""


@dataclass(slots=True)
class Counters:
    """What the server has seen: every request, the 429s, and the failures it injected."""

    requests: int = 0
    throttled: int = 0
    injected_failures: int = 0
    injected_by_kind: dict[str, int] = field(default_factory=dict)  # FAILURES' names


def member_of(x12_270: str) -> str | None:
    """The subscriber's member id (NM1*IL NM109) in a 270; raises X12Error on non-X12 text."""
    for seps, segments in interchanges(x12_270):
        for segment in segments:
            e = [part.strip() for part in segment.split(seps.element)]
            if e[0] == "NM1" and len(e) > 9 and e[1] == "IL" and e[9]:
                return e[9]
    return None


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
    """The member id and the answer for a request body; raises _BadRequest."""
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
            member = member_of(inquiry)
        except X12Error:
            raise _BadRequest("x12 is not an X12 interchange") from None
        if member is None:
            raise _BadRequest("the 270 names no subscriber member id (NM1*IL NM109)")
        return member, {"x12": scenario_271(member)}
    subscriber = data.get("subscriber")
    member = subscriber.get("memberId") if isinstance(subscriber, dict) else None
    if not isinstance(member, str) or not member.strip():
        raise _BadRequest("subscriber.memberId is required")
    answer = clearinghouse_response(scenario_271(member.strip()))
    for key in ("controlNumber", "tradingPartnerServiceId"):
        if isinstance(data.get(key), str) and data[key]:
            answer[key] = data[key]
    if "controlNumber" in answer:
        answer["reassociationKey"] = answer["controlNumber"]
    return member.strip(), answer


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

    def _send(self, status: int, body: bytes) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:  # the client gave up first
            pass

    def do_GET(self) -> None:
        self.mock.count_request()
        self.mock.pause()
        if urlsplit(self.path).path.rstrip("/").endswith(HEALTH_PATH):
            self._send(200, b'{"status": "ok"}')
        else:
            self._send(404, _errors("NOT_FOUND", "no such resource"))

    def do_POST(self) -> None:
        mock, path = self.mock, urlsplit(self.path).path.rstrip("/")
        mock.count_request()
        raw = path.endswith(RAW_X12_PATH)
        body = self._body()  # read even when refusing: unread input makes close() reset
        reply: tuple[int, bytes] | None
        if not raw and not path.endswith(JSON_PATH):
            reply = 404, _errors("NOT_FOUND", "no such resource")
        elif not self.headers.get("Authorization", "").strip():
            reply = 401, _errors("UNAUTHORIZED", "an Authorization header is required")
        elif not mock.admit():
            reply = 429, _errors("TOO_MANY_REQUESTS", "the rate limit is exceeded")
        elif (failure := mock.draw_failure()) is not None:
            reply = _INJECTED[failure]
        else:
            try:
                member, answer = _answer(body, raw)
            except _BadRequest as error:
                reply = 400, _errors("BAD_REQUEST", str(error))
            else:
                reply = None if member == TIMEOUT_SCENARIO else (200, json.dumps(answer).encode())
        mock.pause()
        if reply is None:
            mock.hang()  # answer nothing: the client's deadline passes first
        else:
            self._send(*reply)

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
    """

    def __init__(
        self,
        port: int = 0,
        latency_ms: int = 0,
        rate_limit: float | None = None,
        fail_rate: float = 0.0,
        seed: int | None = None,
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
        with self._lock:
            self.counters.requests += 1

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
