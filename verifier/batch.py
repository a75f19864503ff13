"""The worker: claims jobs from the queue, completes their verifications, reports back."""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from schemas.request import VerificationRequestSchema
from verifier.domain.request import VerificationRequest
from verifier.intake import to_request
from verifier.logs import get_logger
from verifier.ports import Job, JobQueue
from verifier.service import VerificationService
from verifier.services.jobs import run_job
from verifier.settings import Settings
from verifier.webhooks import send_webhook

# One instance for every job: building a schema copies all its fields.
_REQUESTS = VerificationRequestSchema()
log = logging.getLogger(__name__)
jobs_log = get_logger("verifier.jobs")


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class Worker:
    """Runs `concurrency` threads that claim and run jobs until told to stop.

    Stopping lets each thread finish the job it holds; a job never started is released.
    """

    def __init__(
        self,
        service: VerificationService,
        queue: JobQueue,
        settings: Settings,
        *,
        concurrency: int = 1,
        poll_seconds: float = 0.5,
        name: str | None = None,
        webhook: Callable[..., bool] = send_webhook,
    ) -> None:
        self.service = service
        self.queue = queue
        self.settings = settings
        self.concurrency = max(1, concurrency)
        self.poll_seconds = poll_seconds
        self.name = name or worker_name()
        self.stopping = threading.Event()
        self.webhook = webhook
        self.http = httpx.Client()
        self.processed = 0
        self._lock = threading.Lock()

    def stop(self) -> None:
        self.stopping.set()

    def run(self, until_idle: bool = False) -> None:
        """Work until stop() (or, with until_idle, until no job is ready)."""
        threads = [
            threading.Thread(target=self._loop, args=(f"{self.name}/{i}", until_idle), daemon=True)
            for i in range(self.concurrency)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.http.close()

    def _loop(self, lease_name: str, until_idle: bool) -> None:
        while not self.stopping.is_set():
            jobs = self.queue.claim(lease_name)
            if not jobs:
                if until_idle:
                    return
                self.stopping.wait(self.poll_seconds)
                continue
            for job in jobs:
                if self.stopping.is_set():
                    self.queue.release(job, lease_name)
                    continue
                try:
                    self.run_job(job, lease_name)
                except (
                    Exception
                ) as error:  # a thread that dies would strand its job until lease expiry
                    log.error("job %s failed unexpectedly: %s", job.id, type(error).__name__)
                    self._give_back(job, lease_name)

    def _request(self, stored: Mapping[str, Any]) -> VerificationRequest:
        """A stored request body as the request to ask the payer with."""
        return to_request(_REQUESTS.load(stored), self.settings)

    def _give_back(self, job: Job, lease_name: str) -> None:
        """Requeue a job whose run broke (e.g. the database was locked), with backoff."""
        try:
            self.queue.finish(job, lease_name, error="internal_error", retryable=True)
        except Exception as error:  # the lease will expire and another worker will take it
            log.error("job %s could not be requeued: %s", job.id, type(error).__name__)

    def run_job(self, job: Job, lease_name: str) -> str:
        """Run the job (`verifier/services/jobs.py`), then log it and call its webhook; returns
        the job's state."""
        record, state = run_job(self.service, job, lease_name, self._request)
        with self._lock:
            self.processed += 1
        jobs_log.info(
            "job finished",
            job_id=job.id,
            verification_id=record.id,
            payer_id=record.payer_id,
            outcome=record.status or record.state,
            status=state,
            worker=lease_name,
        )
        if job.callback_url and state in ("done", "dead"):
            secret = self.settings.webhook_secret
            if secret:
                self.webhook(
                    self.http, job.callback_url, secret, record.id, record.state, record.status
                )
        return state
