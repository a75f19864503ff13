"""The intake queue in the console: submissions from the intake form, their verification's
outcome, how to reach each person and what they agreed to; staff mark each contacted or closed."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from verifier.current import current_services
from verifier.ports import IntakeItem
from verifier.services.intake_queue import (
    STATUSES,
    NotAnIntake,
    UnknownStatus,
    intake_queue,
    mark_intake,
)
from verifier.web import console_view as view
from verifier.web.console import PAGE_SIZE, bp, staff
from verifier.web.console_auth import WRITE, audit, signed_in

_SHOWN = {"new": "New", "contacted": "Contacted", "closed": "Closed", "all": "All"}
_DONE = {"new": "back to new", "contacted": "contacted", "closed": "closed"}


def _row(item: IntakeItem) -> dict[str, Any]:
    record = item.record
    contact = record.request.get("contact") or {}
    return {
        **view.list_row(record),
        "phone": contact.get("phone"),
        "email": contact.get("email"),
        "consent": record.request.get("consent") is True,
        "follow_up": item.status,
        "changed": view.when(item.changed_at) if item.changed_at else None,
        "changed_by": item.changed_by,
        "error": (record.error or {}).get("message"),
    }


@bp.get("/intake")
def intake() -> ResponseReturnValue:
    status = request.args.get("status", "new")
    page = request.args.get("page", "1")
    number = int(page) if page.isdigit() and 0 < int(page) < 100_000 else 1
    audit("list", resource="intake")
    try:
        items, total = intake_queue(
            current_services().intake,
            None if status == "all" else status,
            limit=PAGE_SIZE,
            offset=(number - 1) * PAGE_SIZE,
        )
    except UnknownStatus:
        abort(404, description="Choose new, contacted, closed or all.")
    return render_template(
        "console_intake.html",
        rows=[_row(item) for item in items],
        total=total,
        status=status,
        statuses=_SHOWN,
        page=number,
        pages=max(1, -(-total // PAGE_SIZE)),
    )


@bp.post("/intake/<verification_id>/status")
def intake_status(verification_id: str) -> ResponseReturnValue:
    audit("update", verification_id, resource="intake")
    if not signed_in().allows(WRITE):
        abort(403, description=f"Your key may not do this; it needs the scope {WRITE}.")
    status = request.form.get("status", "")
    try:
        services = current_services()
        mark_intake(services.intake, services.service.clock, verification_id, status, staff())
    except UnknownStatus:
        abort(400, description="Choose new, contacted or closed.")
    except NotAnIntake:
        abort(404, description="No intake submission has this reference.")
    flash(f"Marked {_DONE[status]}: reference {verification_id}.")
    back = request.form.get("back", "new")
    return redirect(url_for("console.intake", status=back if back in _SHOWN else "new"), 303)


assert set(_DONE) == set(STATUSES)
