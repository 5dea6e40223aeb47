"""The per-process account cache behind every authenticated request (runtime/account_sessions.py)."""
from __future__ import annotations

import asyncio

import asyncpg
import pytest

from runtime.account_sessions import AccountDirectory, change_event
from runtime.bus import LocalBus
from runtime.routes import Role
from tests.conftest import create_user


@pytest.fixture
async def pool(db_url):
    pool = await asyncpg.create_pool(db_url, min_size=1, max_size=4)
    yield pool
    await pool.close()


async def test_one_read_per_account_until_a_change_is_announced(pool, db_url, db):
    user = await create_user(db_url, Role.STAFF)
    bus = LocalBus()
    directory = AccountDirectory(pool, ttl=600, bus=bus)
    bus.subscribe(directory.on_event)
    states = await asyncio.gather(*(directory.get(user["id"]) for _ in range(50)))
    assert {s.role for s in states} == {Role.STAFF} and directory.lookups == 1  # concurrent callers share a read
    for _ in range(100):
        await directory.get(user["id"])
    assert directory.lookups == 1
    await db.execute("UPDATE users SET is_active = false, session_epoch = session_epoch + 1 WHERE id = $1::uuid",
                     user["id"])
    assert (await directory.get(user["id"])).active  # not announced yet: the copy holds (up to its lifetime)
    await bus.publish(change_event(user["id"]))  # what another process announces
    state = await directory.get(user["id"])
    assert not state.active and state.epoch == 1 and not state.admits(0) and directory.lookups == 2


async def test_ghosts_and_garbage_subjects_have_no_account(pool):
    directory = AccountDirectory(pool, ttl=600)
    assert await directory.get("00000000-0000-4000-8000-000000000000") is None
    assert await directory.get("ghost") is None and await directory.get("' OR 1=1 --") is None


async def test_an_expired_copy_is_read_again(pool, db_url, db):
    user = await create_user(db_url, Role.STAFF)
    directory = AccountDirectory(pool, ttl=0.0)  # every copy already expired
    await directory.get(user["id"])
    await db.execute("UPDATE users SET role = 'viewer' WHERE id = $1::uuid", user["id"])
    assert (await directory.get(user["id"])).role is Role.VIEWER and directory.lookups == 2


async def test_workers_without_redis_announce_changes_over_postgresql(pool, db_url, db):
    from runtime.account_sessions import ACCOUNTS_PG_CHANNEL
    from runtime.bus_postgres import PostgresBus

    user = await create_user(db_url, Role.STAFF)
    buses = [PostgresBus(db_url, ACCOUNTS_PG_CHANNEL), PostgresBus(db_url, ACCOUNTS_PG_CHANNEL)]
    directories = [AccountDirectory(pool, ttl=600, bus=bus) for bus in buses]
    for bus, directory in zip(buses, directories):
        bus.subscribe(directory.on_event)
        await bus.start()
    try:
        other = directories[1]
        assert (await other.get(user["id"])).active
        await db.execute("UPDATE users SET is_active = false WHERE id = $1::uuid", user["id"])
        await directories[0].announce(user["id"])
        for _ in range(200):  # bounded: the notification arrives over the listening connection
            if not (await other.get(user["id"])).active:
                break
            await asyncio.sleep(0.05)
        assert not (await other.get(user["id"])).active
    finally:
        for bus in buses:
            await bus.close()
