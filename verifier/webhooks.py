"""Signed completion webhooks: the verification id and status only, never member data."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time

import httpx
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential_jitter

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Verifier-Signature"
TIMESTAMP_HEADER = "X-Verifier-Timestamp"


class WebhookFailed(Exception):
    """The receiver did not accept the webhook (transport error or 5xx)."""


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 over "<timestamp>.<body>", hex, as sent in the signature header."""
    message = timestamp.encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def send_webhook(
    client: httpx.Client,
    url: str,
    secret: str,
    verification_id: str,
    state: str,
    status: str | None,
    attempts: int = 4,
    initial_wait: float = 1.0,
) -> bool:
    """POST the signed event, retrying with backoff; True when the receiver answered 2xx-4xx."""
    body = json.dumps(
        {"verification_id": verification_id, "state": state, "status": status},
        separators=(",", ":"),
    ).encode()

    def once() -> None:
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: signature(secret, timestamp, body),
        }
        try:
            response = client.post(url, content=body, headers=headers, timeout=10.0)
        except httpx.HTTPError as error:
            raise WebhookFailed(type(error).__name__) from error
        if response.status_code >= 500:
            raise WebhookFailed(f"HTTP {response.status_code}")

    retrying = Retrying(
        stop=stop_after_attempt(attempts),
        wait=wait_exponential_jitter(multiplier=initial_wait, max=60),
        retry=retry_if_exception_type(WebhookFailed),
        reraise=True,
    )
    try:
        retrying(once)
    except WebhookFailed as error:
        log.warning("webhook for verification %s not delivered: %s", verification_id, error)
        return False
    return True
