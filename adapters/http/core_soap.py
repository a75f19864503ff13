"""The `core-soap` adapter: a 270 to a CAQH CORE real-time endpoint, the 271 read back out."""

from __future__ import annotations

import itertools
import os
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx

from adapters.directory import PayerSettings
from adapters.http.adapters import X12HttpAdapter
from adapters.http.client import PayerHttp, check_status
from adapters.http.core_envelope import (
    CoreRequest,
    read_response,
    request_envelope,
    soap_fault,
)
from adapters.http.oauth import CredentialsRefused
from verifier.domain.request import VerificationRequest

__all__ = ["CoreSoapAdapter"]

_control = itertools.count(int(time.time()) % 100_000_000 + 1)


def read_core(response: httpx.Response) -> str:
    """The 271 (or 999) text in a CORE response. Raises PayerError: a Receiver fault, a 5xx
    and a garbled body are retryable; a Sender fault or an envelope error is not."""
    if (fault := soap_fault(response.content)) is not None:
        raise fault
    check_status(response)
    return read_response(response.content).payload


class CoreSoapAdapter(X12HttpAdapter):
    """One CORE real-time request per service type; the answer is read like any 271."""

    def __init__(self, settings: PayerSettings, http: PayerHttp, retry_pause: float = 1.0) -> None:
        super().__init__(settings, http, retry_pause)
        extra = settings.extra
        self.sender_id, self.receiver_id = str(extra["sender_id"]), str(extra["receiver_id"])
        self.username_env, self.password_env = extra["username_env"], extra["password_env"]
        self.action = str(extra.get("soap_action", "RealTimeTransaction"))

    def inquire(self, request: VerificationRequest, service_type: str) -> tuple[str, Any]:
        from adapters.x12.writer import write_270

        inquiry = write_270(
            request,
            self.settings,
            control_number=next(_control) % 999_999_999 + 1,
            service_type=service_type,
            sender_id=self.sender_id,
        )
        core = CoreRequest(
            payload_id=str(uuid.uuid4()),
            # Whole seconds: receivers have refused finer ones (TimeStampIllegal).
            timestamp=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            sender_id=self.sender_id,
            receiver_id=self.receiver_id,
            payload=inquiry,
        )
        envelope = request_envelope(core, *self._credentials())
        content_type = f'application/soap+xml; charset=utf-8; action="{self.action}"'
        text: str = self.http.call(
            "POST",
            str(self.settings.base_url),
            read_core,
            content=envelope,
            headers={"Content-Type": content_type},
        )
        return text, text

    def _credentials(self) -> tuple[str, str]:
        username, password = os.environ.get(self.username_env), os.environ.get(self.password_env)
        if not username or not password:
            raise CredentialsRefused(
                f"set {self.username_env} and {self.password_env} for payer {self.settings.id}"
            )
        return username, password
