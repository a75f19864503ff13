"""The stored verification record, its list page and its query parameters."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from schemas.determination import STATUSES, DeterminationSchema
from schemas.request import StrictSchema


class RecordErrorSchema(Schema):
    code = fields.String()
    message = fields.String()
    retryable = fields.Boolean()


# verifier/domain/identity.py compares these (tests/unit/test_identity.py holds them equal).
IDENTITY_DIFFERENCES = ["first_name", "last_name", "date_of_birth", "member_id", "payer_correction"]


class IdentitySchema(Schema):
    """Is the member the payer answered for the person asked about?"""

    matches = fields.Boolean(
        allow_none=True,
        metadata={
            "description": "true when every field both sides state agrees; false on a difference"
            " or a correction the payer reported; null with no member in the answer (pending,"
            " failed, not_found, rejected, payer_unavailable, or no comparable fields)"
        },
    )
    differences = fields.List(
        fields.String(validate=validate.OneOf(IDENTITY_DIFFERENCES)),
        metadata={
            "description": "names of the fields that differ (never their values): first_name,"
            " last_name, date_of_birth, member_id; payer_correction when the payer reported"
            " correcting the member's details (INS03 001, INS04 25)"
        },
    )


class VerificationRecordSchema(Schema):
    """One verification: pending until the payer answers; complete or failed after."""

    id = fields.String()
    state = fields.String(validate=validate.OneOf(["pending", "complete", "failed"]))
    created_at = fields.DateTime()
    completed_at = fields.DateTime(allow_none=True)
    payer_id = fields.String()
    request = fields.Dict(metadata={"description": "the request body as sent"})
    determination = fields.Nested(DeterminationSchema, allow_none=True)
    summary = fields.String(
        allow_none=True,
        metadata={"description": "plain-language summary; its first line flags a different person"},
    )
    error = fields.Nested(RecordErrorSchema, allow_none=True)
    identity = fields.Nested(
        IdentitySchema,
        metadata={"description": "the person asked about against the member answered for"},
    )
    phone_facts = fields.List(fields.Dict(), metadata={"description": "facts confirmed by phone"})


class PhoneFactSchema(StrictSchema):
    """What a payer representative confirmed on a call."""

    rep_name = fields.String(required=True, validate=validate.Length(1, 100))
    call_reference = fields.String(required=True, validate=validate.Length(1, 100))
    level = fields.String(
        required=True,
        validate=validate.OneOf(
            ["iop_mental_health", "iop_substance_use", "php_mental_health", "php_substance_use"]
        ),
    )
    covered = fields.Boolean(load_default=None, allow_none=True)
    prior_auth_required = fields.Boolean(load_default=None, allow_none=True)
    prior_auth_phone = fields.String(
        load_default=None, allow_none=True, validate=validate.Regexp(r"^[0-9+() .\-]{7,25}$")
    )
    day_limit = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(0, 3650))
    visit_limit = fields.Integer(
        load_default=None, allow_none=True, validate=validate.Range(0, 3650)
    )
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=1000))


class PageSchema(Schema):
    """One page of a list: the matching total, and where this page starts and how long it is."""

    total = fields.Integer()
    limit = fields.Integer()
    offset = fields.Integer()


class VerificationPageSchema(PageSchema):
    items = fields.List(fields.Nested(VerificationRecordSchema))


class VerificationQuerySchema(StrictSchema):
    member_id = fields.String(validate=validate.Length(1, 80))
    payer_id = fields.String(validate=validate.Length(1, 64))
    status = fields.String(validate=validate.OneOf(STATUSES))
    state = fields.String(validate=validate.OneOf(["pending", "complete", "failed"]))
    created_from = fields.Date(metadata={"description": "on or after this day (UTC)"})
    created_to = fields.Date(metadata={"description": "on or before this day (UTC)"})
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 200))
    offset = fields.Integer(load_default=0, validate=validate.Range(0, 1_000_000))


class PayerEntrySchema(Schema):
    id = fields.String()
    name = fields.String()
    adapter = fields.String()
    aliases = fields.List(fields.String())


class PayerQuerySchema(StrictSchema):
    q = fields.String(
        validate=validate.Length(1, 100),
        metadata={"description": "part of an id, a name or an alias"},
    )
    limit = fields.Integer(
        load_default=20,
        validate=validate.Range(1, 100),
        metadata={"description": "at most this many payers, best first (default 20)"},
    )


class ErrorSchema(Schema):
    """The one error shape of the whole API."""

    code = fields.Integer()
    status = fields.String()
    message = fields.String()
    errors = fields.Dict(metadata={"description": "bad fields by dotted path, each with messages"})


CHANGE_KINDS = [
    "coverage_lost",
    "coverage_regained",
    "iop_mental_health_changed",
    "iop_substance_use_changed",
    "dual_diagnosis_changed",
    "prior_auth_changed",
    "plan_changed",
    "payer_changed",
    "deductible_met",
    "out_of_pocket_met",
]


class ChangeEventSchema(Schema):
    id = fields.String()
    verification_id = fields.String()
    previous_verification_id = fields.String()
    member_id = fields.String()
    payer_id = fields.String()
    kind = fields.String(validate=validate.OneOf(CHANGE_KINDS))
    summary = fields.String()
    before = fields.Raw(allow_none=True)
    after = fields.Raw(allow_none=True)
    created_at = fields.DateTime()


class ChangePageSchema(PageSchema):
    items = fields.List(fields.Nested(ChangeEventSchema))


class ChangeQuerySchema(StrictSchema):
    member_id = fields.String(validate=validate.Length(1, 80))
    kind = fields.String(validate=validate.OneOf(CHANGE_KINDS))
    created_from = fields.Date()
    created_to = fields.Date()
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 200))
    offset = fields.Integer(load_default=0, validate=validate.Range(0, 1_000_000))


class AuditEventSchema(Schema):
    id = fields.String()
    at = fields.DateTime()
    key_id = fields.String(allow_none=True)
    subject = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    action = fields.String()
    resource = fields.String()
    resource_id = fields.String(allow_none=True)
    route = fields.String()
    method = fields.String()
    client_address = fields.String(allow_none=True)
    status_code = fields.Integer()
    request_id = fields.String(allow_none=True)


class AuditPageSchema(PageSchema):
    items = fields.List(fields.Nested(AuditEventSchema))


class AuditQuerySchema(StrictSchema):
    key_id = fields.String(validate=validate.Length(1, 32))
    subject = fields.String(validate=validate.Length(1, 255))
    resource_id = fields.String(validate=validate.Length(1, 32))
    action = fields.String(validate=validate.OneOf(["create", "read", "list", "update", "export"]))
    created_from = fields.Date()
    created_to = fields.Date()
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 500))
    offset = fields.Integer(load_default=0, validate=validate.Range(0, 1_000_000))
