"""One error shape for the whole API, and the table that maps domain errors to HTTP."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_smorest import Api as SmorestApi
from werkzeug.exceptions import HTTPException, default_exceptions

from verifier.service import IdempotencyConflict, NotFound, UnknownPayer

_LOCATIONS = {"json", "querystring", "query", "view_args", "form", "headers"}
_RENAMES = {"Unknown field.": "This field is not part of the API; remove it."}


def flatten(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """webargs' nested messages to {"subscriber.member_id": ["..."]}, which a form can show."""
    if isinstance(messages, dict):
        flat: dict[str, list[str]] = {}
        for key, value in messages.items():
            key = str(key)
            if (not prefix and key in _LOCATIONS) or key == "_schema":
                name = prefix
            else:
                name = f"{prefix}.{key}" if prefix else key
            for field, texts in flatten(value, name).items():
                flat.setdefault(field, []).extend(texts)
        return flat
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return {prefix or "body": [_RENAMES.get(str(m), str(m)) for m in messages]}
    if isinstance(messages, list):
        flat = {}
        for index, item in enumerate(messages):
            flat.update(flatten(item, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    return {prefix or "body": [str(messages)]}


MESSAGES = {
    400: "The request could not be read; send a JSON object.",
    404: "Nothing was found at this address.",
    405: "This method is not allowed here.",
    413: "The request body is too large.",
    415: "Send the body as application/json.",
    422: "Some fields need attention.",
    500: "Something went wrong on our side; the request was not lost if it was accepted.",
}


class Api(SmorestApi):  # type: ignore[misc]
    """flask-smorest's Api with field errors flattened for forms and a message on every error."""

    def handle_http_exception(
        self, error: HTTPException
    ) -> tuple[dict[str, Any], int, dict[str, str]]:
        code = error.code or 500
        payload: dict[str, Any] = {"code": code, "status": error.name}
        data = getattr(error, "data", None) or {}
        headers = data.get("headers") or {}
        payload["message"] = data.get("message") or MESSAGES.get(code, error.name)
        errors = data.get("errors", data.get("messages"))
        if errors:
            payload["errors"] = flatten(errors)
            if code == 400 and "body" in payload["errors"]:
                payload["message"] = MESSAGES[400]
        return payload, code, headers


def register_domain_errors(app: Flask, api: Api) -> None:
    """The single table of domain errors to HTTP answers."""

    def respond(code: int, message: str, errors: dict[str, list[str]] | None = None) -> Any:
        error = default_exceptions[code]()
        error.data = {"message": message, **({"errors": errors} if errors else {})}  # type: ignore[attr-defined]
        return api.handle_http_exception(error)

    @app.errorhandler(UnknownPayer)
    def _unknown_payer(error: UnknownPayer) -> Any:
        message = "We don't know this insurance company; choose one from /v1/payers."
        return respond(422, MESSAGES[422], {"payer_id": [message]})

    @app.errorhandler(IdempotencyConflict)
    def _reused_key(error: IdempotencyConflict) -> Any:
        return respond(409, "This Idempotency-Key was used with a different request body.")

    @app.errorhandler(NotFound)
    def _not_found(error: NotFound) -> Any:
        return respond(404, "No verification has this id.")
