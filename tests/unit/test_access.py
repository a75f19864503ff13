"""Who a token is and what it may do, on the in-memory key store: the one rule the API and the
console's key sign-in both apply."""

from __future__ import annotations

import pytest

from tests.unit.wiring import in_memory
from verifier.bootstrap import Services
from verifier.security.keys import NewKey
from verifier.services.access import (
    MissingScope,
    UnknownKey,
    WrongOrigin,
    authenticate,
    site_may_read,
)
from verifier.services.keys import create_key, revoke_key

READ, WRITE = "verifications:read", "verifications:write"
OURS, THEIRS = "https://www.example-recovery.org", "https://elsewhere.example"


def made(services: Services, *scopes: str, sites: tuple[str, ...] = ()) -> NewKey:
    return create_key(services.keys, services.service.clock, "CRM", scopes, sites)


def test_a_keys_token_finds_the_key_when_it_has_a_scope_needed() -> None:
    services = in_memory()
    reader = made(services, READ)
    assert authenticate(services.keys, reader.token, (WRITE, READ)).id == reader.key.id


def test_an_admin_key_may_do_anything() -> None:
    services = in_memory()
    admin = made(services, "admin")
    assert authenticate(services.keys, admin.token, (WRITE,)).id == admin.key.id


@pytest.mark.parametrize("token", [None, "", "vk_not-a-key"])
def test_no_token_or_an_unknown_one_is_refused_naming_no_key(token: str | None) -> None:
    services = in_memory()
    made(services, "admin")
    with pytest.raises(UnknownKey) as refused:
        authenticate(services.keys, token, (READ,))
    assert refused.value.key is None


def test_a_revoked_keys_token_is_refused_at_once() -> None:
    services = in_memory()
    gone = made(services, READ)
    revoke_key(services.keys, services.service.clock, gone.key.id)
    with pytest.raises(UnknownKey):
        authenticate(services.keys, gone.token, (READ,))


def test_a_key_without_a_scope_needed_is_refused_naming_the_first_scope_and_the_key() -> None:
    services = in_memory()
    reader = made(services, READ)
    with pytest.raises(MissingScope) as refused:
        authenticate(services.keys, reader.token, (WRITE, "intake:submit"))
    assert (refused.value.needed, refused.value.key) == (WRITE, reader.key)


def test_a_key_for_its_own_sites_is_refused_from_another_before_its_scopes_are_read() -> None:
    services = in_memory()
    form = made(services, "intake:submit", sites=(OURS,))
    assert authenticate(services.keys, form.token, ("intake:submit",), OURS).id == form.key.id
    assert authenticate(services.keys, form.token, ("intake:submit",), None).id == form.key.id
    with pytest.raises(WrongOrigin) as refused:
        authenticate(services.keys, form.token, (READ,), THEIRS)
    assert refused.value.key == form.key


def test_a_key_that_names_no_site_may_be_used_from_any() -> None:
    services = in_memory()
    reader = made(services, READ)
    assert authenticate(services.keys, reader.token, (READ,), THEIRS).id == reader.key.id


def test_a_site_may_read_answers_to_its_own_key_or_before_a_key_to_any_active_keys_site() -> None:
    services = in_memory()
    form = made(services, "intake:submit", sites=(OURS,))
    other = made(services, "intake:submit", sites=(THEIRS,))
    assert site_may_read(services.keys, OURS, form.key)
    assert not site_may_read(services.keys, THEIRS, form.key)
    assert site_may_read(services.keys, THEIRS, None)
    revoke_key(services.keys, services.service.clock, other.key.id)
    assert not site_may_read(services.keys, THEIRS, None)
    assert site_may_read(services.keys, OURS, None)
