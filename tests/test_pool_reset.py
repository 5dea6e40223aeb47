"""Pooled connections skip asyncpg's reset round trip, yet never leak session state to the next user."""
from __future__ import annotations

import asyncio

import asyncpg
import pytest

from runtime.db import create_pool, holding_session_state

LOCK_KEY = 424242


@pytest.fixture
async def pool(db_url):
    pool = await create_pool(db_url, min_size=1, max_size=1)
    yield pool
    await pool.close()


async def last_statement(db, pid: int) -> str:
    return await db.fetchval("SELECT query FROM pg_stat_activity WHERE pid = $1", pid)


async def lock_held(db) -> bool:
    return await db.fetchval("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = $1", LOCK_KEY) > 0


async def test_a_clean_connection_goes_back_without_a_reset_statement(pool, db):
    async with pool.acquire() as conn:
        pid = await conn.fetchval("SELECT pg_backend_pid()")
    assert await last_statement(db, pid) == "SELECT pg_backend_pid()"


async def test_session_state_undone_by_its_owner_needs_no_reset(pool, db):
    async with pool.acquire() as conn:
        pid = await conn.fetchval("SELECT pg_backend_pid()")
        with holding_session_state(conn):
            await conn.execute("SELECT pg_advisory_lock($1)", LOCK_KEY)
            await conn.execute("SELECT pg_advisory_unlock($1)", LOCK_KEY)
    assert await last_statement(db, pid) == "SELECT pg_advisory_unlock($1)"
    assert not await lock_held(db)


async def test_a_failure_while_holding_a_session_lock_resets_the_connection(pool, db):
    with pytest.raises(RuntimeError):
        async with pool.acquire() as conn:
            with holding_session_state(conn):
                await conn.execute("SELECT pg_advisory_lock($1)", LOCK_KEY)
                raise RuntimeError("the owner never got to unlock")
    assert not await lock_held(db)
    async with pool.acquire() as conn:  # the same (only) connection, clean again: no reset next time
        pid = await conn.fetchval("SELECT pg_backend_pid()")
    assert await last_statement(db, pid) == "SELECT pg_backend_pid()"


async def test_a_cancellation_while_holding_a_session_lock_resets_the_connection(pool, db):
    started = asyncio.Event()

    async def holder() -> None:
        async with pool.acquire() as conn:
            with holding_session_state(conn):
                await conn.execute("SELECT pg_advisory_lock($1)", LOCK_KEY)
                started.set()
                await asyncio.sleep(3600)

    task = asyncio.create_task(holder())
    await started.wait()
    assert await lock_held(db)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not await lock_held(db)


async def test_an_open_transaction_is_still_rolled_back(pool, db):
    await db.execute("CREATE TABLE pool_reset_probe (n int)")
    conn = await pool.acquire()
    await conn.execute("BEGIN")
    await conn.execute("INSERT INTO pool_reset_probe VALUES (1)")
    await pool.release(conn)
    assert await db.fetchval("SELECT count(*) FROM pool_reset_probe") == 0
    async with pool.acquire() as conn:
        assert not conn.is_in_transaction()


async def test_plain_connections_accept_the_marker(db_url):
    conn = await asyncpg.connect(db_url)
    try:
        with holding_session_state(conn):
            await conn.execute("SELECT 1")
    finally:
        await conn.close()
