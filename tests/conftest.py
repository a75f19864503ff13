"""Shared fixtures."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import determine, fixture_path


@pytest.fixture
def x12() -> Any:
    """Determine a hand-written 271 by name."""
    return lambda name: determine(fixture_path(name))
