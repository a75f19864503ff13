"""Record what a payer representative confirmed on a phone call."""

from __future__ import annotations

from typing import Any

from verifier.ports import PhoneFacts
from verifier.records import VerificationRecord
from verifier.service import VerificationService
from verifier.services.staff import Staff


def record_call(
    records: VerificationService,
    calls: PhoneFacts,
    verification_id: str,
    facts: dict[str, Any],
    by: Staff,
) -> VerificationRecord:
    """Store validated phone `facts` (see schemas.record.PhoneFactSchema) against a verification,
    with who recorded them and when; returns the verification. Raises NotFound."""
    record = records.get(verification_id)
    calls.add(record.id, facts, by.id, by.name, records.clock())
    return record
