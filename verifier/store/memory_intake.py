"""The intake queue's follow-ups in memory, beside `verifier/store/memory.py`'s stores."""

from __future__ import annotations

from datetime import datetime

from verifier.ports import IntakeItem, JobQueue
from verifier.records import RecordQuery, VerificationRepository


class MemoryIntakeFollowUps:
    """Intake submissions are the records whose job's source is `intake`, as in SQL."""

    def __init__(self, repository: VerificationRepository, queue: JobQueue) -> None:
        self._repository = repository
        self._queue = queue
        self._marks: dict[str, tuple[str, datetime, str | None]] = {}

    def _submitted(self, verification_id: str) -> bool:
        job = self._queue.for_verification(verification_id)
        return job is not None and job.source == "intake"

    def find(self, status: str | None, limit: int, offset: int) -> tuple[list[IntakeItem], int]:
        records = self._repository.find(RecordQuery(limit=1_000_000)).items  # newest first
        items = []
        for record in records:
            if not self._submitted(record.id):
                continue
            marked = self._marks.get(record.id)
            item = IntakeItem(record, *marked) if marked else IntakeItem(record, "new")
            if status in (None, item.status):
                items.append(item)
        return items[offset : offset + limit], len(items)

    def mark(
        self, verification_id: str, status: str, by: str | None, by_name: str | None, at: datetime
    ) -> bool:
        if not self._submitted(verification_id):
            return False
        self._marks[verification_id] = (status, at, by_name)
        return True
