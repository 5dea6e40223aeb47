"""Fixtures: a fresh restore of the reference fixture database per test.

Dropping a database makes PostgreSQL checkpoint (seconds each), so scratch databases
are dropped together, concurrently, when the session ends.
"""
from __future__ import annotations

import asyncio

import pytest

from tests.adoption.support import DUMP, drop_database, reference_database, table_checksums
from tests.support.requirements import require_fixture

_SCRATCH: list[str] = []


@pytest.fixture(scope="session", autouse=True)
def _drop_scratch_databases():
    yield
    if _SCRATCH:
        async def drop_all() -> None:
            await asyncio.gather(*(drop_database(url) for url in _SCRATCH), return_exceptions=True)
        asyncio.run(drop_all())


def drop_later(url: str) -> str:
    _SCRATCH.append(url)
    return url


@pytest.fixture
async def reference_url():
    require_fixture(DUMP)
    return drop_later(await reference_database())


@pytest.fixture(scope="session")
def reference_checksums():
    """Per-table (count, checksum) of the pristine fixture, in normal form."""
    require_fixture(DUMP)
    url = drop_later(asyncio.run(reference_database()))
    return asyncio.run(table_checksums(url))
