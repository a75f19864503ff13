"""A database at the revision before (0008_audit_person), with intake submissions in it,
upgraded to follow up intake: the submissions are new, and staff can mark them."""

from __future__ import annotations

from datetime import UTC, datetime

from verifier.records import VerificationRecord
from verifier.security.protector import load_protector
from verifier.store.engine import make_engine, make_session_factory
from verifier.store.intake import SqlIntakeQueue
from verifier.store.migrate import current, head, upgrade
from verifier.store.queue import SqlJobQueue
from verifier.store.repository import SqlVerificationRepository

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def submitted(record_id: str, source: str) -> VerificationRecord:
    body = {"payer_id": "MOCK", "subscriber": {"member_id": f"M-{record_id}"}, "consent": True}
    return VerificationRecord(
        id=record_id, payer_id="MOCK", member_id=f"M-{record_id}", request=body, created_at=T0
    )


def test_submissions_made_before_the_upgrade_are_new_and_can_be_marked(
    database_url: str,
) -> None:
    upgrade(database_url, "0008_audit_person")
    engine = make_engine(database_url, load_protector())
    sessions = make_session_factory(engine)
    queue = SqlJobQueue(sessions, clock=lambda: T0)
    records = SqlVerificationRepository(sessions)
    for record_id, source in (("v-intake", "intake"), ("v-api", "api")):
        records.add(submitted(record_id, source))
        queue.add(
            submitted(record_id, source), job_id=f"j-{record_id}", source=source, person=record_id
        )
    upgrade(database_url)
    assert current(database_url) == head() == "0009"
    intake = SqlIntakeQueue(sessions)
    items, total = intake.find("new", limit=10, offset=0)
    assert total == 1 and [item.record.id for item in items] == ["v-intake"]
    assert intake.mark("v-intake", "contacted", "key-1", "Dana", T0)
    assert not intake.mark("v-api", "contacted", "key-1", "Dana", T0)  # not an intake
    [item], _ = intake.find("contacted", limit=10, offset=0)
    assert (item.status, item.changed_by, item.changed_at) == ("contacted", "Dana", T0)
    engine.dispose()
