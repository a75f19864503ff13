"""The port every way of reaching a payer implements, and the errors it may raise.

Exception tree (a payer that gave no usable answer; an answer, even a rejection, is not an error):

    PayerError              code, message, retryable
    ├── PayerTimeout        the payer did not answer within the deadline (retryable)
    ├── PayerUnreachable    connection refused, reset, 5xx, throttled (retryable)
    │   └── GarbledAnswer   a 200 that is not the protocol's envelope: not JSON, an HTML page
    │                       from a proxy, a truncated body, no x12 field (retryable)
    ├── CircuitOpen         recent calls failed; not calling now (retryable)
    └── PayerProtocolError  a well-formed envelope holding an answer nothing can read (not
                            retryable: asking again gets the same answer; the raw text is kept)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from verifier.domain.model import PayerAnswer
from verifier.domain.request import VerificationRequest


class PayerError(Exception):
    """No usable answer from the payer. The message is for staff and carries no PHI."""

    code = "payer_error"
    retryable = False

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PayerTimeout(PayerError):
    code, retryable = "timeout", True


class PayerUnreachable(PayerError):
    code, retryable = "payer_unreachable", True


class GarbledAnswer(PayerUnreachable):
    """The gateway's 200 says nothing about the member, so it is a transport failure."""

    code = "garbled_answer"


class CircuitOpen(PayerError):
    code, retryable = "circuit_open", True


class PayerProtocolError(PayerError):
    code, retryable = "unreadable_answer", False

    def __init__(self, message: str, raw: str | None = None, format: str | None = None) -> None:
        super().__init__(message)
        # What the payer sent, for support to read: the answer is final, so it must be kept.
        self.raw, self.format = raw, format


@dataclass(slots=True)
class PayerResponse:
    """What came back: the raw text as received, its format, and what it says."""

    raw: str
    format: str
    answers: list[PayerAnswer] = field(default_factory=list)


class PayerAdapter(Protocol):
    """One way of reaching a payer."""

    def check(self, request: VerificationRequest) -> PayerResponse:
        """Ask the payer about the request's member. Raises PayerError when no answer came."""
        ...
