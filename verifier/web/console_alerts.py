"""Alerts in the console: what changed for people whose admission is near, newest first."""

from __future__ import annotations

from typing import Any

from flask import render_template, request
from flask.typing import ResponseReturnValue

from verifier.current import current_services
from verifier.domain.alerts import ALERT_KINDS, DAYS_AHEAD, DAYS_BEHIND
from verifier.services.alerts import Alert, alerts
from verifier.web import console_view as view
from verifier.web.console import bp
from verifier.web.console_auth import audit


def _row(alert: Alert) -> dict[str, Any]:
    return {
        "kind": alert.kind,
        "label": alert.label,
        "summary": alert.summary,
        "when": view.when(alert.at),
        "admission": alert.admission.isoformat(),
        "asked": view.asked_person(alert.record),
        "payer_id": alert.record.payer_id,
        "verification_id": alert.record.id,
        "previous_id": alert.previous_id,
    }


@bp.get("/alerts")
def alert_list() -> ResponseReturnValue:
    kind = request.args.get("kind", "")
    kind = kind if kind in ALERT_KINDS else ""
    audit("list", resource="change")
    services = current_services()
    today = services.service.clock().date()
    found = alerts(services.changes, services.service, today, kind or None)
    return render_template(
        "console_alerts.html",
        rows=[_row(alert) for alert in found],
        kinds=ALERT_KINDS,
        kind=kind,
        ahead=DAYS_AHEAD,
        behind=DAYS_BEHIND,
    )
