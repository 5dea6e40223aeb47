"""`bin/mawid adopt` on a restore of the reference fixture database."""
from __future__ import annotations

import asyncio
import re

import asyncpg
import pytest

from actors.adoption.convert import adopt
from actors.adoption.inspect import AdoptionError
from runtime.migrate import MIGRATION_LOCK_KEY, discover, migrate
from tests.adoption.conftest import drop_later
from tests.adoption.support import TABLES, create_database, database_fingerprint, mawid, table_checksums
from tests.support.database import create_test_database

EXPECTED_ROWS = {"customers": 1500, "conversation": 50000, "reservations": 2500, "vacation_periods": 3,
                 "notification_events": 2000, "app_config": 1, "users": 2, "inbound_message_queue": 0}


async def _schema(url: str) -> dict[str, set]:
    conn = await asyncpg.connect(url)
    try:
        columns = await conn.fetch(
            "SELECT table_name, column_name, data_type, is_nullable, column_default, is_identity "
            "FROM information_schema.columns WHERE table_schema = 'public'")
        indexes = await conn.fetch("SELECT indexdef FROM pg_indexes WHERE schemaname = 'public'")
        constraints = await conn.fetch(
            "SELECT conrelid::regclass::text AS t, conname, pg_get_constraintdef(oid) AS d FROM pg_constraint "
            "WHERE connamespace = 'public'::regnamespace")
        functions = await conn.fetch(
            "SELECT p.proname, pg_get_functiondef(p.oid) AS d FROM pg_proc p "
            "WHERE p.pronamespace = 'public'::regnamespace AND p.proname NOT LIKE '%trgm%' "
            "AND p.proname NOT LIKE '%similarity%' AND p.proname NOT IN ('set_limit', 'show_limit')")
        migrations = await conn.fetch("SELECT version, name, checksum FROM schema_migrations")
        schemas = await conn.fetch("SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg_%' "
                                   "AND nspname <> 'information_schema'")
        return {
            "columns": {tuple(r.values()) for r in columns},
            "indexes": {r["indexdef"] for r in indexes},
            "constraints": {tuple(r.values()) for r in constraints},
            "functions": {tuple(r.values()) for r in functions},
            "migrations": {tuple(r.values()) for r in migrations},
            "schemas": {r["nspname"] for r in schemas},
        }
    finally:
        await conn.close()


async def test_dry_run_reports_the_conversions_and_changes_nothing(reference_url):
    before = await database_fingerprint(reference_url)
    run = mawid("adopt", "--dry-run", database_url=reference_url)
    assert run.returncode == 0, run.stderr
    out = run.stdout
    for line in ("conversation 43,633 time HH:MM:SS -> time", "conversation 3,309 time HH:MM -> time (seconds 00)",
                 "conversation 3,056 time h:MM AM/PM -> time (24-hour)",
                 "conversation 2 date and time both NULL, kept NULL",
                 "reservations 2,021 time_slot 24-hour -> time",
                 "reservations 479 time_slot 12-hour h:MM AM/PM -> time (24-hour)",
                 "vacation_periods 1 end_date = start_date + duration_days - 1 (legacy duration_days)",
                 "customers 8 document json -> jsonb", "users 2 others -> role staff",
                 "rows that cannot be converted: none", "dry run: nothing was changed"):
        assert line in re.sub(r" +", " ", out), line
    assert await database_fingerprint(reference_url) == before


async def test_adopt_keeps_every_row_and_value_then_migrations_continue(reference_url, reference_checksums):
    before = await table_checksums(reference_url)
    assert before == reference_checksums
    assert {t: n for t, (n, _) in before.items()} == EXPECTED_ROWS

    run = mawid("adopt", database_url=reference_url)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "adopted: recorded migrations 0001_core_schema" in run.stdout
    assert "no adopted user is an admin" in run.stdout  # the fixture's two users are not superusers

    after = await table_checksums(reference_url)
    for table in TABLES:
        assert after[table] == before[table], f"{table} differs after adoption"

    conn = await asyncpg.connect(reference_url)
    try:
        # ids kept, identities continue after them
        assert await conn.fetchval("SELECT nextval(pg_get_serial_sequence('conversation', 'id'))") == 50001
        assert await conn.fetchval("SELECT nextval(pg_get_serial_sequence('reservations', 'id'))") == 2501
        assert await conn.fetchval("SELECT nextval(pg_get_serial_sequence('vacation_periods', 'id'))") == 4
        # legacy values, spot-checked
        assert str(await conn.fetchval("SELECT end_date FROM vacation_periods WHERE id = 1")) == "2026-03-24"
        users = await conn.fetch("SELECT email, role, hashed_password FROM users ORDER BY email")
        assert [(u["email"], u["role"]) for u in users] == [
            ("dr.huda@example.com", "staff"), ("reception@example.com", "staff")]
        assert all(u["hashed_password"].startswith("$argon2id$") for u in users)
        config = await conn.fetchval("SELECT config->>'llm_provider' FROM app_config")
        assert config == "anthropic"
        # the normal runner continues after the recorded core migration(s)
        applied = await migrate(conn)
        assert [m.version for m in applied] == [m.version for m in discover() if m.version > 99]
    finally:
        await conn.close()

    # the adopted-and-migrated schema is exactly a fresh Mawid schema
    fresh = drop_later(await create_test_database("mawid_adopt_fresh"))
    adopted_schema, fresh_schema = await _schema(reference_url), await _schema(fresh)
    for part in fresh_schema:
        if part == "migrations":
            assert {m[:3] for m in adopted_schema[part]} == {m[:3] for m in fresh_schema[part]}
        else:
            assert adopted_schema[part] == fresh_schema[part], part

    # a second run is harmless
    before_second = await database_fingerprint(reference_url)
    again = mawid("adopt", database_url=reference_url)
    assert again.returncode == 0, again.stderr
    assert "already a Mawid database" in again.stdout
    assert await database_fingerprint(reference_url) == before_second


async def test_corrupted_rows_are_listed_and_adopt_refuses_changing_nothing(reference_url):
    conn = await asyncpg.connect(reference_url)
    try:
        await conn.execute("UPDATE conversation SET time = '25:61' WHERE id = 777")
        await conn.execute("UPDATE reservations SET time_slot = 'after lunch' WHERE id = 42")
        # the reference's FK prevents an orphan; a damaged install may lack it
        await conn.execute("ALTER TABLE reservations DROP CONSTRAINT reservations_wa_id_fkey")
        await conn.execute("UPDATE reservations SET wa_id = '966500000001' WHERE id = 1234")
    finally:
        await conn.close()
    before = await database_fingerprint(reference_url)

    dry = mawid("adopt", "--dry-run", database_url=reference_url)
    assert dry.returncode == 1
    listed = [line.strip() for line in dry.stdout.splitlines() if line.strip().startswith("cannot convert")]
    assert listed == [
        "cannot convert conversation id=777: time='25:61': unparseable time",
        "cannot convert reservations id=42: time_slot='after lunch': unparseable time",
        "cannot convert reservations id=1234: wa_id='966500000001': customer does not exist",
    ]
    assert "adopt would refuse: 3 rows cannot be converted" in dry.stdout

    run = mawid("adopt", database_url=reference_url)
    assert run.returncode != 0
    assert "adoption refused: 3 rows cannot be converted; nothing was changed" in run.stderr
    assert await database_fingerprint(reference_url) == before


async def test_adopt_refuses_a_database_that_is_not_the_reference():
    other = drop_later(await create_database("mawid_adopt_other"))
    conn = await asyncpg.connect(other)
    try:
        with pytest.raises(AdoptionError, match=r"not a reference database \(empty\)"):
            await adopt(conn, timezone="Asia/Riyadh")
        await conn.execute("CREATE TABLE customers (wa_id text PRIMARY KEY)")
        with pytest.raises(AdoptionError, match=r"not a reference database \(unknown\)"):
            await adopt(conn, timezone="Asia/Riyadh")
        assert await conn.fetchval("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == 1
    finally:
        await conn.close()


async def test_two_adopts_at_once_adopt_once(reference_url, reference_checksums):
    """Two operators (or a retry) racing: the migration lock lets one convert; the other then
    finds a Mawid database and changes nothing. The test holds the lock until both wait on it."""
    holder = await asyncpg.connect(reference_url)
    try:
        await holder.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK_KEY)
        runs = [asyncio.create_task(asyncio.to_thread(mawid, "adopt", database_url=reference_url))
                for _ in range(2)]
        waiting = 0
        while waiting < 2:  # both inspected the database as a reference one and now wait on the lock
            await asyncio.sleep(0.05)
            waiting = await holder.fetchval(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objid = $1",
                MIGRATION_LOCK_KEY & 0xFFFFFFFF)
            assert not any(run.done() for run in runs), [run.result().stderr for run in runs if run.done()]
        await holder.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK_KEY)
        results = await asyncio.gather(*runs)
    finally:
        await holder.close()
    assert all(run.returncode == 0 for run in results), [run.stderr for run in results]
    outcomes = sorted("adopted" if "adopted: recorded" in run.stdout else "already" if "already a Mawid"
                      in run.stdout else run.stdout for run in results)
    assert outcomes == ["adopted", "already"]
    assert await table_checksums(reference_url) == reference_checksums
