"""Check a payer directory against the adapters installed, before anything serves from it.

Every problem is found at once, one line each (file, payer, key, what is wrong), so an operator
fixes the file in one pass instead of learning of each mistake from a failed verification.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from adapters.directory import DirectoryError, read_file
from adapters.keys import COMMON, HTTP_KEYS, Key, declared_keys

__all__ = ["Problem", "check_directory"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the directory; its text holds no secret and no member data."""

    file: str
    payer: str | None
    key: str | None
    message: str

    def __str__(self) -> str:
        return ": ".join(p for p in (self.file, self.payer, self.key, self.message) if p)


def check_directory(
    path: str | None, factories: Mapping[str, object], environ: Mapping[str, str]
) -> list[Problem]:
    """Every problem in the directory at `path` (the bundled one when None); empty when sound."""
    file = path or "payers.toml (bundled)"
    try:
        data = read_file(path)
    except DirectoryError as error:
        return [Problem(file, None, None, str(error))]
    found = [Problem(file, None, key, msg) for key, msg in _top_level(data)]
    entries = data.get("payers")
    if not isinstance(entries, list):
        return found
    seen: dict[str, tuple[int, str]] = {}
    for index, entry in enumerate(entries):
        payer = _label(entry, index)
        if not isinstance(entry, dict):
            found.append(Problem(file, payer, None, "must be a [[payers]] table"))
            continue
        for key, message in _entry(entry, factories, environ):
            found.append(Problem(file, payer, key, message))
        for key, message in _clashes(entry, (index, payer), seen):
            found.append(Problem(file, payer, key, message))
    return found


def _top_level(data: dict[str, Any]) -> Iterator[tuple[str | None, str]]:
    for key in data:
        if key != "payers":
            yield key, "unknown table or key; the directory holds [[payers]] tables only"
    entries = data.get("payers")
    if entries is None or entries == []:
        yield None, "holds no payers: add [[payers]] tables"
    elif not isinstance(entries, list):
        yield "payers", "must be [[payers]] tables"


def _label(entry: Any, index: int) -> str:
    payer_id = entry.get("id") if isinstance(entry, dict) else None
    return payer_id if isinstance(payer_id, str) and payer_id else f"payer entry {index + 1}"


def _entry(
    entry: dict[str, Any], factories: Mapping[str, object], environ: Mapping[str, str]
) -> Iterator[tuple[str, str]]:
    adapter = entry.get("adapter", "mock")
    declared: Mapping[str, Key] | None = None
    if isinstance(adapter, str) and adapter in factories:
        declared = declared_keys(factories[adapter])
        # A third party's adapter that declares nothing is still held to the shared fields'
        # kinds; its other keys cannot be told from typos, so they pass.
        takes = {**COMMON, **(declared if declared is not None else _shared_fields())}
    else:
        installed = ", ".join(sorted(factories))
        yield "adapter", f"no adapter named {adapter!r} is installed (installed: {installed})"
        takes = dict(COMMON)  # the adapter's own keys are unknown until it is installed
    for key, spec in takes.items():
        if spec.required and key not in entry:
            yield key, "required key missing"
    for key, value in entry.items():
        if key in takes:
            if (wrong := takes[key].kind(value, environ)) is not None:
                yield key, wrong
        elif declared is not None:
            yield key, _unknown(key, takes, adapter)


def _shared_fields() -> dict[str, Key]:
    """The PayerSettings fields beyond the common ones, none of them required."""
    return {key: Key(spec.kind) for key, spec in HTTP_KEYS.items()}


def _unknown(key: str, takes: Mapping[str, Key], adapter: str) -> str:
    close = difflib.get_close_matches(key, takes, n=1, cutoff=0.75)
    if close:
        return f"unknown key; did you mean {close[0]}?"
    return f"unknown key for adapter {adapter!r} (it takes: {', '.join(sorted(takes))})"


def _clashes(
    entry: dict[str, Any], payer: tuple[int, str], seen: dict[str, tuple[int, str]]
) -> Iterator[tuple[str, str]]:
    """Ids, names and aliases are looked up case-blind, and the first payer with one wins."""
    aliases = entry.get("aliases")
    names = [("id", entry.get("id")), ("name", entry.get("name"))]
    names += [("aliases", a) for a in aliases] if isinstance(aliases, list) else []
    for key, value in names:
        if not isinstance(value, str) or not value.strip():
            continue
        first = seen.setdefault(value.strip().casefold(), payer)
        if first[0] != payer[0]:
            yield key, f"{value!r} already names payer {first[1]}, which lookups would find"
