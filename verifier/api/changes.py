"""Changes that matter to admissions, found when a member is verified again."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from schemas.record import ChangePageSchema, ChangeQuerySchema
from verifier.api.paging import page
from verifier.api.parsing import Blueprint
from verifier.current import current_services
from verifier.ports import ChangeQuery

blp = Blueprint("changes", __name__, url_prefix="/v1/changes", description="Change events")


@blp.route("")
class Changes(MethodView):
    @blp.arguments(ChangeQuerySchema, location="query")
    @blp.response(200, ChangePageSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Coverage, IOP, prior-auth, plan and accumulator changes, newest first."""
        items, total = current_services().changes.find(ChangeQuery(**query))
        return page(items, total, query)
