"""The audit trail, for administrators."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from schemas.record import AuditPageSchema, AuditQuerySchema
from verifier.api.paging import page
from verifier.api.parsing import Blueprint
from verifier.current import current_services
from verifier.ports import AuditQuery

blp = Blueprint("audit", __name__, url_prefix="/v1/audit", description="Audit trail (admin)")


@blp.route("")
class Audit(MethodView):
    @blp.arguments(AuditQuerySchema, location="query")
    @blp.response(200, AuditPageSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Every create, read, list and export of PHI: who, what, when, from where, outcome."""
        items, total = current_services().audit.find(AuditQuery(**query))
        return page(items, total, query)
