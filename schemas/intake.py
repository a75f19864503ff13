"""The intake form's submission: what a prospective client types, nothing more."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate, validates

from schemas.request import (
    _ID,
    _NAME,
    _REQUIRED,
    StrictSchema,
    _birth_date,
)


class ContactSchema(StrictSchema):
    phone = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Regexp(r"^[0-9+() .\-]{7,25}$", error="Enter a phone number."),
    )
    email = fields.Email(
        load_default=None, allow_none=True, error_messages={"invalid": "Enter an email address."}
    )


class IntakeSchema(StrictSchema):
    """A prospective client's insurance card details, posted by a treatment centre's web form."""

    first_name = fields.String(required=True, validate=_NAME, error_messages=_REQUIRED)
    last_name = fields.String(required=True, validate=_NAME, error_messages=_REQUIRED)
    date_of_birth = fields.Date(
        required=True,
        validate=_birth_date,
        error_messages={**_REQUIRED, "invalid": "Enter a real date as YYYY-MM-DD."},
    )
    payer_id = fields.String(
        required=True, validate=validate.Length(1, 64), error_messages=_REQUIRED
    )
    member_id = fields.String(
        required=True, validate=[validate.Length(1, 80), _ID], error_messages=_REQUIRED
    )
    group_number = fields.String(
        load_default=None, allow_none=True, validate=[validate.Length(max=50), _ID]
    )
    contact = fields.Nested(ContactSchema, load_default=None, allow_none=True)
    consent = fields.Boolean(required=True, error_messages=_REQUIRED)

    @validates("consent")
    def _consent(self, value: bool, **_: Any) -> None:
        if value is not True:
            raise ValidationError("Please agree so we can check your benefits.")


class IntakeReceiptSchema(StrictSchema):
    reference = fields.String(metadata={"description": "quote this when you call"})
    message = fields.String()
