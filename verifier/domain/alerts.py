"""Which changes between two verifications admissions must act on before a person's admission."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

# The kinds of change that can stop or delay an admission, as staff name them.
ALERT_KINDS = {
    "coverage_lost": "Coverage lost",
    "iop_mental_health_changed": "Mental health IOP changed",
    "iop_substance_use_changed": "Substance use IOP changed",
    "dual_diagnosis_changed": "Dual-diagnosis coverage changed",
    "prior_auth_changed": "Prior authorization now required",
    "plan_changed": "Plan changed",
}
# Near: admissions from a week ago (people still starting) to this many days ahead.
DAYS_BEHIND = 7
DAYS_AHEAD = 30


def matters(kind: str, before: Any, after: Any) -> bool:
    """An alert kind; for prior authorization, only when some level now requires it that did
    not before (no longer needing it is good news, not an alert)."""
    if kind not in ALERT_KINDS:
        return False
    if kind != "prior_auth_changed":
        return True
    was = before if isinstance(before, Mapping) else {}
    now = after if isinstance(after, Mapping) else {}
    return any(value is True and was.get(level) is not True for level, value in now.items())


def admission_near(
    admission: date, today: date, ahead: int = DAYS_AHEAD, behind: int = DAYS_BEHIND
) -> bool:
    """The admission is within `behind` days before today and `ahead` days after."""
    return today - timedelta(days=behind) <= admission <= today + timedelta(days=ahead)
