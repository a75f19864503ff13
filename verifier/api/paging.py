"""The body of a list answer: one page of items with the total and the page's bounds."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def page(items: Sequence[Any], total: int, query: Mapping[str, Any]) -> dict[str, Any]:
    return {"items": items, "total": total, "limit": query["limit"], "offset": query["offset"]}
