"""The intake queue in the database: intake submissions with their follow-up status."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, insert, literal, select
from sqlalchemy.orm import Session, sessionmaker

from verifier.ports import IntakeItem
from verifier.store.engine import transaction
from verifier.store.repository import from_row
from verifier.store.tables import intake_follow_ups as f
from verifier.store.tables import jobs, verifications

INTAKE = "intake"
_status = func.coalesce(f.c.status, literal("new"))
_SUBMISSIONS = verifications.join(
    jobs, and_(jobs.c.verification_id == verifications.c.id, jobs.c.source == INTAKE)
).outerjoin(f, f.c.verification_id == verifications.c.id)


class SqlIntakeQueue:
    """Lists intake submissions newest first and records staff's follow-up of each."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._sessions = session_factory

    def find(self, status: str | None, limit: int, offset: int) -> tuple[list[IntakeItem], int]:
        """Submissions with this follow-up status (any when None), and how many there are."""
        where = [_status == status] if status else []
        page = (
            select(
                verifications,
                _status.label("follow_up_status"),
                f.c.changed_at.label("follow_up_at"),
                f.c.changed_by_name.label("follow_up_by"),
            )
            .select_from(_SUBMISSIONS)
            .where(*where)
            .order_by(verifications.c.created_at.desc(), verifications.c.id.desc())
            .limit(limit)
            .offset(offset)
        )
        count = select(func.count()).select_from(_SUBMISSIONS).where(*where)
        with transaction(self._sessions) as connection:
            rows = connection.execute(page).mappings().all()
            total = connection.execute(count).scalar_one()
        return [_item(row) for row in rows], int(total)

    def mark(
        self, verification_id: str, status: str, by: str | None, by_name: str | None, at: datetime
    ) -> bool:
        """Set a submission's follow-up status; False when no intake submission has this id."""
        submitted = select(jobs.c.id).where(
            jobs.c.verification_id == verification_id, jobs.c.source == INTAKE
        )
        row = {
            "verification_id": verification_id,
            "status": status,
            "changed_at": at,
            "changed_by": by,
            "changed_by_name": by_name,
        }
        with transaction(self._sessions) as connection:
            if connection.execute(submitted).first() is None:
                return False
            # Delete and insert rather than an upsert: the same statements on both databases.
            connection.execute(delete(f).where(f.c.verification_id == verification_id))
            connection.execute(insert(f).values(**row))
        return True


def _item(row: Any) -> IntakeItem:
    return IntakeItem(
        record=from_row(row),
        status=str(row["follow_up_status"]),
        changed_at=row["follow_up_at"],
        changed_by=row["follow_up_by"],
    )
