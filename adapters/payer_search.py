"""Search the payer directory as people type: exact ids first, then name prefixes, then the rest.

Built once per directory, so a search over thousands of payers costs about as much as the
answers it returns, not as the directory's size: exact ids and aliases are a dict lookup, name
prefixes a bisection of the sorted names, and the rest a substring scan, in C, of one string
holding every payer's keys, which stops once enough payers are found.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from typing import Generic, TypeVar

__all__ = ["SearchIndex"]

T = TypeVar("T")


class SearchIndex(Generic[T]):
    """Items (in their order) findable by codes (ids, aliases), a name, and any key's text."""

    def __init__(self, items: Sequence[tuple[T, Sequence[str], str]]) -> None:
        """`items`: (item, codes, name) in directory order; every code and the name are keys."""
        self.items = [item for item, _, _ in items]
        self._codes: dict[str, list[int]] = {}
        names: list[tuple[str, int]] = []
        texts: list[str] = []
        self._starts: list[int] = []
        offset = 0
        for index, (_, codes, name) in enumerate(items):
            for code in dict.fromkeys(c.casefold() for c in codes):
                self._codes.setdefault(code, []).append(index)
            names.append((name.casefold(), index))
            # One line per item; no needle holds a newline, so no match spans two keys.
            text = "\n".join(k.casefold() for k in (*codes, name)) + "\n"
            texts.append(text)
            self._starts.append(offset)
            offset += len(text) + 1
        names.sort()
        self._names = [name for name, _ in names]
        self._name_order = [index for _, index in names]
        self._text = "\0".join(texts)

    def search(self, text: str, limit: int | None = None) -> list[T]:
        """Items whose keys hold `text` (case-blind, spaces collapsed), best first: an exact
        code, then names that start with it, then the rest; each group in directory order."""
        needle = " ".join(text.split()).casefold()
        if not needle:
            return self.items[:limit]
        wanted = len(self.items) if limit is None else limit
        found = list(self._codes.get(needle, ()))[:wanted]
        taken = set(found)
        low = bisect_left(self._names, needle)
        high = bisect_right(self._names, needle + "\uffff", lo=low)
        prefixed = sorted(i for i in self._name_order[low:high] if i not in taken)
        found += prefixed[: wanted - len(found)]
        taken.update(found)
        position = 0
        while len(found) < wanted:
            at = self._text.find(needle, position)
            if at < 0:
                break
            index = bisect_right(self._starts, at) - 1
            if index not in taken:
                taken.add(index)
                found.append(index)
            position = self._starts[index + 1] if index + 1 < len(self._starts) else len(self._text)
        return [self.items[i] for i in found]
