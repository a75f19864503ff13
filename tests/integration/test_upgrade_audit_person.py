"""A database the previous release wrote (revision 0007), with audit rows made by API keys,
upgraded so the audit trail can name the person who signed in."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text

from verifier.ports import AuditQuery
from verifier.security.protector import load_protector
from verifier.store.engine import make_engine, make_session_factory
from verifier.store.migrate import current, head, upgrade
from verifier.store.security import SqlAuditLog

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
# The audit row as revision 0007 wrote it: a key, no person.
OLD_EVENT = text(
    "INSERT INTO audit_events (id, at, key_id, action, resource, resource_id, route, method, "
    "status_code) VALUES ('e-old', :at, 'k_0123456789abcdef', 'read', 'verification', 'v-1', "
    "'/console/verifications/<verification_id>', 'GET', 200)"
)


def test_rows_from_before_keep_their_key_and_new_rows_name_the_person(database_url: str) -> None:
    upgrade(database_url, "0007")
    engine = make_engine(database_url, load_protector())
    with engine.begin() as connection:
        connection.execute(OLD_EVENT, {"at": T0})
    upgrade(database_url)
    assert current(database_url) == head()
    log = SqlAuditLog(make_session_factory(engine))
    log.append(
        at=T0.replace(hour=10),
        key_id=None,
        subject="staff-7f3a91",
        email="dana.whitfield@harbor-light.example",
        action="read",
        resource="verification",
        resource_id="v-1",
        route="/console/verifications/<verification_id>",
        method="GET",
        status_code=200,
    )
    rows, total = log.find(AuditQuery(resource_id="v-1"))
    assert total == 2
    people = [(row["key_id"], row["subject"], row["email"]) for row in rows]
    assert people == [
        (None, "staff-7f3a91", "dana.whitfield@harbor-light.example"),
        ("k_0123456789abcdef", None, None),
    ]
    mine, _ = log.find(AuditQuery(subject="staff-7f3a91"))
    assert [row["id"] for row in mine] != ["e-old"] and len(mine) == 1
    engine.dispose()
