"""Migration 0111 (resources): the default resource exists, and every reservation already stored — a fresh install's or
an adopted reference database's (`bin/mawid adopt`) — belongs to it."""
from __future__ import annotations

import asyncpg
import pytest

from runtime.migrate import discover, migrate
from tests.support.database import create_test_database, drop_test_database


async def _default_row(conn) -> tuple:
    return tuple(await conn.fetchrow("SELECT id, name_en, is_default, active, capacity, working_days"
                                     " FROM resources ORDER BY id"))


async def test_rows_stored_before_the_migration_belong_to_the_default_resource():
    url = await create_test_database("mawid_res_migr")  # only its name: rebuilt below, migrated in two steps
    await drop_test_database(url)
    admin = await asyncpg.connect(url.rsplit("/", 1)[0] + "/postgres")
    name = url.rsplit("/", 1)[1]
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    conn = await asyncpg.connect(url)
    try:
        resources = next(m.version for m in discover() if m.name == "resources")
        await migrate(conn, [m for m in discover() if m.version < resources])
        await conn.execute("INSERT INTO customers (wa_id) VALUES ('966500000001')")
        await conn.execute("INSERT INTO reservations (wa_id, slot_date, slot_time, type) VALUES"
                           " ('966500000001', '2025-06-02', '11:00', 0), ('966500000001', '2025-06-03', '13:00', 1)")
        await migrate(conn)
        assert await _default_row(conn) == (1, "Clinic", True, True, None, None)
        assert [r["resource_id"] for r in await conn.fetch("SELECT resource_id FROM reservations")] == [1, 1]
        # new resources never take id 1, and new bookings default to it
        assert await conn.fetchval("INSERT INTO resources (name_ar, name_en) VALUES ('ب', 'B') RETURNING id") == 2
    finally:
        await conn.close()
        await drop_test_database(url)


async def test_adopt_maps_every_reference_reservation_to_the_default_resource():
    from tests.adoption.support import DUMP, mawid, reference_database

    if not DUMP.exists():
        pytest.skip(f"reference fixture missing: {DUMP}")
    url = await reference_database()
    try:
        conn = await asyncpg.connect(url)
        try:
            before = await conn.fetchval("SELECT count(*) FROM reservations")
        finally:
            await conn.close()
        run = mawid("adopt", database_url=url)
        assert run.returncode == 0, run.stdout + run.stderr
        conn = await asyncpg.connect(url)
        try:
            await migrate(conn)
            assert before > 0
            assert await conn.fetchval("SELECT count(*) FROM reservations WHERE resource_id = 1") == before
            assert await _default_row(conn) == (1, "Clinic", True, True, None, None)
        finally:
            await conn.close()
    finally:
        await drop_test_database(url)
