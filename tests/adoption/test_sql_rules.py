"""The SQL conversion functions (sql/adoption/functions.sql) agree with the Python rules."""
from __future__ import annotations

import asyncpg
import pytest

from actors.adoption import rules
from actors.adoption.inspect import FUNCTIONS_SQL
from tests.adoption.test_rules import BAD_CLOCKS, CLOCKS

DATES = ["2026-02-28", "2028-02-29", "2026-02-29", "2026-04-31", "2026-04-30", "2026-13-01", "0000-01-01",
         "2026/01/01", " 2026-01-05 ", "2026-1-5", "", "٢٠٢٦-٠١-٠١", "2026-01-05\n"]
STAMPS = ["2026-02-25T17:27:31Z", "2026-02-25T17:27:31", "2026-02-25T17:27:31.5+00:00", "2026-02-25 17:27:31",
          "2026-02-30T00:00:00Z", "2026-02-25T24:00:00Z", "nope"]
JSONS = ['{"a": 1}', "[1]", "{", '"text"', '{"a": NaN}', '{"a": "\\u0000"}', '{"ar": "عيادة"}']


@pytest.fixture
async def functions(db):
    """A connection where the conversion functions exist, rolled back afterwards."""
    transaction = db.transaction()
    await transaction.start()
    await db.execute(FUNCTIONS_SQL)
    yield db
    await transaction.rollback()


def python_or_none(rule, raw):
    try:
        return rule(raw)
    except rules.Unconvertible:
        return None


async def test_clock_time_agrees(functions: asyncpg.Connection):
    for raw in [c[0] for c in CLOCKS] + BAD_CLOCKS + [None]:
        sql = await functions.fetchval("SELECT mawid_adopt.clock_time($1)", raw)
        assert sql == python_or_none(rules.clock_time, raw), raw
        assert await functions.fetchval("SELECT mawid_adopt.time_format($1)", raw) == rules.time_format(raw), raw


async def test_local_date_agrees(functions: asyncpg.Connection):
    for raw in DATES + [None]:
        sql = await functions.fetchval("SELECT mawid_adopt.local_date($1)", raw)
        assert sql == python_or_none(rules.local_date, raw), raw


async def test_utc_stamp_agrees(functions: asyncpg.Connection):
    for raw in STAMPS:
        sql = await functions.fetchval("SELECT mawid_adopt.utc_stamp($1)", raw)
        assert sql == python_or_none(rules.utc_stamp, raw), raw


async def test_json_agrees(functions: asyncpg.Connection):
    for raw in JSONS:
        sql = await functions.fetchval(
            "SELECT jsonb_typeof(mawid_adopt.json_value($1)) = 'object'", raw)
        assert bool(sql) == (python_or_none(rules.json_object, raw) is not None), raw
