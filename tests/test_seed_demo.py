"""`seed-demo` against a real scratch PostgreSQL database."""

from __future__ import annotations

import asyncio
import os
import secrets
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import asyncpg
import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
for path in (ROOT, ROOT / "bin"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from cli.seed_demo import normalize_url, seed_demo  # noqa: E402

from tests.support.rollups import assert_rollups_match  # noqa: E402

ADMIN_URL = os.environ.get("MAWID_TEST_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
SCHEMA = (ROOT / "sql" / "migrations" / "0001_core_schema.sql").read_text()


async def _create(name: str) -> str:
    admin = await asyncpg.connect(ADMIN_URL)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    url = ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    conn = await asyncpg.connect(url)
    try:
        async with conn.transaction():
            await conn.execute(SCHEMA)
    finally:
        await conn.close()
    return url


async def _drop(name: str) -> None:
    admin = await asyncpg.connect(ADMIN_URL)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture
def scratch_url():
    name = f"mawid_seed_test_{secrets.token_hex(4)}"
    url = asyncio.run(_create(name))
    try:
        yield url
    finally:
        asyncio.run(_drop(name))


async def _facts(url: str) -> dict:
    conn = await asyncpg.connect(url)
    try:
        return {
            "customers": await conn.fetchval("SELECT count(*) FROM customers"),
            "distinct_wa": await conn.fetchval("SELECT count(DISTINCT wa_id) FROM customers"),
            "bad_wa": await conn.fetchval("SELECT count(*) FROM customers WHERE wa_id !~ '^[0-9]{10,15}$'"),
            "saudi": await conn.fetchval("SELECT count(*) FROM customers WHERE wa_id ~ '^9665[0-9]{8}$'"),
            "arabic": await conn.fetchval("SELECT count(*) FROM customers WHERE customer_name ~ '[ء-ي]'"),
            "english": await conn.fetchval("SELECT count(*) FROM customers WHERE customer_name ~ '^[A-Z][a-z]+ '"),
            "unnamed": await conn.fetchval("SELECT count(*) FROM customers WHERE customer_name IS NULL"),
            "messages": await conn.fetchval("SELECT count(*) FROM conversation"),
            "roles": {r["role"] for r in await conn.fetch("SELECT DISTINCT role FROM conversation")},
            "first_roles": {
                r["role"]
                for r in await conn.fetch(
                    "SELECT DISTINCT ON (wa_id) role FROM conversation ORDER BY wa_id, local_date, local_time, id"
                )
            },
            "orphans": await conn.fetchval(
                "SELECT count(*) FROM conversation c"
                " WHERE NOT EXISTS (SELECT 1 FROM customers u WHERE u.wa_id = c.wa_id)"
            ),
            "reservations": await conn.fetchval("SELECT count(*) FROM reservations"),
            "fridays": await conn.fetchval(
                "SELECT count(*) FROM reservations WHERE extract(isodow FROM slot_date) = 5"
            ),
            "slot_times": {
                str(r["slot_time"]) for r in await conn.fetch("SELECT DISTINCT slot_time FROM reservations")
            },
            "cancelled": await conn.fetchval("SELECT count(*) FROM reservations WHERE status = 'cancelled'"),
            "inconsistent": await conn.fetchval(
                "SELECT count(*) FROM reservations WHERE (status = 'cancelled') <> (cancelled_at IS NOT NULL)"
            ),
            # relative to the seeder's today, the business time zone's (the database's may be a day behind)
            "range": await conn.fetchrow(
                "SELECT min(slot_date) - $1::date AS lo, max(slot_date) - $1::date AS hi FROM reservations",
                datetime.now(ZoneInfo(os.environ.get("TIMEZONE") or "Asia/Riyadh")).date(),
            ),
            "indexes": await conn.fetchval(
                "SELECT count(*) FROM pg_indexes WHERE tablename IN ('customers', 'conversation', 'reservations')"
            ),
            "fkeys": await conn.fetchval("SELECT count(*) FROM pg_constraint WHERE contype = 'f'"),
        }
    finally:
        await conn.close()


async def _count_schema(url: str) -> tuple[int, int]:
    conn = await asyncpg.connect(url)
    try:
        indexes = await conn.fetchval(
            "SELECT count(*) FROM pg_indexes WHERE tablename IN ('customers', 'conversation', 'reservations')"
        )
        return indexes, await conn.fetchval("SELECT count(*) FROM pg_constraint WHERE contype = 'f'")
    finally:
        await conn.close()


async def _violations(url: str) -> list[type[Exception]]:
    conn = await asyncpg.connect(url)
    caught: list[type[Exception]] = []
    statements = (
        "INSERT INTO conversation (wa_id, role, message) VALUES ('000', 'user', 'x')",
        "INSERT INTO reservations (wa_id, slot_date, slot_time, type)"
        " SELECT wa_id, current_date, '11:00', 2 FROM customers LIMIT 1",
    )
    try:
        for sql in statements:
            try:
                await conn.execute(sql)
            except asyncpg.PostgresError as exc:
                caught.append(type(exc))
    finally:
        await conn.close()
    return caught


def test_seed_demo_loads_realistic_rows(scratch_url: str) -> None:
    indexes_before, fkeys_before = asyncio.run(_count_schema(scratch_url))
    runner = CliRunner()
    args = ["--customers", "500", "--seed", "42", "--database-url", scratch_url.replace("postgresql://", "postgresql+psycopg://")]
    result = runner.invoke(seed_demo, args)
    assert result.exit_code == 0, result.output

    facts = asyncio.run(_facts(scratch_url))
    assert facts["customers"] == facts["distinct_wa"] == 500
    assert facts["bad_wa"] == 0
    assert 400 <= facts["saudi"] < 500  # mostly Saudi, some other countries
    assert facts["arabic"] > 200 and facts["english"] > 20 and facts["unnamed"] > 10
    assert facts["messages"] == 5000
    assert facts["roles"] == {"user", "assistant"} and facts["first_roles"] == {"user"}
    assert facts["orphans"] == 0
    assert facts["reservations"] == 750
    assert facts["fridays"] == 0
    assert facts["slot_times"] <= {"11:00:00", "13:00:00", "15:00:00", "17:00:00"}
    assert 0.05 * 750 < facts["cancelled"] < 0.3 * 750
    assert facts["inconsistent"] == 0
    assert facts["range"]["lo"] >= -365 and facts["range"]["hi"] <= 60
    # dropped-and-rebuilt indexes and foreign keys are all back, and enforced
    assert (facts["indexes"], facts["fkeys"]) == (indexes_before, fkeys_before)
    assert asyncio.run(_violations(scratch_url)) == [
        asyncpg.ForeignKeyViolationError,
        asyncpg.CheckViolationError,
    ]

    again = runner.invoke(seed_demo, args)
    assert again.exit_code != 0 and "--append" in again.output

    more = runner.invoke(seed_demo, ["--customers", "100", "--append", *args[2:]])
    assert more.exit_code == 0, more.output
    facts = asyncio.run(_facts(scratch_url))
    assert facts["customers"] == facts["distinct_wa"] == 600
    assert facts["messages"] == 6000


async def _triggers_enabled(url: str) -> set[str]:
    conn = await asyncpg.connect(url)
    try:
        return {r["tgenabled"].decode() for r in await conn.fetch(
            "SELECT tgenabled FROM pg_trigger WHERE NOT tgisinternal AND tgrelid = ANY ($1::regclass[])",
            ["conversation", "reservations", "conversation_reply_delays"])}
    finally:
        await conn.close()


async def _rollups_match(url: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await assert_rollups_match(conn)
    finally:
        await conn.close()


async def _messages_out_of_time_order(url: str) -> int:
    """Messages stored (in physical order) after a later one."""
    conn = await asyncpg.connect(url)
    try:
        return await conn.fetchval(
            "SELECT count(*) FROM (SELECT (local_date, local_time) < lag((local_date, local_time)) OVER (ORDER BY ctid)"
            " AS earlier FROM conversation) AS m WHERE earlier")
    finally:
        await conn.close()


def test_seed_demo_into_a_migrated_database_leaves_every_rollup_right(db_url: str) -> None:
    """The fresh load pauses the triggers that keep the derived tables (directory, /stats rollups) and rebuilds
    them once; an --append load goes through the triggers. Either way they equal the direct computation."""
    runner = CliRunner()
    result = runner.invoke(seed_demo, ["--customers", "300", "--seed", "7", "--database-url", db_url])
    assert result.exit_code == 0, result.output
    assert "rollups" in result.output
    assert asyncio.run(_triggers_enabled(db_url)) == {"O"}  # enabled again
    asyncio.run(_rollups_match(db_url))
    assert asyncio.run(_messages_out_of_time_order(db_url)) == 0  # laid out as live traffic would be

    more = runner.invoke(seed_demo, ["--customers", "40", "--seed", "8", "--append", "--database-url", db_url])
    assert more.exit_code == 0, more.output
    asyncio.run(_rollups_match(db_url))


def test_normalize_url() -> None:
    assert normalize_url("postgresql+psycopg://u:p@h:5432/db") == "postgresql://u:p@h:5432/db"
    assert normalize_url("postgresql+asyncpg://h/db") == "postgresql://h/db"
    assert normalize_url("postgres://h/db") == "postgres://h/db"
