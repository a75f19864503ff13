"""Who verified, as a VOB names them: read from the audit trail the API and the console write."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.unit.wiring import NOW, in_memory
from verifier.bootstrap import Services
from verifier.security.keys import new_key
from verifier.services.audit_trail import who_verified


def created(services: Services, verification_id: str, **who: Any) -> None:
    """An entry as the API (key_id) or the console (subject and email) writes for a create."""
    services.audit.append(
        at=NOW,
        key_id=who.get("key_id"),
        subject=who.get("subject"),
        email=who.get("email"),
        action="create",
        resource="verification",
        resource_id=verification_id,
        route="/v1/verifications",
        method="POST",
        status_code=201,
    )


def test_a_person_signed_in_as_themselves_is_named_by_their_email() -> None:
    services = in_memory()
    created(services, "v1", subject="sub-dana", email="dana@example.org")
    assert who_verified(services.audit, services.keys, "v1") == "dana@example.org"


def test_a_key_that_asked_is_named_by_its_name() -> None:
    services = in_memory()
    crm = new_key("admissions CRM", ["verifications:write"], [], NOW)
    services.keys.add(crm)
    created(services, "v1", key_id=crm.key.id)
    assert who_verified(services.audit, services.keys, "v1") == "admissions CRM"


def test_the_first_to_create_it_is_named_not_a_later_one() -> None:
    services = in_memory()
    created(services, "v1", email="dana@example.org")
    created(services, "v1", email="sam@example.org")
    assert who_verified(services.audit, services.keys, "v1") == "dana@example.org"


def test_nobody_is_named_when_no_create_of_it_names_a_person_or_a_key() -> None:
    services = in_memory()
    created(services, "v1")  # no key and no person: a create refused for want of a key
    created(services, "v2", email="dana@example.org")  # another verification
    services.audit.append(
        at=NOW + timedelta(minutes=1),
        email="sam@example.org",
        action="read",
        resource="verification",
        resource_id="v1",
    )
    assert who_verified(services.audit, services.keys, "v1") is None
