"""Cost estimates: what a planned IOP course will cost the client, from a verification."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import abort

from schemas.estimate import EstimateRequestSchema, EstimateSchema
from verifier.api.parsing import Blueprint
from verifier.current import current_services
from verifier.domain.estimate import Schedule, cents
from verifier.domain.summary import DISCLAIMER
from verifier.services.reading import NotEstimable, estimate_from, read

blp = Blueprint("estimates", __name__, url_prefix="/v1/verifications", description="Cost estimates")


@blp.route("/<string:verification_id>/estimate")
class Estimate(MethodView):
    @blp.arguments(EstimateRequestSchema)
    @blp.response(200, EstimateSchema)
    @blp.alt_response(409, description="The verification has no usable payer answer yet")
    def post(self, data: dict[str, Any], verification_id: str) -> dict[str, Any]:
        """Estimate what a planned IOP course will cost the client.

        Day by day: the remaining deductible first, then the copay or coinsurance, capped at the
        remaining out-of-pocket maximum. Figures the payer did not give are listed in `unknown`
        and assumed the costly way; `steps` explains the reasoning for an admissions coordinator.
        """
        services = current_services()
        seen = read(services.service, services.phone, verification_id)
        schedule = Schedule(
            days_per_week=data["days_per_week"],
            weeks=data["weeks"],
            charge_per_day=data["charge_per_day"],
            network=data["network"],
        )
        try:
            estimate = estimate_from(seen, data["level"], schedule)
        except NotEstimable as refused:
            abort(409, message=str(refused))
        return {
            "verification_id": verification_id,
            "level": data["level"],
            "network": data["network"],
            "days_per_week": schedule.days_per_week,
            "weeks": schedule.weeks,
            "charge_per_day": str(cents(schedule.charge_per_day)),
            "days": estimate.days,
            "total_charge": str(estimate.total_charge),
            "client_pays": str(estimate.client_pays),
            "plan_pays": str(estimate.plan_pays),
            "steps": estimate.steps,
            "unknown": estimate.unknown,
            "disclaimer": DISCLAIMER,
        }
