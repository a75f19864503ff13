"""A database the previous release wrote (revision 0006), with a job still open, upgraded to
fold queued checks per person asked about."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import insert, text

from verifier.records import VerificationRecord
from verifier.security.protector import load_protector
from verifier.store.engine import make_engine, make_session_factory
from verifier.store.migrate import current, head, upgrade
from verifier.store.queue import SqlJobQueue
from verifier.store.repository import SqlVerificationRepository, protector, to_row
from verifier.store.tables import verifications

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
# The jobs table as revision 0006 wrote it: no `person` column.
OLD_JOB = text(
    "INSERT INTO jobs (id, verification_id, member_id, payer_id, source, state, attempts, "
    "max_attempts, run_after, created_at) VALUES ('j-old', 'v-old', :member, 'MOCK', 'api', "
    "'queued', 0, 5, :at, :at)"
)


def pending(record_id: str) -> VerificationRecord:
    body = {"payer_id": "MOCK", "subscriber": {"member_id": "FAM-1"}}
    return VerificationRecord(
        id=record_id, payer_id="MOCK", member_id="FAM-1", request=body, created_at=T0
    )


def test_a_job_open_before_the_upgrade_is_kept_and_never_answers_anyone_else(
    database_url: str,
) -> None:
    upgrade(database_url, "0006")
    engine = make_engine(database_url, load_protector())
    sessions = make_session_factory(engine)
    keys = protector(sessions)
    with engine.begin() as connection:
        connection.execute(insert(verifications).values(**to_row(pending("v-old"), keys)))
        connection.execute(OLD_JOB, {"member": keys.index("FAM-1"), "at": T0})
    upgrade(database_url)
    assert current(database_url) == head()
    queue = SqlJobQueue(sessions, clock=lambda: T0)
    SqlVerificationRepository(sessions).add(pending("v-new"))
    job = queue.add(pending("v-new"), job_id="j-new", source="api", person="child")
    assert job is not None and job.verification_id == "v-new"
    assert queue.counts() == {"queued": 2}
    assert {claimed.id for claimed in queue.claim("w", limit=5)} == {"j-old", "j-new"}
    engine.dispose()
