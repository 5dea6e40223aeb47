"""Fixtures: a fresh restore of the reference fixture database per test."""
from __future__ import annotations

import pytest

from tests.adoption.support import DUMP, drop_database, reference_database


@pytest.fixture
async def reference_url():
    if not DUMP.exists():
        pytest.skip(f"reference fixture missing: {DUMP}")
    url = await reference_database()
    yield url
    await drop_database(url)
