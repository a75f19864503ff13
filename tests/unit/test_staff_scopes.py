"""Which console scopes a person's groups (or roles) at the identity provider give them."""

from __future__ import annotations

import pytest

from verifier.security.staff import (
    ScopeMapError,
    StaffMember,
    claim_values,
    parse_scope_map,
    scopes_for,
)

READ, WRITE, ADMIN = "verifications:read", "verifications:write", "admin"
MAP = "admissions=verifications:read verifications:write; billing=verifications:read;admins=admin"


def test_a_scope_map_names_each_group_with_its_scopes() -> None:
    assert parse_scope_map(MAP) == {
        "admissions": (READ, WRITE),
        "billing": (READ,),
        "admins": (ADMIN,),
    }


def test_a_group_named_twice_gets_the_scopes_of_both_entries_once() -> None:
    mapping = parse_scope_map("staff=verifications:read;staff=verifications:write admin;")
    assert mapping == {"staff": (READ, WRITE, ADMIN)}


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("admissions", '"admissions" is not value=scope'),
        ("=verifications:read", '"=verifications:read" is not value=scope'),
        ("admissions=", '"admissions=" is not value=scope'),
        ("admissions=verifications:read intake:submit", '"intake:submit" is not a console scope'),
        (" ; ", "no entries"),
    ],
)
def test_a_scope_map_that_cannot_be_read_says_why(text: str, reason: str) -> None:
    with pytest.raises(ScopeMapError, match=reason):
        parse_scope_map(text)


def test_a_person_gets_every_scope_their_groups_map_to() -> None:
    mapping = parse_scope_map(MAP)
    assert scopes_for(("billing", "admissions", "all-staff"), mapping) == (READ, WRITE)
    assert scopes_for(("admins",), mapping) == (ADMIN,)


def test_a_person_whose_groups_map_to_nothing_gets_no_scope() -> None:
    assert scopes_for(("facilities", "all-staff"), parse_scope_map(MAP)) == ()
    assert scopes_for((), parse_scope_map(MAP)) == ()


def test_group_names_are_matched_exactly() -> None:
    assert scopes_for(("Admissions", "admissions-temp"), parse_scope_map(MAP)) == ()


def test_the_claim_may_be_a_list_or_a_string_of_values() -> None:
    assert claim_values({"groups": ["admissions", "all-staff"]}, "groups") == (
        "admissions",
        "all-staff",
    )
    assert claim_values({"roles": "admissions, admins"}, "roles") == ("admissions", "admins")


def test_a_dotted_claim_reaches_into_an_object_as_keycloak_sends_roles() -> None:
    claims = {"realm_access": {"roles": ["admissions", "offline_access"]}}
    assert claim_values(claims, "realm_access.roles") == ("admissions", "offline_access")


def test_a_missing_or_odd_claim_has_no_values() -> None:
    assert claim_values({}, "groups") == ()
    assert claim_values({"groups": {"admissions": True}}, "groups") == ()
    assert claim_values({"realm_access": "admissions"}, "realm_access.roles") == ()


def test_an_administrator_may_do_everything_the_console_offers() -> None:
    admin = StaffMember("s-1", "a@example.org", "Ana", (ADMIN,))
    reader = StaffMember("s-2", "r@example.org", "Rui", (READ,))
    assert admin.allows(READ) and admin.allows(WRITE)
    assert reader.allows(READ) and not reader.allows(WRITE)
