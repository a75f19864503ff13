"""The `verifications` table, in SQLAlchemy Core, portable across SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    false,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime that is always stored and returned in UTC.

    SQLite has no timezone type and hands back naive values; PostgreSQL hands them back in the
    session's zone. Either way callers get aware UTC. Raises ValueError on a naive datetime,
    because guessing its zone would silently shift a record's dates.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime; store timezone-aware datetimes only")
        value = value.astimezone(UTC)
        # SQLite would store the offset text and then compare strings; naive UTC sorts correctly.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# none_as_null: a missing determination or error is SQL NULL, not the JSON text "null".
NullableJSON = JSON(none_as_null=True)


def protector_of(dialect: Dialect) -> Any:
    """The Protector `make_engine` attached to this engine's dialect."""
    protector = getattr(dialect, "verifier_protector", None)
    if protector is None:
        raise RuntimeError("this engine has no data keys: pass them to make_engine")
    return protector


class EncryptedText(TypeDecorator[str]):
    """Text encrypted at rest with the engine's keys."""

    impl = Text()
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else str(protector_of(dialect).encrypt(value))

    def process_result_value(self, value: Any | None, dialect: Dialect) -> str | None:
        return None if value is None else str(protector_of(dialect).decrypt(value))


class EncryptedJSON(TypeDecorator[Any]):
    """JSON encrypted at rest; SQL NULL for None."""

    impl = Text()
    cache_ok = True

    def process_bind_param(self, value: Any | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return str(protector_of(dialect).encrypt(json.dumps(value, separators=(",", ":"))))

    def process_result_value(self, value: Any | None, dialect: Dialect) -> Any | None:
        return None if value is None else json.loads(protector_of(dialect).decrypt(value))


metadata = MetaData()

verifications = Table(
    "verifications",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("state", String(16), nullable=False, index=True),
    Column("status", String(32), nullable=True, index=True),
    Column("payer_id", String(64), nullable=False, index=True),
    Column("member_id", String(128), nullable=False, index=True),
    Column("created_at", UTCDateTime(), nullable=False, index=True),
    Column("completed_at", UTCDateTime(), nullable=True),
    # PHI is encrypted; member_id holds the HMAC blind index, never the id itself.
    Column("request", EncryptedJSON(), nullable=False),
    Column("raw_response", EncryptedText(), nullable=True),
    Column("response_format", String(32), nullable=True),
    Column("determination", EncryptedJSON(), nullable=True),
    Column("summary", EncryptedText(), nullable=True),
    Column("error", NullableJSON, nullable=True),
    # 42 CFR Part 2: verifications that concern substance use are tagged for their stricter rules.
    Column("concerns_substance_use", Boolean(), nullable=False, server_default=false()),
    # A member's history is read newest first; this serves it without a sort.
    Index("ix_verifications_member_id_created_at", "member_id", "created_at"),
)

# The one job queue: async API requests and re-verification. Each job completes one verification
# row created with it, so re-running a job after a crash never makes a second row.
OPEN_JOB_STATES = ("queued", "running")
# Written out, not bound: a database uses the partial index below only for a query whose
# WHERE repeats the index's own condition, which a bound parameter cannot show it does.
OPEN_JOB = f"state IN ({', '.join(repr(state) for state in OPEN_JOB_STATES)})"
jobs = Table(
    "jobs",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("verification_id", String(32), nullable=False, unique=True),
    Column("member_id", String(128), nullable=False),
    Column("payer_id", String(64), nullable=False),
    # The blind index of the person asked about (subscriber, patient, date of service), so two
    # people on one family member id never share a job; empty for jobs from before 0007.
    Column("person", String(128), nullable=False, server_default=""),
    Column("source", String(16), nullable=False, index=True),
    Column("state", String(16), nullable=False),
    Column("attempts", Integer(), nullable=False),
    Column("max_attempts", Integer(), nullable=False),
    Column("run_after", UTCDateTime(), nullable=False),
    Column("lease_expires_at", UTCDateTime(), nullable=True),
    Column("locked_by", String(64), nullable=True),
    Column("callback_url", Text(), nullable=True),
    Column("last_error", String(64), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("finished_at", UTCDateTime(), nullable=True),
    # Claiming reads ready jobs in order of when they may run.
    Index("ix_jobs_state_run_after", "state", "run_after"),
    # At most one open job per person asked about, member and payer: asking twice is a no-op.
    Index(
        "ux_jobs_open_person",
        "member_id",
        "payer_id",
        "person",
        unique=True,
        sqlite_where=text(OPEN_JOB),
        postgresql_where=text(OPEN_JOB),
    ),
)

# Changes that matter to admissions, found by comparing a verification with the member's last.
change_events = Table(
    "change_events",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("verification_id", String(32), nullable=False, index=True),
    Column("previous_verification_id", String(32), nullable=False),
    Column("member_id", String(128), nullable=False, index=True),
    Column("payer_id", String(64), nullable=False),
    Column("kind", String(48), nullable=False, index=True),
    Column("summary", Text(), nullable=False),
    Column("before", NullableJSON, nullable=True),
    Column("after", NullableJSON, nullable=True),
    Column("created_at", UTCDateTime(), nullable=False, index=True),
)

# API keys: only a SHA-256 of each key is kept (keys are 256-bit random, so no slow hash is needed).
api_keys = Table(
    "api_keys",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("scopes", JSON(), nullable=False),
    Column("allowed_origins", JSON(), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("revoked_at", UTCDateTime(), nullable=True),
)

# Append-only: who did what to which record, from where, with what outcome. Never a PHI value.
audit_events = Table(
    "audit_events",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("at", UTCDateTime(), nullable=False, index=True),
    Column("key_id", String(32), nullable=True, index=True),
    # Staff signed in through the identity provider: its subject and their email (not PHI).
    Column("subject", String(255), nullable=True, index=True),
    Column("email", String(320), nullable=True),
    Column("action", String(16), nullable=False),
    Column("resource", String(32), nullable=False),
    Column("resource_id", String(32), nullable=True, index=True),
    Column("route", String(100), nullable=False),
    Column("method", String(8), nullable=False),
    Column("client_address", String(64), nullable=True),
    Column("status_code", Integer(), nullable=False),
    Column("request_id", String(32), nullable=True),
)

# Idempotency-Key: the same key and body give the same verification without a second payer call.
idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("key_id", String(32), primary_key=True),
    Column("idempotency_key", String(200), primary_key=True),
    Column("body_hash", String(64), nullable=False),
    Column("verification_id", String(32), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
)

# What a payer representative confirmed on a call, recorded by staff against a verification.
phone_facts = Table(
    "phone_facts",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("verification_id", String(32), nullable=False, index=True),
    Column("added_at", UTCDateTime(), nullable=False),
    Column("added_by", String(32), nullable=True),
    Column("added_by_name", String(100), nullable=True),
    # The call details may mention the member, so they are encrypted like the rest of the PHI.
    Column("facts", EncryptedJSON(), nullable=False),
)

# Rate-limit counters every server process shares: events per bucket (a SHA-256 of what is
# limited, so no client address is stored) per fixed window, starting on the window in epoch
# seconds. verifier/security/ratelimit.py turns two of them into a sliding window.
rate_windows = Table(
    "rate_windows",
    metadata,
    Column("bucket", String(64), primary_key=True),
    Column("window_start", BigInteger(), primary_key=True),
    Column("events", Integer(), nullable=False),
    # Old windows are deleted by start.
    Index("ix_rate_windows_window_start", "window_start"),
)

# Staff's follow-up of an intake submission (a verification whose job's source is `intake`):
# no row means new. Who changed it last and when; the audit trail keeps every change.
INTAKE_STATUSES = ("new", "contacted", "closed")
intake_follow_ups = Table(
    "intake_follow_ups",
    metadata,
    Column("verification_id", String(32), primary_key=True),
    Column("status", String(16), nullable=False, index=True),
    Column("changed_at", UTCDateTime(), nullable=False),
    Column("changed_by", String(32), nullable=True),
    Column("changed_by_name", String(100), nullable=True),
)
