"""Read a stored determination of either edition of the contract as the second edition.

Records written before the second edition lack `network_not_stated`, the per-block `basis` and
`other_payers`, and say `service_type` where the second edition tells facility types (CH, CJ)
from general ones. A tolerant reader rather than a data migration: the stored JSON stays as
written (it is what the service said then), and every reader sees one shape.
"""

from __future__ import annotations

from typing import Any

__all__ = ["second_edition"]

# The first edition did not say which service type a figure rested on; reading it as the
# general benefit never presents it as the program's own price.
_BASES = {"service_type": "general_service_type"}


def _block(block: Any, basis: str) -> Any:
    if isinstance(block, dict) and "basis" not in block:
        return {**block, "basis": basis}
    return block


def _level(level: Any) -> Any:
    if not isinstance(level, dict):
        return level
    basis = _BASES.get(level.get("basis") or "none", level.get("basis") or "none")
    upgraded = {**level, "basis": basis}
    for key in ("in_network", "out_of_network"):
        upgraded[key] = _block(level.get(key), basis)
    upgraded.setdefault("network_not_stated", None)
    return upgraded


def _accumulators(value: Any) -> Any:
    if isinstance(value, dict):
        return {"network_not_stated": None, **value}
    return value


def second_edition(determination: dict[str, Any] | None) -> dict[str, Any] | None:
    """The same determination in the second edition's shape; a second-edition one unchanged."""
    if not isinstance(determination, dict) or "levels_of_care" not in determination:
        return determination  # not a determination: nothing to read differently
    upgraded = dict(determination)
    levels = determination.get("levels_of_care")
    if isinstance(levels, dict):
        upgraded["levels_of_care"] = {name: _level(level) for name, level in levels.items()}
    for key in ("deductible", "out_of_pocket"):
        if key in upgraded:
            upgraded[key] = _accumulators(upgraded[key])
    upgraded.setdefault("other_payers", [])
    return upgraded
