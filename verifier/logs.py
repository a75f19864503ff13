"""Structured JSON logs built from an allow-list of fields, so PHI cannot slip into them.

Every line is one JSON object. Our own events carry only the fields below; a field not on the
list is dropped, whatever a caller passes. Library log lines keep their message, which for the
libraries we use never carries request data (gunicorn's access log is set to the path only).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import IO, Any

import structlog

ALLOWED = frozenset(
    {
        "event",
        "level",
        "timestamp",
        "logger",
        "request_id",
        "verification_id",
        "job_id",
        "payer_id",
        "route",
        "method",
        "status",
        "duration_ms",
        "outcome",
        "error_code",
        "worker",
        "count",
    }
)


def allow_listed(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key in list(event):
        if key not in ALLOWED:
            del event[key]
    return event


def configure_logging(level: str = "INFO", stream: IO[str] | None = None) -> None:
    """Route structlog and the standard library through one JSON renderer on `stream`."""
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            allow_listed,
            structlog.processors.JSONRenderer(),
        ],
    )
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    for existing in list(root.handlers):
        if getattr(existing, "_verifier", False):
            root.removeHandler(existing)
    handler._verifier = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    # Authlib writes the PKCE code verifier at DEBUG: its lines stop at INFO, whatever the level.
    logging.getLogger("authlib").setLevel(max(logging.INFO, logging.getLevelName(level)))


def get_logger(name: str) -> Any:
    return structlog.get_logger(name)
