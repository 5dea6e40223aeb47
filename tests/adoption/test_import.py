"""`bin/mawid import DUMP` into an empty Mawid database."""
from __future__ import annotations

import asyncpg

from tests.adoption.support import DUMP, TABLES, mawid, table_checksums
from tests.support.rollups import assert_rollups_match


async def test_import_of_the_dump_equals_the_reference_content(db_url, reference_checksums):
    run = mawid("import", str(DUMP), database_url=db_url)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "imported" in run.stdout

    imported = await table_checksums(db_url)
    for table in TABLES:
        assert imported[table] == reference_checksums[table], table
    conn = await asyncpg.connect(db_url)
    try:
        assert await conn.fetchval("SELECT nextval(pg_get_serial_sequence('conversation', 'id'))") == 50001
        assert await conn.fetchval("SELECT count(*) FROM pg_database WHERE datname LIKE 'mawid_import_%'") == 0
        # copied with the rollup triggers paused: the derived tables were rebuilt, the triggers are back on
        await assert_rollups_match(conn)
        assert {r["tgenabled"] for r in await conn.fetch(
            "SELECT tgenabled FROM pg_trigger WHERE NOT tgisinternal AND tgrelid = ANY ($1::regclass[])",
            ["conversation", "reservations", "conversation_reply_delays"])} == {b"O"}
        assert await conn.fetchval("SELECT count(*) FROM conversation_reply_delays") > 0
    finally:
        await conn.close()

    # a second import is refused: the target is no longer empty
    again = mawid("import", str(DUMP), database_url=db_url)
    assert again.returncode != 0
    assert "the target is not empty: customers has rows" in again.stderr
