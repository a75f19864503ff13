"""The determination JSON (DESIGN.md "The determination"): documented for OpenAPI, dumped as is."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

_Money = fields.String  # decimal strings, never floats: "40.00"
STATUSES = ["active", "inactive", "not_found", "rejected", "payer_unavailable", "unknown"]
BASES = ["procedure", "facility_service_type", "general_service_type", "plan", "none"]
OTHER_PAYER_ROLES = ["primary", "secondary", "tertiary", "medicare_advantage", "other"]


class RejectionSchema(Schema):
    code = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    follow_up = fields.String(allow_none=True)
    retryable = fields.Boolean()


class MemberSchema(Schema):
    relationship = fields.String(
        allow_none=True, validate=validate.OneOf(["subscriber", "dependent"])
    )
    first_name = fields.String(allow_none=True)
    last_name = fields.String(allow_none=True)
    member_id = fields.String(allow_none=True)
    date_of_birth = fields.String(allow_none=True, metadata={"format": "date"})
    corrected = fields.Boolean(
        metadata={"description": "the payer corrected the member's details (INS03 001, INS04 25)"}
    )


class PlanSchema(Schema):
    name = fields.String(allow_none=True)
    group_number = fields.String(allow_none=True)
    insurance_type = fields.String(allow_none=True)
    coverage_begin = fields.String(allow_none=True, metadata={"format": "date"})
    coverage_end = fields.String(allow_none=True, metadata={"format": "date"})


class PayerSchema(Schema):
    name = fields.String(allow_none=True)
    id = fields.String(allow_none=True)


class AdministratorSchema(Schema):
    name = fields.String(allow_none=True)
    id = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)


class NetworkTermsSchema(Schema):
    covered = fields.Boolean(allow_none=True)
    copay = _Money(allow_none=True)
    copay_unit = fields.String(allow_none=True, validate=validate.OneOf(["visit", "day"]))
    coinsurance = fields.String(
        allow_none=True, metadata={"description": "patient share, 0.2 = 20%"}
    )
    basis = fields.String(
        validate=validate.OneOf(BASES),
        metadata={"description": "the level of the answer this block's figures came from"},
    )


class LimitSchema(Schema):
    quantity = fields.String(allow_none=True)
    unit = fields.String(allow_none=True)
    period = fields.String(allow_none=True)


class LevelOfCareSchema(Schema):
    covered = fields.Boolean(allow_none=True)
    basis = fields.String(
        validate=validate.OneOf(BASES),
        metadata={"description": "what the level's coverage rests on (CH/CJ facility types)"},
    )
    prior_auth_required = fields.Boolean(allow_none=True)
    in_network = fields.Nested(NetworkTermsSchema, allow_none=True)
    out_of_network = fields.Nested(NetworkTermsSchema, allow_none=True)
    network_not_stated = fields.Nested(
        NetworkTermsSchema,
        allow_none=True,
        metadata={"description": "rows without a network indicator (EB12), as Medicare sends"},
    )
    limits = fields.List(fields.Nested(LimitSchema))
    notes = fields.List(fields.String())
    evidence = fields.List(fields.String())
    source = fields.Dict(
        metadata={"description": "per value: electronic (the payer's answer) or phone"}
    )
    confirmed_by_phone = fields.Dict(
        metadata={"description": "values a payer representative confirmed, with who and when"}
    )


class LevelsOfCareSchema(Schema):
    iop_mental_health = fields.Nested(LevelOfCareSchema)
    iop_substance_use = fields.Nested(LevelOfCareSchema)
    php_mental_health = fields.Nested(LevelOfCareSchema)
    php_substance_use = fields.Nested(LevelOfCareSchema)


class DualDiagnosisSchema(Schema):
    covered = fields.Boolean(allow_none=True)
    explanation = fields.String()


class AccumulatorSchema(Schema):
    total = _Money(allow_none=True)
    remaining = _Money(allow_none=True)


class TiersSchema(Schema):
    individual = fields.Nested(AccumulatorSchema, allow_none=True)
    family = fields.Nested(AccumulatorSchema, allow_none=True)


class AccumulatorsSchema(Schema):
    in_network = fields.Nested(TiersSchema, allow_none=True)
    out_of_network = fields.Nested(TiersSchema, allow_none=True)
    network_not_stated = fields.Nested(TiersSchema, allow_none=True)


class OtherPayerSchema(Schema):
    """Another payer the answer names (EB01 R and loop 2120) and its place in the order."""

    role = fields.String(validate=validate.OneOf(OTHER_PAYER_ROLES))
    name = fields.String(allow_none=True)
    id = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    member_id = fields.String(allow_none=True)
    plan = fields.String(allow_none=True)
    coverage_begin = fields.String(allow_none=True, metadata={"format": "date"})
    coverage_end = fields.String(allow_none=True, metadata={"format": "date"})
    notes = fields.List(fields.String())


class DeterminationSchema(Schema):
    """What the payer's answer means for IOP and PHP. Unknown is null."""

    status = fields.String(validate=validate.OneOf(STATUSES))
    rejection = fields.Nested(RejectionSchema, allow_none=True)
    member = fields.Nested(MemberSchema)
    plan = fields.Nested(PlanSchema)
    payer = fields.Nested(PayerSchema)
    behavioral_health_administrator = fields.Nested(AdministratorSchema, allow_none=True)
    levels_of_care = fields.Nested(LevelsOfCareSchema)
    dual_diagnosis = fields.Nested(DualDiagnosisSchema)
    deductible = fields.Nested(AccumulatorsSchema)
    out_of_pocket = fields.Nested(AccumulatorsSchema)
    other_payers = fields.List(
        fields.Nested(OtherPayerSchema),
        metadata={"description": "who else pays, and in what order; bill a primary first"},
    )
    summary = fields.String()
