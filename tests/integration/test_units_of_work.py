"""Units of work on a real database: one transaction across the stores, kept only on commit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask

from tests.helpers import at_once, authorize
from verifier.bootstrap import Services
from verifier.records import VerificationRecord
from verifier.store.engine import hold_connections, release_connections

BODY: dict[str, Any] = {
    "payer_id": "MOCK",
    "subscriber": {
        "member_id": "MOCK-IOP-DUAL",
        "first_name": "Jane",
        "last_name": "Doe",
        "date_of_birth": "1985-03-15",
    },
}


def pending(record_id: str) -> VerificationRecord:
    return VerificationRecord(
        id=record_id,
        payer_id="MOCK",
        member_id="M1",
        request=BODY,
        created_at=datetime(2026, 11, 30, 8, 0, tzinfo=UTC),
    )


def services_of(app: Flask) -> Services:
    found: Services = app.extensions["verifier"]
    return found


def queue_in(services: Services, record_id: str, *, commit: bool) -> None:
    """Store a pending verification and its job in one unit, committing or not."""
    with services.service.unit() as unit:
        record = pending(record_id)
        unit.verifications.add(record)
        unit.jobs.add(record, job_id=f"j-{record_id}", source="api", person="P")
        if commit:
            unit.commit()


def test_a_unit_keeps_nothing_unless_committed(make_app: Callable[..., Flask]) -> None:
    services = services_of(make_app())
    queue_in(services, "v-dropped", commit=False)
    assert services.repository.get("v-dropped") is None
    assert services.queue.get("j-v-dropped") is None
    queue_in(services, "v-kept", commit=True)
    assert services.repository.get("v-kept") is not None
    assert services.queue.for_verification("v-kept") is not None


def test_an_exception_in_a_unit_rolls_back_everything_it_wrote(
    make_app: Callable[..., Flask],
) -> None:
    services = services_of(make_app())
    with pytest.raises(RuntimeError), services.service.unit() as unit:
        record = pending("v1")
        unit.verifications.add(record)
        unit.jobs.add(record, job_id="j1", source="api", person="P")
        raise RuntimeError("something after the writes broke")
    assert services.repository.get("v1") is None
    assert services.queue.counts() == {}


def test_a_unit_in_a_request_uses_its_held_connection_and_leaves_it_working(
    make_app: Callable[..., Flask],
) -> None:
    services = services_of(make_app())
    hold_connections()
    try:
        queue_in(services, "v-dropped", commit=False)
        queue_in(services, "v-kept", commit=True)
        services.repository.add(pending("v-after"))  # on the held connection, autocommit
    finally:
        release_connections()
    assert services.repository.get("v-dropped") is None
    assert services.repository.get("v-kept") is not None
    assert services.repository.get("v-after") is not None


def test_writes_after_a_commit_stand_on_their_own(make_app: Callable[..., Flask]) -> None:
    services = services_of(make_app())
    with services.service.unit() as unit:
        unit.verifications.add(pending("v1"))
        unit.commit()
        services.repository.add(pending("v2"))
    assert services.repository.get("v2") is not None


def test_units_do_not_nest_on_one_thread(make_app: Callable[..., Flask]) -> None:
    services = services_of(make_app())
    with services.service.unit() as unit:
        unit.verifications.add(pending("v1"))
        with pytest.raises(RuntimeError, match="already open"), services.service.unit():
            pass
        unit.commit()
    assert services.repository.get("v1") is not None


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_concurrent_requests_with_one_idempotency_key_make_one_verification(
    make_app: Callable[..., Flask], mode: str
) -> None:
    # Two app instances stand for two server processes, one API key used on both.
    apps = [make_app(MOCK_TIMEOUT_SECONDS=0.01), make_app(MOCK_TIMEOUT_SECONDS=0.01)]
    clients = [apps[0].test_client(), apps[1].test_client()]
    token = authorize(clients[0])
    clients[1].environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    for round_number in range(5):
        headers = {"Idempotency-Key": f"intake-{mode}-{round_number}"}
        body = {**BODY, "mode": mode, "service_date": f"2026-12-{10 + round_number:02d}"}
        answers = at_once(
            [
                lambda c=c, b=body, h=headers: c.post(
                    "/v1/verifications", json=b, headers=h
                ).get_json()
                for c in clients
            ]
        )
        assert answers[0]["id"] == answers[1]["id"], answers
    listed = clients[0].get("/v1/verifications?limit=50").get_json()
    assert listed["total"] == 5
