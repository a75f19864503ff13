"""Run a queued verification: complete it with its payer, then record how its job ended."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from verifier.domain.request import VerificationRequest
from verifier.ports import Job
from verifier.records import FAILED, VerificationRecord
from verifier.service import VerificationService

log = logging.getLogger(__name__)

UNREADABLE = (
    "The stored request can no longer be read as a verification request (the service changed "
    "since it was queued); verify again."
)


def run_job(
    service: VerificationService,
    job: Job,
    worker: str,
    read_request: Callable[[Mapping[str, Any]], VerificationRequest],
) -> tuple[VerificationRecord, str]:
    """Complete the job's verification (`read_request` turns its stored request back into one
    to ask with) and finish the job as `worker`, which holds its lease: done, queued again
    with backoff when the failure is worth retrying, or dead after its last attempt. Returns
    the record and the job's new state ("lost" when another worker took the job over)."""
    record = service.get(job.verification_id)
    try:
        request = read_request(record.request)
        payer = service.payer(record.payer_id)
    except Exception as error:  # a stored request that no longer loads must not loop forever
        log.error("job %s cannot run: %s", job.id, type(error).__name__)
        # Ended, not left pending: whoever polls it or gets its webhook learns why.
        record.state, record.completed_at = FAILED, service.clock()
        record.error = {"code": "invalid_request", "message": UNREADABLE, "retryable": False}
        service.repository.save(record)
        return record, service.queue.finish(job, worker, error="invalid_request", retryable=False)
    service.complete(record, request, payer)
    failure = record.error or {}
    state = service.queue.finish(
        job,
        worker,
        error=failure.get("code") if record.state == FAILED else None,
        retryable=bool(failure.get("retryable")),
    )
    return record, state
