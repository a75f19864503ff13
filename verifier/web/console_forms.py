"""The console's forms as API bodies, and the API's field errors back on the form's fields.

Pure functions over the posted form: the views validate the bodies with the API's own schemas,
so a coordinator reads the same messages next to the same fields an integrator gets.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from adapters.directory import PayerDirectory

# Form field → where it goes in the request body (and where its errors come back from).
CHECK_FIELDS = {
    "member_id": ("subscriber", "member_id"),
    "first_name": ("subscriber", "first_name"),
    "last_name": ("subscriber", "last_name"),
    "date_of_birth": ("subscriber", "date_of_birth"),
    "group_number": ("subscriber", "group_number"),
    "patient_first_name": ("patient", "first_name"),
    "patient_last_name": ("patient", "last_name"),
    "patient_date_of_birth": ("patient", "date_of_birth"),
    "patient_relationship": ("patient", "relationship"),
    "service_date": ("service_date",),
}
CALL_FIELDS = (
    "level",
    "covered",
    "prior_auth_required",
    "prior_auth_phone",
    "day_limit",
    "visit_limit",
    "rep_name",
    "call_reference",
    "note",
)
_YES_NO = {"yes": True, "no": False}


def _text(form: Mapping[str, str], name: str) -> str:
    return str(form.get(name) or "").strip()


def resolve_payer(text: str, directory: PayerDirectory) -> tuple[str | None, str | None]:
    """The payer id for what was typed (an id, a name or an alias, or a search that finds one
    payer), or None and why not."""
    if not text:
        return None, "Choose the payer: type its name and pick it from the list."
    found = directory.get(text)
    if found is not None:
        return found.id, None
    matches = directory.search(text)
    if len(matches) == 1:
        return matches[0].id, None
    if matches:
        names = ", ".join(payer.name for payer in matches[:5])
        return None, f"Several payers match: {names}. Type more of the name."
    return None, "No payer in the directory matches this. Check the spelling."


def check_body(
    form: Mapping[str, str], directory: PayerDirectory
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The verification request body the form describes, and the errors found before the API's
    schema sees it (the payer). A patient is sent only when one of its fields is filled."""
    payer_id, payer_error = resolve_payer(_text(form, "payer"), directory)
    body: dict[str, Any] = {"payer_id": payer_id or "", "subscriber": {}}
    for name, path in CHECK_FIELDS.items():
        value: str | None = _text(form, name)
        if path[0] == "patient" and not any(
            _text(form, other) for other, where in CHECK_FIELDS.items() if where[0] == "patient"
        ):
            continue
        if not value and name in ("group_number", "service_date"):
            value = None
        if len(path) == 1:
            body[path[0]] = value
        else:
            body.setdefault(path[0], {})[path[1]] = value
    return body, ({"payer": [payer_error]} if payer_error else {})


def field_errors(messages: Any, fields: Mapping[str, tuple[str, ...]]) -> dict[str, list[str]]:
    """Marshmallow's nested messages as {form field: [messages]}; errors with no field of the
    form (a whole missing block) go under "form"."""
    by_path = {path: name for name, path in fields.items()}
    found: dict[str, list[str]] = {}

    def walk(node: Any, path: tuple[str, ...]) -> None:
        if isinstance(node, Mapping):
            for key, inner in node.items():
                walk(inner, (*path, str(key)))
            return
        texts = [str(item) for item in node] if isinstance(node, list) else [str(node)]
        name = by_path.get(path) or ("payer" if path == ("payer_id",) else "form")
        found.setdefault(name, []).extend(texts)

    walk(messages, ())
    return found


def call_body(form: Mapping[str, str]) -> dict[str, Any]:
    """The phone-facts body the call form describes: empty answers are left out, "yes"/"no"
    become true/false."""
    body: dict[str, Any] = {}
    for name in CALL_FIELDS:
        value = _text(form, name)
        if not value:
            continue
        if name in ("covered", "prior_auth_required"):
            body[name] = _YES_NO.get(value, value)
        else:
            body[name] = value
    return body
