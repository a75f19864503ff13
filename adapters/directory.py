"""The payer directory: which adapter and settings serve each payer, read from TOML."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from adapters.payer_search import SearchIndex

__all__ = [
    "DirectoryError",
    "PayerDirectory",
    "PayerSettings",
    "imported_path",
    "load_directory",
    "overlay",
    "read_entries",
    "read_file",
]

IMPORTED_SUFFIX = ".imported.toml"


class DirectoryError(ValueError):
    """The payer directory file is missing or malformed."""


@dataclass(frozen=True, slots=True)
class PayerSettings:
    id: str
    name: str
    adapter: str = "mock"
    aliases: tuple[str, ...] = ()
    base_url: str | None = None
    api_key_env: str | None = None
    trading_partner_id: str | None = None
    service_types: tuple[str, ...] = ("30",)
    fan_out: str = "all"  # or "adaptive": ask 30 first, then only what it left unstated
    rate_limit_per_second: float | None = None
    max_concurrency: int = 10
    timeout_seconds: float = 30.0
    extra: dict[str, Any] = field(default_factory=dict)


_KNOWN = {f for f in PayerSettings.__dataclass_fields__ if f != "extra"}


def _settings(entry: dict[str, Any], index: int) -> PayerSettings:
    if not isinstance(entry.get("id"), str) or not isinstance(entry.get("name"), str):
        raise DirectoryError(f"payer entry {index + 1} needs an id and a name")
    known = {k: v for k, v in entry.items() if k in _KNOWN}
    for key in ("aliases", "service_types"):
        if key in known:
            known[key] = tuple(str(v) for v in known[key])
    extra = {k: v for k, v in entry.items() if k not in _KNOWN}
    try:
        return PayerSettings(**known, extra=extra)
    except TypeError as error:
        raise DirectoryError(f"payer entry {index + 1}: {error}") from None


class PayerDirectory:
    """Payers by id, with lookup by alias and a ranked search by id, name and alias."""

    def __init__(self, payers: Iterable[PayerSettings]) -> None:
        self.payers = list(payers)
        self._by_key: dict[str, PayerSettings] = {}
        for payer in self.payers:
            for key in (payer.id, payer.name, *payer.aliases):
                self._by_key.setdefault(key.casefold(), payer)
        self._index = SearchIndex([(p, (p.id, *p.aliases), p.name) for p in self.payers])

    def get(self, key: str) -> PayerSettings | None:
        """A payer by id, name or alias (case-insensitive)."""
        return self._by_key.get(key.strip().casefold())

    def search(self, text: str | None = None, limit: int | None = None) -> list[PayerSettings]:
        """Payers whose id, name or an alias holds `text` (case-blind), best first: an exact
        id or alias, then names that start with it, then the rest, each in directory order.
        At most `limit` of them; every payer, in order, when `text` is empty."""
        return self._index.search(text or "", limit)


def read_file(path: str | None) -> dict[str, Any]:
    """The directory's TOML as data: `path`, or the bundled one when None. Raises DirectoryError
    with a reason that leaves naming the file to the caller."""
    try:
        if path:
            text = Path(path).read_text("utf-8")
        else:
            text = (resources.files("verifier") / "payers.toml").read_text("utf-8")
        return tomllib.loads(text)
    except OSError as error:
        raise DirectoryError(f"cannot read the file ({error.strerror})") from None
    except UnicodeDecodeError:
        raise DirectoryError("the file is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as error:
        raise DirectoryError(f"not valid TOML: {error}") from None


def imported_path(path: str) -> Path:
    """Where `verifier payers import` writes, beside the operator's file (payers.toml ->
    payers.imported.toml); the directory loads it after the operator's file."""
    own = Path(path)
    return own.with_name(own.stem + IMPORTED_SUFFIX)


def _keys(entry: Any) -> set[str]:
    if not isinstance(entry, dict):
        return set()
    aliases = entry.get("aliases")
    names = [entry.get("id"), entry.get("name"), *(aliases if isinstance(aliases, list) else [])]
    return {n.strip().casefold() for n in names if isinstance(n, str) and n.strip()}


def overlay(own: list[Any], imported: list[Any]) -> tuple[list[Any], list[Any]]:
    """The imported entries the operator's leave standing, and those they override: an
    imported payer any of whose id, name or aliases already names one of the operator's is
    the operator's, written by hand, and that entry wins whole."""
    taken = set().union(*(_keys(entry) for entry in own))
    kept = [entry for entry in imported if not _keys(entry) & taken]
    overridden = [entry for entry in imported if _keys(entry) & taken]
    return kept, overridden


def read_entries(path: str | None) -> list[tuple[str, list[Any]]]:
    """Each file the directory at `path` reads (the operator's, then the imported one beside
    it when there is one) with its [[payers]] entries, imported ones the operator overrides
    left out. Raises DirectoryError naming the file."""
    files: list[tuple[str, list[Any]]] = []
    sources = (
        [path] if not path or not imported_path(path).exists() else [path, str(imported_path(path))]
    )
    for source in sources:
        try:
            data = read_file(source)
        except DirectoryError as error:
            raise DirectoryError(f"the payer directory {source or '(bundled)'}: {error}") from None
        entries = data.get("payers", [])
        if not isinstance(entries, list):
            raise DirectoryError(f"the payer directory {source}: needs [[payers]] tables")
        files.append((source or "payers.toml (bundled)", entries))
    if len(files) == 2:
        files[1] = (files[1][0], overlay(files[0][1], files[1][1])[0])
    return files


def load_directory(path: str | None) -> PayerDirectory:
    """Read the directory from `path` (and the imported payers beside it), or the bundled
    default (the mock payer) when None."""
    entries = [entry for _, found in read_entries(path) for entry in found]
    return PayerDirectory(_settings(entry, i) for i, entry in enumerate(entries))
