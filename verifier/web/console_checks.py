"""Console pages that change a verification: start one, follow it while the payer answers,
and record what a payer representative confirmed by phone.

Views translate HTML forms to the use cases and back: the API's schemas validate, and their
messages appear next to the form's fields.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from marshmallow import ValidationError

from schemas.record import PhoneFactSchema
from schemas.request import VerificationRequestSchema
from verifier.current import current_services, current_settings
from verifier.intake import to_request
from verifier.service import NotFound
from verifier.services.calls import record_call
from verifier.web.console import bp, detail_page, record_or_404, staff
from verifier.web.console_auth import WRITE, audit, signed_in
from verifier.web.console_forms import CHECK_FIELDS, call_body, check_body, field_errors

_REQUESTS = VerificationRequestSchema()
_CALLS = PhoneFactSchema()
_CALL_FIELDS = {name: (name,) for name in PhoneFactSchema().fields}


def _may_write() -> None:
    if not signed_in().allows(WRITE):
        abort(403, description=f"Your key may not do this; it needs the scope {WRITE}.")


def _new_page(form: Any, errors: dict[str, list[str]], status: int = 200) -> ResponseReturnValue:
    settings = current_settings()
    page = render_template(
        "console_new.html",
        form=form,
        errors=errors,
        payers=current_services().directory.search(),
        provider=settings.provider,
        wait=settings.console_wait_seconds,
    )
    return page, status


@bp.get("/verifications/new")
def new_check() -> ResponseReturnValue:
    _may_write()
    return _new_page({}, {})


@bp.post("/verifications/new")
def start_check() -> ResponseReturnValue:
    audit("create")
    _may_write()
    body, errors = check_body(request.form, current_services().directory)
    try:
        data = _REQUESTS.load(body)
    except ValidationError as error:
        errors = {**field_errors(error.messages, CHECK_FIELDS), **errors}
    if errors:
        return _new_page(request.form, errors, 422)
    # Stored as the API stores a body: what was given, without the defaults left empty.
    sent = {name: value for name, value in _REQUESTS.dump(data).items() if value is not None}
    sent.pop("mode", None)
    wait = current_settings().console_wait_seconds
    record = current_services().service.verify_within(
        to_request(data, current_settings()), sent, wait
    )
    audit("create", record.id)
    if record.state == "pending":
        flash("The payer is slow to answer: this page updates when the answer lands.")
    return redirect(url_for("console.detail", verification_id=record.id), 303)


@bp.get("/verifications/<verification_id>/state")
def check_state(verification_id: str) -> ResponseReturnValue:
    # Not audited: it shows nothing of the member, only whether the answer has landed, to a
    # page whose own read was audited; a poll every few seconds would drown the trail.
    try:
        record = current_services().service.get(verification_id)
    except NotFound:
        abort(404, description="No verification has this id.")
    return jsonify(state=record.state)


@bp.post("/verifications/<verification_id>/calls")
def record_phone_call(verification_id: str) -> ResponseReturnValue:
    audit("update", verification_id)
    _may_write()
    try:
        facts = _CALLS.load(call_body(request.form))
        services = current_services()
        record_call(services.service, services.phone, verification_id, facts, staff())
    except ValidationError as error:
        errors = field_errors(error.messages, _CALL_FIELDS)
        return detail_page(record_or_404(verification_id), errors, request.form), 422
    except NotFound:
        abort(404, description="No verification has this id.")
    flash("The call is recorded: the page and the VOB show what the representative confirmed.")
    target = url_for("console.detail", verification_id=verification_id, _anchor="facts-h")
    return redirect(target, 303)
