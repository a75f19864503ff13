"""A local mock clearinghouse (Stedi/Change eligibility v3) answering the mock scenarios."""

from __future__ import annotations

from adapters.mock_clearinghouse.server import Counters, MockClearinghouse
from adapters.mock_clearinghouse.to_json import clearinghouse_response

__all__ = ["Counters", "MockClearinghouse", "clearinghouse_response"]
