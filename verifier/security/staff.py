"""Staff who sign in to the console through an identity provider: which console scopes the
values of one of its claims (groups, roles) give them. Pure: no Flask, no HTTP.

The mapping is written `value=scope scope;value=scope`, for example
`admissions=verifications:read verifications:write;admins=admin`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

CONSOLE_SCOPES = ("verifications:read", "verifications:write", "admin")
SCOPE_MAP_FORMAT = "value=scope scope;value=scope (scopes: " + ", ".join(CONSOLE_SCOPES) + ")"

ScopeMap = Mapping[str, tuple[str, ...]]


class ScopeMapError(ValueError):
    """A scope map that cannot be read; the message says which entry and why."""


def parse_scope_map(text: str) -> dict[str, tuple[str, ...]]:
    """`value=scope scope;value=scope` as {value: scopes}. Raises ScopeMapError on an entry
    without `=`, an empty value, no scopes, or a scope the console does not know."""
    mapping: dict[str, tuple[str, ...]] = {}
    for entry in (part.strip() for part in text.split(";")):
        if not entry:
            continue
        value, equals, scopes = (part.strip() for part in entry.partition("="))
        if not equals or not value or not scopes.split():
            raise ScopeMapError(f'"{entry}" is not value=scope')
        unknown = [scope for scope in scopes.split() if scope not in CONSOLE_SCOPES]
        if unknown:
            raise ScopeMapError(f'"{unknown[0]}" is not a console scope')
        mapping[value] = tuple(dict.fromkeys(mapping.get(value, ()) + tuple(scopes.split())))
    if not mapping:
        raise ScopeMapError("no entries")
    return mapping


def claim_values(claims: Mapping[str, Any], claim: str) -> tuple[str, ...]:
    """The values of `claim` (a dotted path such as `realm_access.roles` reaches into objects):
    a list of strings, or one string of values separated by spaces or commas."""
    found: Any = claims
    for part in claim.split("."):
        found = found.get(part) if isinstance(found, Mapping) else None
    if isinstance(found, str):
        return tuple(found.replace(",", " ").split())
    if isinstance(found, list | tuple):
        return tuple(str(item) for item in found if isinstance(item, str | int))
    return ()


def scopes_for(values: tuple[str, ...], mapping: ScopeMap) -> tuple[str, ...]:
    """Every console scope any of `values` maps to, in the console's order; unmapped values
    give nothing."""
    granted = {scope for value in values for scope in mapping.get(value, ())}
    return tuple(scope for scope in CONSOLE_SCOPES if scope in granted)


@dataclass(frozen=True, slots=True)
class StaffMember:
    """A person signed in through the identity provider, as the console and the audit trail
    know them: `subject` is the provider's stable id for them."""

    subject: str
    email: str | None
    name: str
    scopes: tuple[str, ...]

    def allows(self, scope: str) -> bool:
        return "admin" in self.scopes or scope in self.scopes
