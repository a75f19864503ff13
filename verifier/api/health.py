"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

import logging
import time
from typing import Any

from flask import Blueprint, Flask, Response, g, request
from prometheus_client import CONTENT_TYPE_LATEST

from verifier.current import current_services
from verifier.logs import get_logger

log = logging.getLogger(__name__)
requests_log = get_logger("verifier.requests")
blp = Blueprint("health", __name__)


@blp.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@blp.get("/readyz")
def readyz() -> Any:
    try:
        current_services().repository.ping()
    except Exception as error:  # any failure to reach the database means not ready
        log.warning("database not reachable: %s", type(error).__name__)
        return {"status": "unavailable", "database": "unreachable"}, 503
    return {"status": "ok", "database": "reachable"}


@blp.get("/metrics")
def metrics() -> Response:
    metrics = current_services().metrics
    return Response(metrics.exposition(), mimetype=CONTENT_TYPE_LATEST)


def observe_requests(app: Flask) -> None:
    """Count every request by its route pattern (never the concrete path, which may hold ids)."""

    @app.before_request
    def _start() -> None:
        g.started = time.perf_counter()

    @app.after_request
    def _record(response: Response) -> Response:
        route = request.url_rule.rule if request.url_rule else "unmatched"
        seconds = time.perf_counter() - g.get("started", time.perf_counter())
        current_services().metrics.request(route, request.method, response.status_code, seconds)
        requests_log.info(
            "request",
            request_id=g.get("request_id"),
            route=route,
            method=request.method,
            status=response.status_code,
            duration_ms=round(seconds * 1000, 1),
        )
        return response
