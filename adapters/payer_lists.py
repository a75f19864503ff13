"""Read a clearinghouse's published payer list and write the directory's imported payers file.

Formats (`verifier payers import FILE --format ...`):

- `stedi-json`: Stedi's List Payers response (`GET /payers`): `{"items": [{"stediId",
  "displayName", "primaryPayerId", "aliases", "names", "transactionSupport": {"eligibilityCheck":
  "SUPPORTED" | "ENROLLMENT_REQUIRED" | "NOT_SUPPORTED"}}]}`; a bare list of items, and the
  Search Payers shape (`items[].payer`), are read too.
- `csv`: one payer a row under a header naming `payer_id` and `name`, optionally `aliases`
  (separated by `|` or `;`) and `eligibility` (`yes`, `no`, `enrollment`, or empty for unknown).
  Header names are matched case-blind, ignoring spaces and underscores, and a few common
  spellings are accepted (`Payer ID`, `Payer Name`, `270`).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "READERS",
    "Connection",
    "ImportPlan",
    "ListedPayer",
    "PayerListError",
    "plan_import",
    "render",
]

SUPPORTED, ENROLLMENT, NOT_SUPPORTED, UNKNOWN = (
    "supported",
    "enrollment_required",
    "not_supported",
    "unknown",
)


class PayerListError(ValueError):
    """The payer list is not in the format named; the message says where and why."""


@dataclass(frozen=True, slots=True)
class ListedPayer:
    """One payer as a clearinghouse lists it."""

    id: str  # the payer id the clearinghouse routes by (Stedi's primaryPayerId)
    name: str
    aliases: tuple[str, ...] = ()
    eligibility: str = UNKNOWN


_STEDI_ELIGIBILITY = {
    "SUPPORTED": SUPPORTED,
    "ENROLLMENT_REQUIRED": ENROLLMENT,
    "NOT_SUPPORTED": NOT_SUPPORTED,
}


def _texts(value: Any) -> list[str]:
    if not isinstance(value, list):
        return []
    return [v.strip() for v in value if isinstance(v, str) and v.strip()]


def read_stedi(text: str) -> list[ListedPayer]:
    """Stedi's List Payers (or Search Payers) JSON. Raises PayerListError."""
    try:
        data = json.loads(text)
    except ValueError as error:
        raise PayerListError(f"not JSON ({error})") from None
    items = data.get("items") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise PayerListError('expected {"items": [...]} as Stedi\'s GET /payers returns')
    found = []
    for number, item in enumerate(items, 1):
        record = item.get("payer", item) if isinstance(item, dict) else None
        if not isinstance(record, dict):
            raise PayerListError(f"item {number} is not a payer record")
        payer_id = record.get("primaryPayerId") or record.get("stediId")
        name = record.get("displayName")
        if not isinstance(payer_id, str) or not isinstance(name, str):
            raise PayerListError(f"item {number} lacks primaryPayerId (or stediId) or displayName")
        support = record.get("transactionSupport")
        check = support.get("eligibilityCheck") if isinstance(support, dict) else None
        stedi_id = record.get("stediId")
        aliases = [stedi_id] if isinstance(stedi_id, str) else []
        aliases += _texts(record.get("aliases")) + _texts(record.get("names"))
        found.append(
            ListedPayer(
                payer_id.strip(),
                name.strip(),
                tuple(aliases),
                _STEDI_ELIGIBILITY.get(str(check), UNKNOWN),
            )
        )
    return found


_COLUMNS = {
    "payerid": "payer_id",
    "id": "payer_id",
    "name": "name",
    "payername": "name",
    "displayname": "name",
    "aliases": "aliases",
    "alias": "aliases",
    "eligibility": "eligibility",
    "eligibilitycheck": "eligibility",
    "270": "eligibility",
}
_CSV_ELIGIBILITY = {
    "yes": SUPPORTED,
    "y": SUPPORTED,
    "true": SUPPORTED,
    "supported": SUPPORTED,
    "no": NOT_SUPPORTED,
    "n": NOT_SUPPORTED,
    "false": NOT_SUPPORTED,
    "not_supported": NOT_SUPPORTED,
    "enrollment": ENROLLMENT,
    "enrollment_required": ENROLLMENT,
}


def read_csv(text: str) -> list[ListedPayer]:
    """A CSV payer list under the documented header. Raises PayerListError."""
    rows = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(rows, None)
    if header is None:
        raise PayerListError("the file is empty")
    names = [_COLUMNS.get(h.strip().casefold().replace(" ", "").replace("_", "")) for h in header]
    missing = [c for c in ("payer_id", "name") if c not in names]
    if missing:
        raise PayerListError(f"the header lacks {' and '.join(missing)} (it reads {header})")
    found = []
    for line, row in enumerate(rows, 2):
        cells = {c: v.strip() for c, v in zip(names, row, strict=False) if c}
        if not any(cells.values()):
            continue
        if not cells.get("payer_id") or not cells.get("name"):
            raise PayerListError(f"line {line} lacks a payer_id or a name")
        aliases = cells.get("aliases", "").replace(";", "|").split("|")
        eligibility = cells.get("eligibility", "").casefold().replace(" ", "_")
        found.append(
            ListedPayer(
                cells["payer_id"],
                cells["name"],
                tuple(a.strip() for a in aliases if a.strip()),
                _CSV_ELIGIBILITY.get(eligibility, UNKNOWN),
            )
        )
    return found


READERS: dict[str, Callable[[str], list[ListedPayer]]] = {
    "stedi-json": read_stedi,
    "csv": read_csv,
}


@dataclass(frozen=True, slots=True)
class Connection:
    """How every imported payer is reached: the clearinghouse the list came from."""

    adapter: str
    base_url: str
    api_key_env: str | None = None
    fan_out: str | None = None


@dataclass(slots=True)
class ImportPlan:
    """The entries to write and what was left out, and why."""

    entries: list[dict[str, Any]] = field(default_factory=list)
    enrollment_required: list[str] = field(default_factory=list)
    no_eligibility: list[str] = field(default_factory=list)
    overridden: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)


def _folded(keys: Iterable[Any]) -> set[str]:
    return {k.strip().casefold() for k in keys if isinstance(k, str) and k.strip()}


def plan_import(listed: list[ListedPayer], own: list[Any], connection: Connection) -> ImportPlan:
    """Directory entries for the listed payers that support eligibility checks, in name order.

    A payer that any of the operator's own entries already names (by id, name or alias) is
    left to that entry. Every key stays unique across the directory, as lookups need: a later
    duplicate id is dropped, a taken name gets the payer id appended, a taken alias is dropped.
    """
    plan = ImportPlan()
    taken: set[str] = set()
    for entry in own:
        if isinstance(entry, dict):
            aliases = entry.get("aliases")
            taken |= _folded([entry.get("id"), entry.get("name"), *(aliases or [])])
    mine = set(taken)
    for payer in listed:  # the list's order decides which of two duplicates stays
        if payer.eligibility == NOT_SUPPORTED:
            plan.no_eligibility.append(payer.id)
            continue
        if _folded([payer.id, payer.name, *payer.aliases]) & mine:
            plan.overridden.append(payer.id)
            continue
        if payer.id.casefold() in taken:
            plan.duplicates.append(payer.id)
            continue
        name = payer.name
        if name.casefold() in taken:
            name = f"{payer.name} ({payer.id})"
        taken |= _folded([payer.id, name])
        aliases = []
        for alias in payer.aliases:
            if alias.casefold() not in taken:
                taken.add(alias.casefold())
                aliases.append(alias)
        if payer.eligibility == ENROLLMENT:
            plan.enrollment_required.append(payer.id)
        plan.entries.append(_entry(payer, name, aliases, connection))
    plan.entries.sort(key=lambda entry: str(entry["name"]).casefold())
    return plan


def _entry(
    payer: ListedPayer, name: str, aliases: list[str], connection: Connection
) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": payer.id, "name": name}
    if aliases:
        entry["aliases"] = aliases
    entry["adapter"] = connection.adapter
    entry["base_url"] = connection.base_url
    if connection.api_key_env:
        entry["api_key_env"] = connection.api_key_env
    entry["trading_partner_id"] = payer.id
    if connection.fan_out:
        entry["fan_out"] = connection.fan_out
    return entry


def _value(value: Any) -> str:
    # A JSON string is a TOML basic string (the escapes JSON writes are TOML's too).
    if isinstance(value, list):
        return "[" + ", ".join(json.dumps(v) for v in value) + "]"
    return json.dumps(value)


def render(plan: ImportPlan, source: str) -> str:
    """The imported payers file: generated, replaced whole by each import, never edited."""
    lines = [
        f"# Generated by `verifier payers import` from {source}: do not edit; it is replaced",
        "# whole by the next import. To change a payer, copy its entry into your own payer",
        "# file (VERIFIER_PAYERS_FILE): an entry there that shares an id, name or alias with",
        "# one here wins, and this one is ignored.",
    ]
    enrollment = set(plan.enrollment_required)
    for entry in plan.entries:
        lines += ["", "[[payers]]"]
        if entry["id"] in enrollment:
            lines.append("# eligibility checks need transaction enrollment with the clearinghouse")
        lines += [f"{key} = {_value(value)}" for key, value in entry.items()]
    return "\n".join(lines) + "\n"
