"""The intake form's submission: what a prospective client types, nothing more."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate, validates

from schemas.request import (
    _REQUIRED,
    StrictSchema,
    birth_date_field,
    group_number_field,
    member_id_field,
    name_field,
    payer_id_field,
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

    first_name = name_field()
    last_name = name_field()
    date_of_birth = birth_date_field()
    payer_id = payer_id_field()
    member_id = member_id_field()
    group_number = group_number_field()
    contact = fields.Nested(ContactSchema, load_default=None, allow_none=True)
    consent = fields.Boolean(required=True, error_messages=_REQUIRED)

    @validates("consent")
    def _consent(self, value: bool, **_: Any) -> None:
        if value is not True:
            raise ValidationError("Please agree so we can check your benefits.")


class IntakeReceiptSchema(StrictSchema):
    reference = fields.String(metadata={"description": "quote this when you call"})
    message = fields.String()
