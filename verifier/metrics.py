"""Prometheus metrics: by route, status, payer and outcome; never a member id or name."""

from __future__ import annotations

import os

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, multiprocess

# Set by `verifier serve` for gunicorn's workers: each then keeps its counts in files there, and
# /metrics sums every worker's, instead of showing whichever worker answered the scrape.
MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"


class PrometheusMetrics:
    """One registry per app, so several apps (tests) never collide."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "verifier_http_requests",
            "HTTP requests",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "verifier_http_request_seconds",
            "HTTP request latency",
            ["route", "method"],
            registry=self.registry,
        )
        self.verifications = Counter(
            "verifier_verifications",
            "Verifications by payer and outcome",
            ["payer", "outcome"],
            registry=self.registry,
        )
        self.payer_latency = Histogram(
            "verifier_payer_call_seconds",
            "Payer call latency",
            ["payer", "outcome"],
            registry=self.registry,
        )

    def payer_call(self, payer_id: str, outcome: str, seconds: float) -> None:
        self.payer_latency.labels(payer_id, outcome).observe(seconds)

    def verification(self, payer_id: str, outcome: str) -> None:
        self.verifications.labels(payer_id, outcome).inc()

    def request(self, route: str, method: str, status: int, seconds: float) -> None:
        self.requests.labels(route, method, str(status)).inc()
        self.latency.labels(route, method).observe(seconds)

    def exposition(self) -> bytes:
        """The text /metrics serves: every worker's counts when they share a folder."""
        if os.environ.get(MULTIPROCESS_DIR):
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
            return generate_latest(registry)
        return generate_latest(self.registry)
