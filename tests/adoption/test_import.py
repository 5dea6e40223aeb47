"""`bin/mawid import DUMP` into an empty Mawid database."""
from __future__ import annotations

import asyncpg

from tests.adoption.support import DUMP, TABLES, create_database, drop_database, mawid, table_checksums


async def test_import_of_the_dump_equals_adopting_in_place(db_url, reference_url):
    expected = await table_checksums(reference_url)

    run = mawid("import", str(DUMP), database_url=db_url)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "imported" in run.stdout

    imported = await table_checksums(db_url)
    for table in TABLES:
        assert imported[table] == expected[table], table
    conn = await asyncpg.connect(db_url)
    try:
        assert await conn.fetchval("SELECT nextval(pg_get_serial_sequence('conversation', 'id'))") == 50001
        assert await conn.fetchval("SELECT count(*) FROM pg_database WHERE datname LIKE 'mawid_import_%'") == 0
    finally:
        await conn.close()

    # a second import is refused: the target is no longer empty
    again = mawid("import", str(DUMP), database_url=db_url)
    assert again.returncode != 0
    assert "the target is not empty: customers has rows" in again.stderr


async def test_import_into_a_blank_database_migrates_it_first():
    url = await create_database("mawid_import_blank")
    try:
        run = mawid("import", str(DUMP), database_url=url)
        assert run.returncode == 0, run.stdout + run.stderr
        checksums = await table_checksums(url)
        assert checksums["reservations"][0] == 2500
        conn = await asyncpg.connect(url)
        try:
            assert await conn.fetchval("SELECT count(*) FROM schema_migrations") >= 1
        finally:
            await conn.close()
    finally:
        await drop_database(url)
