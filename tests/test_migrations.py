"""Migrations: applied once, recorded, idempotent, and safe when two processes migrate at once."""
from __future__ import annotations

import asyncio

import asyncpg

from runtime.migrate import discover, migrate
from tests.support.database import ADMIN_URL, drop_test_database, with_database


async def _fresh_database(name: str) -> str:
    admin = await asyncpg.connect(ADMIN_URL)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return with_database(ADMIN_URL, name)


async def test_concurrent_migrators_apply_each_migration_once():
    import uuid

    url = await _fresh_database(f"mawid_migr_{uuid.uuid4().hex[:8]}")
    try:
        connections = [await asyncpg.connect(url) for _ in range(4)]
        results = await asyncio.gather(*(migrate(conn) for conn in connections))
        for conn in connections:
            await conn.close()
        applied_counts = [len(r) for r in results]
        assert sum(applied_counts) == len(discover())  # every migration applied by exactly one migrator
        conn = await asyncpg.connect(url)
        try:
            versions = [r["version"] for r in await conn.fetch("SELECT version FROM schema_migrations ORDER BY 1")]
            assert versions == [m.version for m in discover()]
            assert await migrate(conn) == []  # idempotent
            assert await conn.fetchval("SELECT normalize_arabic('أحمد')") == "احمد"
            assert await conn.fetchval("SELECT extname FROM pg_extension WHERE extname = 'pg_trgm'") == "pg_trgm"
        finally:
            await conn.close()
    finally:
        await drop_test_database(url)


async def test_invalid_reservation_rows_are_impossible(db):
    await db.execute("INSERT INTO customers (wa_id) VALUES ('966500000001')")
    for bad in ("type, status) VALUES ('966500000001', '2030-01-01', '10:00', 5, 'active')",
                "type, status) VALUES ('966500000001', '2030-01-01', '10:00', 0, 'lost')",
                "type, status) VALUES ('966599999999', '2030-01-01', '10:00', 0, 'active')"):
        try:
            await db.execute(f"INSERT INTO reservations (wa_id, slot_date, slot_time, {bad}")
        except asyncpg.IntegrityConstraintViolationError:
            continue
        raise AssertionError(f"accepted an invalid reservation: {bad}")
