"""Which behavioral inquiries a generic (30) answer leaves worth paying for (adaptive fan-out).

A level of care the generic answer already states (at a procedure or service-type basis: covered,
not covered, or "ask this administrator") needs no second call; a service type is asked only when
some level it speaks for is still unstated. Decided from the normalized rows through `interpret`,
so "stated" means exactly what the determination would say.
"""

from __future__ import annotations

from collections.abc import Sequence

from verifier.domain.coverage import interpret
from verifier.domain.determination import Determination
from verifier.domain.levels import FAMILIES
from verifier.domain.model import PayerAnswer

__all__ = ["follow_up_types", "stated_levels"]

GENERIC = "30"
# The service types each level of care reads; a type outside them speaks for no level.
_LEVELS_BY_TYPE: dict[str, frozenset[str]] = {}
for _name, _family in FAMILIES.items():
    for _stc in _family.service_types:
        _LEVELS_BY_TYPE[_stc] = _LEVELS_BY_TYPE.get(_stc, frozenset()) | {_name}
# Statuses where another inquiry cannot change the answer: the plan is inactive (it covers
# nothing) or the payer rejected the member, which every inquiry about them would repeat.
_SETTLED = frozenset({"inactive", "not_found", "rejected", "payer_unavailable"})


def stated_levels(determination: Determination) -> frozenset[str]:
    """The levels of care a determination states at a procedure or service-type basis."""
    return frozenset(
        name
        for name, level in determination.levels_of_care.items()
        if level.basis not in ("plan", "none")
    )


def follow_up_types(generic: PayerAnswer | None, service_types: Sequence[str]) -> tuple[str, ...]:
    """The configured service types (other than `30`) still to ask after the generic answer.

    No generic answer (the inquiry failed) leaves every type to ask, as does an answer that
    states nothing; a settled answer (inactive plan, member rejected) leaves none. Otherwise a
    type is asked when a level of care it speaks for is unstated, or when it speaks for none
    (the operator listed it for a reason this rule cannot weigh).
    """
    wanted = tuple(dict.fromkeys(t for t in service_types if t != GENERIC))
    if generic is None:
        return wanted
    determination = interpret(generic)
    if determination.status in _SETTLED:
        return ()
    stated = stated_levels(determination)
    return tuple(
        stc for stc in wanted if not _LEVELS_BY_TYPE.get(stc) or not _LEVELS_BY_TYPE[stc] <= stated
    )
