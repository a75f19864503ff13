"""The payer directory: which adapter and settings serve each payer, read from TOML."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

__all__ = ["DirectoryError", "PayerDirectory", "PayerSettings", "load_directory", "read_file"]


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
    """Payers by id, with lookup by alias and search by name."""

    def __init__(self, payers: Iterable[PayerSettings]) -> None:
        self.payers = list(payers)
        self._by_key: dict[str, PayerSettings] = {}
        for payer in self.payers:
            for key in (payer.id, payer.name, *payer.aliases):
                self._by_key.setdefault(key.casefold(), payer)

    def get(self, key: str) -> PayerSettings | None:
        """A payer by id, name or alias (case-insensitive)."""
        return self._by_key.get(key.strip().casefold())

    def search(self, text: str | None = None) -> list[PayerSettings]:
        if not text:
            return list(self.payers)
        needle = text.casefold()
        return [
            p
            for p in self.payers
            if any(needle in k.casefold() for k in (p.id, p.name, *p.aliases))
        ]


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


def load_directory(path: str | None) -> PayerDirectory:
    """Read the directory from `path`, or the bundled default (the mock payer) when None."""
    try:
        data = read_file(path)
    except DirectoryError as error:
        raise DirectoryError(f"the payer directory {path or '(bundled)'}: {error}") from None
    entries = data.get("payers", [])
    if not isinstance(entries, list):
        raise DirectoryError("the payer directory needs [[payers]] tables")
    return PayerDirectory(_settings(entry, i) for i, entry in enumerate(entries))
