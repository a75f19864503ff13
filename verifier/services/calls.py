"""Record what a payer representative confirmed on a phone call."""

from __future__ import annotations

from typing import Any, Protocol

from verifier.records import VerificationRecord
from verifier.service import VerificationService
from verifier.services.staff import Staff


class PhoneFactStore(Protocol):
    def add(
        self,
        verification_id: str,
        facts: dict[str, Any],
        by: str | None,
        by_name: str | None,
        now: Any,
    ) -> dict[str, Any]: ...


def record_call(
    records: VerificationService,
    calls: PhoneFactStore,
    verification_id: str,
    facts: dict[str, Any],
    by: Staff,
) -> VerificationRecord:
    """Store validated phone `facts` (see schemas.record.PhoneFactSchema) against a verification,
    with who recorded them and when; returns the verification. Raises NotFound."""
    record = records.get(verification_id)
    calls.add(record.id, facts, by.id, by.name, records.clock())
    return record
