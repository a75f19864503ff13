"""The payer directory endpoint."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from adapters.directory import PayerSettings
from schemas.record import PayerEntrySchema, PayerQuerySchema
from verifier.api.parsing import Blueprint
from verifier.current import current_services

blp = Blueprint("payers", __name__, url_prefix="/v1/payers", description="Payer directory")


@blp.route("")
class Payers(MethodView):
    @blp.arguments(PayerQuerySchema, location="query")
    @blp.response(200, PayerEntrySchema(many=True))
    def get(self, query: dict[str, Any]) -> list[PayerSettings]:
        """The payers this service can verify with, best match first: with `q`, an exact id or
        alias, then names that start with it, then the rest that hold it."""
        directory = current_services().directory
        return directory.search(query.get("q"), limit=query["limit"])
