"""Tolerant accessors for vendor JSON: a wrong type reads as unknown instead of raising."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from verifier.domain.model import figure


def text(value: Any) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def decimal(value: Any) -> Decimal | None:
    return figure(text(value) or "")


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
