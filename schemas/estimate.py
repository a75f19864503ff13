"""The IOP course estimate: its request (a planned schedule) and its answer, money as strings."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate

from schemas.request import StrictSchema

_REQUIRED: dict[str, Any] = {
    "required": "This field is required.",
    "null": "This field is required.",
}
_WHOLE = "Enter a whole number."
_Money = fields.String  # decimal strings, never floats: "300.00"
UNKNOWNS = ["coverage", "deductible", "cost_share", "out_of_pocket"]


def _amount(value: str) -> None:
    try:
        amount = Decimal(value)
    except InvalidOperation:
        return  # the pattern check beside this one says what is wrong
    if not amount.is_finite() or amount <= 0:
        raise ValidationError("Enter an amount above 0.")


class EstimateRequestSchema(StrictSchema):
    """A planned IOP course: how many days a week, for how many weeks, at what charge a day."""

    days_per_week = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(1, 7, error="Choose between 1 and 7 days a week."),
        error_messages={**_REQUIRED, "invalid": _WHOLE},
    )
    weeks = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(1, 52, error="Choose between 1 and 52 weeks."),
        error_messages={**_REQUIRED, "invalid": _WHOLE},
    )
    charge_per_day = fields.String(
        required=True,
        validate=[
            validate.Regexp(
                r"^\d{1,6}(\.\d{1,2})?$",
                error='Enter an amount in dollars and cents, like "300.00".',
            ),
            _amount,
        ],
        error_messages={
            **_REQUIRED,
            "invalid": 'Enter the amount as text in dollars and cents, like "300.00".',
        },
        metadata={
            "description": "the per-diem charge, or the plan's allowed amount when known",
            "example": "300.00",
        },
    )
    network = fields.String(
        load_default="in_network",
        validate=validate.OneOf(
            ["in_network", "out_of_network"], error="Choose in_network or out_of_network."
        ),
    )
    level = fields.String(
        load_default="iop_mental_health",
        validate=validate.OneOf(
            ["iop_mental_health", "iop_substance_use"],
            error="Choose iop_mental_health or iop_substance_use.",
        ),
    )

    @post_load
    def _decimal(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        return {**data, "charge_per_day": Decimal(data["charge_per_day"])}


class EstimateSchema(Schema):
    """What the course costs the client and the plan, with the reasoning in plain words."""

    verification_id = fields.String()
    level = fields.String()
    network = fields.String()
    days_per_week = fields.Integer()
    weeks = fields.Integer()
    charge_per_day = _Money()
    days = fields.Integer(metadata={"description": "treatment days in the course"})
    total_charge = _Money()
    client_pays = _Money(metadata={"description": "deductible, copays or coinsurance, capped"})
    plan_pays = _Money()
    steps = fields.List(fields.String(), metadata={"description": "the reasoning, in order"})
    # Named `unknown` in JSON; `Schema.unknown` is marshmallow's own setting.
    unknown_figures = fields.List(
        fields.String(validate=validate.OneOf(UNKNOWNS)),
        attribute="unknown",
        data_key="unknown",
        metadata={"description": "figures the payer did not give; assumed the costly way"},
    )
    disclaimer = fields.String()
