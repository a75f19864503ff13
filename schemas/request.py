"""The verification request body, as DESIGN.md fixes it; every message is one a form can show."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    validate,
    validates,
    validates_schema,
)

_ID = validate.Regexp(
    r"^[A-Za-z0-9][A-Za-z0-9 \-]*$", error="Use letters, digits, spaces and hyphens only."
)
_NAME = validate.Length(min=1, max=60, error="Enter between 1 and 60 characters.")
_REQUIRED: dict[str, Any] = {
    "required": "This field is required.",
    "null": "This field is required.",
}


def _npi_is_valid(npi: str) -> bool:
    """The NPI check digit (Luhn over the 80840 prefix)."""
    digits = [int(c) for c in "80840" + npi[:-1]]
    total = 0
    for index, digit in enumerate(reversed(digits)):
        if index % 2 == 0:
            digit *= 2
            digit = digit - 9 if digit > 9 else digit
        total += digit
    return (10 - total % 10) % 10 == int(npi[-1])


def _birth_date(value: date) -> None:
    if value > date.today():
        raise ValidationError("Date of birth cannot be in the future.")
    if value < date(1900, 1, 1):
        raise ValidationError("Date of birth must be after 1900-01-01.")


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE


# Member fields the verification request and the intake form both take. A marshmallow field
# belongs to one schema, so each schema gets its own from these.
def name_field() -> fields.String:
    return fields.String(required=True, validate=_NAME, error_messages=_REQUIRED)


def birth_date_field() -> fields.Date:
    return fields.Date(
        required=True,
        validate=_birth_date,
        error_messages={**_REQUIRED, "invalid": "Enter a real date as YYYY-MM-DD."},
    )


def member_id_field() -> fields.String:
    return fields.String(
        required=True, validate=[validate.Length(1, 80), _ID], error_messages=_REQUIRED
    )


def group_number_field() -> fields.String:
    return fields.String(
        load_default=None, allow_none=True, validate=[validate.Length(max=50), _ID]
    )


def payer_id_field() -> fields.String:
    return fields.String(required=True, validate=validate.Length(1, 64), error_messages=_REQUIRED)


class SubscriberSchema(StrictSchema):
    member_id = member_id_field()
    first_name = name_field()
    last_name = name_field()
    date_of_birth = birth_date_field()
    group_number = group_number_field()


class PatientSchema(StrictSchema):
    first_name = name_field()
    last_name = name_field()
    date_of_birth = birth_date_field()
    relationship = fields.String(
        required=True,
        validate=validate.OneOf(
            ["spouse", "child", "other"], error="Choose spouse, child or other."
        ),
        error_messages=_REQUIRED,
    )


class ProviderSchema(StrictSchema):
    npi = fields.String(required=True, error_messages=_REQUIRED)
    name = fields.String(required=True, validate=validate.Length(1, 60), error_messages=_REQUIRED)

    @validates("npi")
    def _npi(self, value: str, **_: Any) -> None:
        if len(value) != 10 or not value.isdigit():
            raise ValidationError("An NPI is 10 digits.")
        if not _npi_is_valid(value):
            raise ValidationError("This NPI's check digit is wrong; check for a typo.")


class VerificationRequestSchema(StrictSchema):
    """Member and plan data for one verification."""

    payer_id = payer_id_field()
    subscriber = fields.Nested(SubscriberSchema, required=True, error_messages=_REQUIRED)
    patient = fields.Nested(PatientSchema, load_default=None, allow_none=True)
    provider = fields.Nested(ProviderSchema, load_default=None, allow_none=True)
    service_date = fields.Date(
        load_default=None,
        allow_none=True,
        error_messages={"invalid": "Enter a real date as YYYY-MM-DD."},
    )
    contact = fields.Dict(
        load_default=None,
        allow_none=True,
        metadata={"description": "intake submissions only: how to reach the person"},
    )
    consent = fields.Boolean(
        load_default=None,
        allow_none=True,
        metadata={"description": "intake submissions only: the person agreed to the check"},
    )
    mode = fields.String(
        load_default="sync",
        validate=validate.OneOf(["sync", "async"], error="Choose sync or async."),
        metadata={"description": "async: answer 202 at once and verify in the background"},
    )
    callback_url = fields.Url(
        load_default=None,
        allow_none=True,
        schemes={"http", "https"},
        require_tld=False,
        validate=validate.Length(max=2000),
        metadata={
            "description": "async only: receives a signed webhook when the verification ends"
        },
    )

    @validates_schema
    def _service_date(self, data: dict[str, Any], **_: Any) -> None:
        when = data.get("service_date")
        if when is None:
            return
        if when > date.today() + timedelta(days=366):
            raise ValidationError("Choose a date within the next year.", "service_date")
        if when < date.today() - timedelta(days=730):
            raise ValidationError("Payers answer for dates up to two years back.", "service_date")
