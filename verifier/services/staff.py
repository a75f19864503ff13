"""Who did something: the member of staff a use case acts for."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Staff:
    """The signed-in person (or key): an id for the record, a name people read."""

    id: str | None
    name: str | None
