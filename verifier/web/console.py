"""The staff console: sign in as yourself through the identity provider (or with an API key in
development), list and search verifications, read one, verify again, and print or download its
verification of benefits (VOB). Starting a verification and recording a call are in
`console_checks`, the intake queue in `console_intake`, the alerts in `console_alerts`: they add
their pages to this blueprint.

Server-rendered HTML that works without scripts; one small script of our own (static/console.js)
shows "asking the payer…" and updates a page when a slow payer's answer lands. Needs
`SECRET_KEY`; see `console_auth` for the session.
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from schemas.request import VerificationRequestSchema
from verifier.current import current_services, current_settings
from verifier.intake import to_request
from verifier.ports import ChangeQuery
from verifier.records import RecordQuery, VerificationRecord
from verifier.security.staff import StaffMember
from verifier.service import NotFound, UnknownPayer
from verifier.services.audit_trail import who_verified
from verifier.services.staff import Staff
from verifier.web import console_oidc
from verifier.web import console_view as view
from verifier.web.console_auth import (
    CSRF_FIELD,
    WRITE,
    audit,
    check_csrf,
    csrf_token,
    current_key,
    secure_headers,
    sign_in,
    sign_in_person,
    sign_out,
    signed_in,
    signed_in_before,
    write_audit,
)
from verifier.web.console_estimate import course_estimate, fact_lines, seen
from verifier.web.console_sources import sources
from verifier.web.vob import render_vob, vob_pdf

bp = Blueprint(
    "console",
    __name__,
    url_prefix="/console",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)
PAGE_SIZE = 25
SIGN_IN_PAGES = frozenset({"console.login", "console.oidc_start", "console.oidc_callback"})


@bp.record_once
def _cookie_defaults(state: BlueprintSetupState) -> None:
    """The session cookie carries the (encrypted) key: never sent on cross-site requests."""
    if not state.app.config.get("SESSION_COOKIE_SAMESITE"):
        state.app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    console_oidc.init_oidc(state.app)


@bp.before_request
def _guard() -> ResponseReturnValue | None:
    g.console_nonce = secrets.token_urlsafe(16)
    if request.endpoint == "console.static":
        return None
    if not current_app.config.get("SECRET_KEY"):
        abort(503, description="The console is not set up: the server has no SECRET_KEY.")
    if request.method == "POST":
        check_csrf()
    if request.endpoint in SIGN_IN_PAGES or current_key() is not None:
        return None
    if signed_in_before():
        session.clear()
        flash("Your session has ended. Sign in again.")
    target = request.full_path if request.method == "GET" else None
    return redirect(url_for("console.login", next=target), 303)


@bp.after_request
def _finish(response: Response) -> Response:
    secure_headers(response)
    write_audit(response)
    return response


@bp.context_processor
def _template_context() -> dict[str, Any]:
    key = g.get("console_key")
    return {
        "csrf_token": csrf_token,
        "csrf_field": CSRF_FIELD,
        "console_key": key,
        "can_write": key is not None and key.allows(WRITE),
        "nonce": g.get("console_nonce", ""),
    }


@bp.errorhandler(HTTPException)
def _error(error: HTTPException) -> ResponseReturnValue:
    if error.code is None or error.code < 400:
        return error
    return render_template("console_error.html", error=error), error.code


def _safe_next(target: str | None) -> str:
    """Only a page of this console: never an open redirect."""
    if target and target.startswith("/console/") and "\\" not in target:
        return target.rstrip("?")
    return url_for("console.index")


def staff() -> Staff:
    """Who is signed in, as the use cases record them: a person signed in through the identity
    provider by their email (their subject is in the audit trail), or a development key."""
    who = signed_in()
    if isinstance(who, StaffMember):
        return Staff(None, (who.email or who.name)[:100])
    return Staff(who.id, who.name)


def record_or_404(verification_id: str) -> VerificationRecord:
    try:
        record: VerificationRecord = current_services().service.get(verification_id)
    except NotFound:
        abort(404, description="No verification has this id.")
    return record


def _login_page(target: str | None, error: str | None, status: int = 200) -> ResponseReturnValue:
    page = render_template(
        "console_login.html",
        next=target,
        error=error,
        oidc=console_oidc.enabled(),
        provider=console_oidc.provider_name(),
        key_sign_in=current_settings().console_key_sign_in,
    )
    return page, status


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    target = request.values.get("next")
    if request.method == "GET":
        if current_key() is not None:
            return redirect(_safe_next(target), 303)
        return _login_page(target, None)
    key, error = sign_in(request.form.get("api_key", ""))
    if key is None:
        status = 403 if error and ("scope" in error or "turned off" in error) else 400
        return _login_page(target, error, status)
    flash(f"Signed in as {key.name}.")
    return redirect(_safe_next(target), 303)


@bp.get("/login/oidc")
def oidc_start() -> ResponseReturnValue:
    """Off to the identity provider; it sends the browser back to `oidc_callback`."""
    if not console_oidc.enabled():
        abort(404)
    session["oidc_next"] = _safe_next(request.args.get("next"))
    try:
        return console_oidc.start(url_for("console.oidc_callback", _external=True))
    except console_oidc.SignInFailed as failed:
        return _login_page(None, str(failed), 502)


@bp.get("/login/oidc/callback")
def oidc_callback() -> ResponseReturnValue:
    if not console_oidc.enabled():
        abort(404)
    target = session.get("oidc_next")
    try:
        identity = console_oidc.finish()
    except console_oidc.SignInFailed as failed:
        return _login_page(None, str(failed), 400)
    person, refused = sign_in_person(identity)
    if person is None:
        return _login_page(None, refused, 403)
    flash(f"Signed in as {person.name}.")
    return redirect(_safe_next(target if isinstance(target, str) else None), 303)


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    """End the console session, and the provider's too when it offers RP-initiated logout."""
    id_token = sign_out()
    flash("You are signed out.")
    at_provider = console_oidc.end_session_url(id_token) if id_token is not None else None
    return redirect(at_provider or url_for("console.login"), 303)


@bp.get("/")
def index() -> ResponseReturnValue:
    member_id = request.args.get("member_id", "").strip()[:80]
    page = request.args.get("page", "1")
    number = int(page) if page.isdigit() and 0 < int(page) < 100_000 else 1
    audit("list")
    found = current_services().service.find(
        RecordQuery(member_id=member_id or None, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE)
    )
    pages = max(1, -(-found.total // PAGE_SIZE))
    return render_template(
        "console_list.html",
        rows=[view.list_row(record) for record in found.items],
        total=found.total,
        member_id=member_id,
        page=number,
        pages=pages,
        first=(number - 1) * PAGE_SIZE + 1,
        last=(number - 1) * PAGE_SIZE + len(found.items),
    )


def _changes(record: VerificationRecord) -> list[dict[str, Any]]:
    items, _ = current_services().changes.find(ChangeQuery(member_id=record.member_id, limit=50))
    return view.change_rows(items)


@bp.get("/verifications/<verification_id>")
def detail(verification_id: str) -> ResponseReturnValue:
    audit("read", verification_id)
    return detail_page(record_or_404(verification_id))


def detail_page(
    record: VerificationRecord,
    call_errors: dict[str, list[str]] | None = None,
    call_form: Any = None,
) -> str:
    """A verification's page; `call_errors` and `call_form` refill a phone-call form the API's
    schema refused."""
    looked_at = seen(record)
    determination = looked_at.determination or {}
    return render_template(
        "console_detail.html",
        course=course_estimate(looked_at, request.args),
        facts=fact_lines(looked_at.calls),
        sources=sources(determination),
        call_errors=call_errors or {},
        call_form=call_form or {},
        call_levels=view.LEVELS,
        record=record,
        name=view.member_name(record),
        asked=view.asked_person(record),
        badges=view.badges(record.determination),
        summary=[line for line in (record.staff_summary or "").splitlines() if line.strip()],
        identity=view.identity_flag(record),
        levels=view.level_rows(determination),
        deductible=view.meters(determination.get("deductible")),
        out_of_pocket=view.meters(determination.get("out_of_pocket")),
        calls=view.calls(record),
        changes=_changes(record),
        created=view.when(record.created_at),
        completed=view.when(record.completed_at),
    )


@bp.post("/verifications/<verification_id>/verify-again")
def verify_again(verification_id: str) -> ResponseReturnValue:
    audit("create")
    if not signed_in().allows(WRITE):
        abort(403, description=f"Your key may not verify; it needs the scope {WRITE}.")
    record = record_or_404(verification_id)
    back = redirect(url_for("console.detail", verification_id=record.id), 303)
    try:
        data = VerificationRequestSchema().load(record.request)
        fresh = current_services().service.verify(
            to_request(data, current_settings()), record.request
        )
    except ValidationError as error:
        messages = error.messages if isinstance(error.messages, dict) else {}
        fields = ", ".join(sorted(str(name) for name in messages)) or "the request"
        flash(f"This request can no longer be sent as it was (check: {fields}).", "error")
        return back
    except UnknownPayer:
        flash("The payer of this verification is no longer in the payer directory.", "error")
        return back
    audit("create", fresh.id)
    flash("Verified again: this is the new verification.")
    return redirect(url_for("console.detail", verification_id=fresh.id), 303)


def _verified_by(record: VerificationRecord) -> str:
    services = current_services()
    return who_verified(services.audit, services.keys, record.id) or str(signed_in().name)


@bp.get("/verifications/<verification_id>/vob")
def vob(verification_id: str) -> ResponseReturnValue:
    audit("export", verification_id)
    record = record_or_404(verification_id)
    return render_vob(record, _verified_by(record), exported_by=signed_in().name, args=request.args)


@bp.get("/verifications/<verification_id>/vob.pdf")
def vob_download(verification_id: str) -> ResponseReturnValue:
    audit("export", verification_id)
    record = record_or_404(verification_id)
    pdf = vob_pdf(record, _verified_by(record), exported_by=signed_in().name, args=request.args)
    disposition = f'attachment; filename="vob-{record.id}.pdf"'
    return Response(pdf, mimetype="application/pdf", headers={"Content-Disposition": disposition})


# Their routes join this blueprint when imported; they import `bp` from here, so they come last.
from verifier.web import console_alerts, console_checks, console_intake  # noqa: E402, F401
