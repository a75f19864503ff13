"""Creating, listing and revoking API keys, on the in-memory key store the composition root
wires: a created key works, a revoked one stops at once, and a token is never kept."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.unit.wiring import NOW, in_memory
from verifier.security.keys import KeyRequestError
from verifier.services.keys import NoActiveKey, create_key, first_key, list_keys, revoke_key

READ, WRITE = "verifications:read", "verifications:write"


def test_a_created_key_is_stored_and_its_token_finds_it() -> None:
    services = in_memory()
    fresh = create_key(services.keys, services.service.clock, " admissions CRM ", [READ, WRITE])
    found = services.keys.by_token(fresh.token)
    assert found is not None and found.id == fresh.key.id
    assert (found.name, found.scopes, found.created_at) == ("admissions CRM", (READ, WRITE), NOW)
    assert [key.id for key in list_keys(services.keys)] == [fresh.key.id]


def test_an_intake_key_keeps_the_sites_it_may_post_from() -> None:
    services = in_memory()
    sites = ["https://www.example-recovery.org"]
    fresh = create_key(services.keys, services.service.clock, "form", ["intake:submit"], sites)
    [listed] = list_keys(services.keys)
    assert listed.allowed_origins == tuple(sites) and listed.id == fresh.key.id


@pytest.mark.parametrize(("name", "scopes"), [("CRM", ["root"]), (" ", [READ]), ("CRM", [])])
def test_a_key_that_cannot_be_made_is_refused_and_nothing_is_stored(
    name: str, scopes: list[str]
) -> None:
    services = in_memory()
    with pytest.raises(KeyRequestError):
        create_key(services.keys, services.service.clock, name, scopes)
    assert list_keys(services.keys) == []


def test_a_revoked_key_is_listed_as_revoked_and_its_token_stops_working() -> None:
    services = in_memory()
    kept = create_key(services.keys, services.service.clock, "kept", [READ])
    gone = create_key(services.keys, services.service.clock, "gone", [READ])
    revoke_key(services.keys, services.service.clock, gone.key.id)
    listed = {key.id: key.revoked_at for key in list_keys(services.keys)}
    assert listed == {kept.key.id: None, gone.key.id: NOW}
    assert services.keys.by_token(gone.token) is None
    assert services.keys.by_token(kept.token) is not None


def test_revoking_an_unknown_or_already_revoked_key_says_no_active_key_has_it() -> None:
    services = in_memory()
    fresh = create_key(services.keys, services.service.clock, "CRM", [READ])
    revoke_key(services.keys, services.service.clock, fresh.key.id)
    with pytest.raises(NoActiveKey):
        revoke_key(services.keys, services.service.clock, fresh.key.id)
    with pytest.raises(NoActiveKey):
        revoke_key(services.keys, services.service.clock, "k_unknown")


def test_keys_are_listed_oldest_first() -> None:
    services = in_memory()
    later = create_key(services.keys, lambda: NOW + timedelta(days=1), "later", [READ])
    earlier = create_key(services.keys, lambda: NOW, "earlier", [READ])
    assert [key.id for key in list_keys(services.keys)] == [earlier.key.id, later.key.id]


def test_the_first_key_is_made_only_while_there_is_no_key_at_all() -> None:
    services = in_memory()
    made = first_key(services.keys, services.service.clock, "development", ["admin"])
    assert made is not None and services.keys.by_token(made.token) is not None
    revoke_key(services.keys, services.service.clock, made.key.id)
    # A revoked key is still a key an operator made: no second one appears.
    assert first_key(services.keys, services.service.clock, "development", ["admin"]) is None
    assert len(list_keys(services.keys)) == 1
