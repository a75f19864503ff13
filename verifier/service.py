"""Use cases: verify a member's benefits, read and list verifications."""

from __future__ import annotations

import hashlib
import json
import logging
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as StillWaiting
from contextvars import copy_context
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from typing import Any, Protocol

from adapters.base import (
    PayerAdapter,
    PayerError,
    PayerProtocolError,
    PayerResponse,
    PayerTimeout,
)
from adapters.directory import PayerDirectory, PayerSettings
from verifier.domain.changes import Change, detect_changes
from verifier.domain.coverage import carve_out_administrator, interpret
from verifier.domain.determination import as_json
from verifier.domain.merge import merge_answers
from verifier.domain.request import VerificationRequest, person_asked_about
from verifier.ports import ChangeLog, Idempotency, JobQueue, UnitOfWork
from verifier.records import (
    COMPLETE,
    FAILED,
    RecordPage,
    RecordQuery,
    VerificationRecord,
    VerificationRepository,
)

log = logging.getLogger(__name__)


class UnknownPayer(LookupError):
    """The caller named a payer the directory does not know."""


class NotFound(LookupError):
    """No verification has that id."""


class IdempotencyConflict(ValueError):
    """An Idempotency-Key already used with a different request body."""


def body_hash(body: Any) -> str:
    """What identifies a request body for idempotency: the same JSON, whatever its key order."""
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Claim:
    """An Idempotency-Key as a request claims it: whose (an API key id), which, for what body."""

    caller: str
    key: str
    body_hash: str


class Metrics(Protocol):
    def payer_call(self, payer_id: str, outcome: str, seconds: float) -> None: ...

    def verification(self, payer_id: str, outcome: str) -> None: ...


class NoMetrics:
    def payer_call(self, payer_id: str, outcome: str, seconds: float) -> None:
        pass

    def verification(self, payer_id: str, outcome: str) -> None:
        pass


@dataclass
class VerificationService:
    repository: VerificationRepository
    directory: PayerDirectory
    adapter_for: Callable[[PayerSettings], PayerAdapter]
    metrics: Metrics
    queue: JobQueue
    changes: ChangeLog
    idempotency: Idempotency
    # A new unit of work: writes that belong together (a verification and its job, a record's
    # outcome and its change events) commit together or not at all.
    unit: Callable[[], UnitOfWork]
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    new_id: Callable[[], str] = lambda: uuid.uuid4().hex
    # How long a synchronous verification waits for its payers before it ends as a failed
    # `timeout`. A payer that hangs through every retry can hold a call for minutes, longer
    # than a web server lets a request run (gunicorn kills the worker, losing the answer).
    answer_within: float | None = None
    # Where the payer calls of synchronous verifications run, so the request can stop waiting;
    # a call given up on finishes (bounded by the adapter's own timeouts) and is ignored.
    _calls: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=32, thread_name_prefix="payer"),
        repr=False,
    )
    # Where a verification the caller stopped waiting for (`verify_within`) goes on.
    _background: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=8, thread_name_prefix="answer"),
        repr=False,
    )

    def payer(self, payer_id: str) -> PayerSettings:
        payer = self.directory.get(payer_id)
        if payer is None:
            raise UnknownPayer(payer_id)
        return payer

    def submit(
        self,
        request: VerificationRequest,
        body: dict[str, Any],
        *,
        asynchronous: bool = False,
        callback_url: str | None = None,
        caller: str | None = None,
        idempotency_key: str | None = None,
    ) -> tuple[VerificationRecord, bool]:
        """Verify now, or queue it (`asynchronous`); with an `idempotency_key` from a `caller`
        (an API key id), the same key and body again return the first verification without a
        second payer call. The key is claimed in the same unit of work that stores the pending
        verification, so two concurrent requests with one key make one verification. Returns
        the record and whether it is such a replay. Raises IdempotencyConflict (the key was
        used with another body) and UnknownPayer."""
        claim = None
        if caller and idempotency_key:
            claim = Claim(caller, idempotency_key, body_hash(body))
            if self.idempotency.get(caller, idempotency_key) is not None:
                return self._replay(claim), True
        if asynchronous:
            return self._queue(request, body, source="api", callback_url=callback_url, claim=claim)
        record, payer, replayed = self._stored_pending(request, body, claim)
        if not replayed:
            self.complete(record, request, payer, first_attempt=True, within=self.answer_within)
        return record, replayed

    def _replay(self, claim: Claim) -> VerificationRecord:
        """The verification an earlier request made with this idempotency key."""
        earlier = self.idempotency.get(claim.caller, claim.key)
        if earlier is None:
            raise RuntimeError("an idempotency key was claimed but is not stored")
        if earlier[0] != claim.body_hash:
            raise IdempotencyConflict(claim.key)
        return self.get(earlier[1])

    def _remember(self, idempotency: Idempotency, claim: Claim | None, record_id: str) -> bool:
        """Claim the key for `record_id`; False when a concurrent request claimed it first."""
        if claim is None:
            return True
        return idempotency.remember(
            claim.caller, claim.key, claim.body_hash, record_id, self.clock()
        )

    def verify(self, request: VerificationRequest, body: dict[str, Any]) -> VerificationRecord:
        """Store the request as pending, ask the payer, store what it meant. Never loses the
        request: a payer failure ends as a failed record with a reason. Raises UnknownPayer."""
        record, payer, _ = self._stored_pending(request, body)
        self.complete(record, request, payer, first_attempt=True, within=self.answer_within)
        return record

    def verify_within(
        self, request: VerificationRequest, body: dict[str, Any], wait: float
    ) -> VerificationRecord:
        """`verify`, but the caller waits at most `wait` seconds: a slower payer's answer is
        stored when it lands, and the record returned meanwhile is still pending. (A process
        that stops before then leaves it pending; verify again.) Raises UnknownPayer."""
        record, payer, _ = self._stored_pending(request, body)
        asked = replace(record)  # what the caller sees if it stops waiting
        call = self._background.submit(
            copy_context().run,
            partial(self.complete, first_attempt=True, within=self.answer_within),
            record,
            request,
            payer,
        )
        try:
            call.result(timeout=wait)
        except StillWaiting:
            return asked
        return record

    def enqueue(
        self,
        request: VerificationRequest,
        body: dict[str, Any],
        *,
        source: str = "api",
        callback_url: str | None = None,
    ) -> VerificationRecord:
        """Store a pending verification and queue it for a worker, in one unit of work. When
        the same person (the subscriber, the patient and the date of service) already has one
        queued with this payer, return that one instead; anyone else on the member id gets
        their own. Raises UnknownPayer."""
        record, _ = self._queue(request, body, source=source, callback_url=callback_url)
        return record

    def _queue(
        self,
        request: VerificationRequest,
        body: dict[str, Any],
        *,
        source: str,
        callback_url: str | None,
        claim: Claim | None = None,
    ) -> tuple[VerificationRecord, bool]:
        """`enqueue`, claiming an idempotency key with it; returns the record and whether it
        is an earlier request's (a replay)."""
        payer = self.payer(request.payer_id)
        person = person_asked_about(request)
        # The open job found after a refused insert can finish before we read it; then the
        # next insert succeeds. Three tries is more than that race can take.
        for _ in range(3):
            record = self._pending(request, payer, body)
            with self.unit() as unit:
                unit.verifications.add(record)
                job = unit.jobs.add(
                    record,
                    job_id=self.new_id(),
                    source=source,
                    person=person,
                    callback_url=callback_url,
                )
                if job is not None and self._remember(unit.idempotency, claim, record.id):
                    unit.commit()
                    return record, False
            if job is not None and claim is not None:
                return self._replay(claim), True  # a concurrent request took the key
            # Folded into the person's open job: nothing of ours was stored.
            open_job = self.queue.open_job(record.member_id, payer.id, person)
            if open_job is None:
                continue
            if claim is not None and not self._remember(
                self.idempotency, claim, open_job.verification_id
            ):
                return self._replay(claim), True
            return self.get(open_job.verification_id), False
        raise RuntimeError("the verification could not be queued")

    def _stored_pending(
        self, request: VerificationRequest, body: dict[str, Any], claim: Claim | None = None
    ) -> tuple[VerificationRecord, PayerSettings, bool]:
        """The request stored as pending, before any payer is asked, with the idempotency key
        claimed for it; or, when a concurrent request claimed the key first, that request's
        verification (and True). Raises UnknownPayer."""
        payer = self.payer(request.payer_id)
        record = self._pending(request, payer, body)
        if claim is None:
            self.repository.add(record)  # one statement: no unit of work to pay for
            return record, payer, False
        with self.unit() as unit:
            unit.verifications.add(record)
            if self._remember(unit.idempotency, claim, record.id):
                unit.commit()
                return record, payer, False
        return self._replay(claim), payer, True

    def _pending(
        self, request: VerificationRequest, payer: PayerSettings, body: dict[str, Any]
    ) -> VerificationRecord:
        """A new record of what was asked, before any payer has answered."""
        return VerificationRecord(
            id=self.new_id(),
            payer_id=payer.id,
            member_id=request.subscriber.member_id,
            request=body,
            created_at=self.clock(),
        )

    def complete(
        self,
        record: VerificationRecord,
        request: VerificationRequest,
        payer: PayerSettings,
        *,
        first_attempt: bool = False,
        within: float | None = None,
    ) -> None:
        """Call the payer for a stored pending record and save the outcome. A `first_attempt`
        is a record no earlier attempt can have written change events for; `within` seconds,
        when given, is how long to wait for the payers."""
        started = time.perf_counter()
        try:
            self._read(record, self._ask(request, payer, within))
            outcome = record.status or COMPLETE
        except PayerError as error:
            record.state, outcome = FAILED, error.code
            record.error = {
                "code": error.code,
                "message": error.message,
                "retryable": error.retryable,
            }
            if isinstance(error, PayerProtocolError) and error.raw is not None:
                # A final answer nobody could read: support needs what the payer sent.
                record.raw_response, record.response_format = error.raw, error.format
        except Exception as error:  # the record must still end stored, whatever broke
            # No traceback: exception texts from libraries may quote the member's data.
            log.error("verification %s failed unexpectedly: %s", record.id, type(error).__name__)
            record.state, outcome = FAILED, "internal_error"
            record.error = {
                "code": "internal_error",
                "message": f"The verification could not be completed ({type(error).__name__}).",
                "retryable": True,
            }
        self.metrics.payer_call(payer.id, outcome, time.perf_counter() - started)
        self.metrics.verification(payer.id, outcome)
        record.completed_at = self.clock()
        found = self._changes(record, first_attempt) if record.state == COMPLETE else None
        if found is None:
            self.repository.save(record)  # one statement: no unit of work to pay for
            return
        previous_id, changes = found
        # The outcome and the changes it shows are one fact: stored together or not at all.
        with self.unit() as unit:
            unit.verifications.save(record)
            unit.changes.replace(
                record.id, previous_id, record.member_id, record.payer_id, changes, self.clock()
            )
            unit.commit()

    def _ask(
        self, request: VerificationRequest, payer: PayerSettings, within: float | None
    ) -> PayerResponse:
        if within is None:
            return self._ask_payers(request, payer)
        # A copy of the context per call, so the call's log lines keep the request's id.
        call = self._calls.submit(copy_context().run, self._ask_payers, request, payer)
        try:
            return call.result(timeout=within)
        except StillWaiting:
            raise PayerTimeout(
                f"the payer did not answer within {within:g} seconds; verify again later, or "
                "ask in async mode to have the service keep trying"
            ) from None

    def _ask_payers(self, request: VerificationRequest, payer: PayerSettings) -> PayerResponse:
        response = self.adapter_for(payer).check(request)
        return self._with_carve_out(request, payer, response)

    def _changes(
        self, record: VerificationRecord, first_attempt: bool
    ) -> tuple[str, list[Change]] | None:
        """The member's previous complete verification with this payer and what changed since,
        to store as the record's change events; None when there is nothing to store. Events
        are replaced, not added, so a job run again after a crash does not duplicate them; a
        `first_attempt` with no change has none to replace. Read before the outcome's unit of
        work opens: decrypting and comparing under it would hold SQLite's write lock."""
        if record.determination is None:
            return None
        previous = self.repository.previous_complete(record)
        if previous is None:
            return None
        previous_id, previous_determination = previous
        found = detect_changes(previous_determination, record.determination)
        if not found and first_attempt:
            return None
        return previous_id, found

    def _with_carve_out(
        self, request: VerificationRequest, payer: PayerSettings, response: PayerResponse
    ) -> PayerResponse:
        """When the answer names a behavioral-health administrator the directory knows, ask it
        too and merge, so staff see who administers what. Its failure keeps the first answer."""
        if not response.answers:
            return response
        admin = carve_out_administrator(response.answers[0])
        target = None
        if admin is not None:
            target = self.directory.get(admin.id or "") or self.directory.get(admin.name or "")
        if target is None or target.id == payer.id:
            return response
        try:
            extra = self.adapter_for(target).check(replace(request, payer_id=target.id))
        except PayerError as error:
            log.warning("carve-out verification with %s failed: %s", target.id, error.code)
            return response
        if not extra.answers:
            return response
        merged = merge_answers([(payer.id, response.answers[0]), (target.id, extra.answers[0])])
        raw = json.dumps(
            [
                {"payer_id": payer.id, "format": response.format, "raw": response.raw},
                {"payer_id": target.id, "format": extra.format, "raw": extra.raw},
            ]
        )
        return PayerResponse(raw=raw, format="bundle", answers=[merged])

    def _read(self, record: VerificationRecord, response: PayerResponse) -> None:
        record.raw_response, record.response_format = response.raw, response.format
        if not response.answers:
            raise PayerError("the payer's answer held no member")
        determination = interpret(merge_answers([(None, response.answers[0])]))
        record.determination = as_json(determination)
        record.summary = determination.summary
        record.status = determination.status
        record.state = COMPLETE
        # 42 CFR Part 2: a record that speaks to substance-use benefits is tagged as such.
        record.concerns_substance_use = any(
            determination.levels_of_care[name].evidence
            for name in ("iop_substance_use", "php_substance_use")
        )

    def get(self, record_id: str) -> VerificationRecord:
        record = self.repository.get(record_id)
        if record is None:
            raise NotFound(record_id)
        return record

    def find(self, query: RecordQuery) -> RecordPage:
        return self.repository.find(query)
