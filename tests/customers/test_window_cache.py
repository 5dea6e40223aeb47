"""/stats' per-customer aggregate of a settled window, served from the window cache (migration 0255), always
equals a fresh computation: after message and reservation changes inside the window (each must invalidate it),
changes outside it (which must not), TRUNCATE, and with writers racing readers."""
from __future__ import annotations

import asyncio
import random
from datetime import date, datetime, time, timedelta, timezone

import pytest

from actors.customers import window_cache
from runtime.db import QUERIES, create_pool

CUSTOMERS = [f"9665{i:08d}" for i in range(40)]


def utc_today() -> date:
    return datetime.now(timezone.utc).date()


async def fresh(conn, start: date, end: date, top: int) -> dict:
    async with conn.transaction():
        await conn.execute(QUERIES.stats_read_tuning)
        return dict(await conn.fetchrow(QUERIES.stats_customers, start, end, top))


async def add_activity(conn, rnd: random.Random, first: date, days: int, messages: int, bookings: int) -> None:
    await conn.execute("INSERT INTO customers (wa_id) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING", CUSTOMERS)
    rows = [(rnd.choice(CUSTOMERS), rnd.choice(("user", "assistant")), "hi",
             first + timedelta(days=rnd.randrange(days)), time(rnd.randrange(24), rnd.randrange(60)))
            for _ in range(messages)]
    if rows:
        await conn.execute("INSERT INTO conversation (wa_id, role, message, local_date, local_time)"
                           " SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::date[], $5::time[])",
                           *map(list, zip(*rows)))
    rows = [(rnd.choice(CUSTOMERS), first + timedelta(days=rnd.randrange(days)), time(11 + 2 * rnd.randrange(3)))
            for _ in range(bookings)]
    if rows:
        await conn.execute(
            "INSERT INTO reservations (wa_id, slot_date, slot_time, type, status)"
            " SELECT w, d, t, 0, 'active' FROM unnest($1::text[], $2::date[], $3::time[]) AS x(w, d, t)",
            *map(list, zip(*rows)))


@pytest.fixture
async def pool(db_url):
    created = await create_pool(db_url, min_size=1, max_size=6)
    yield created
    await created.close()


async def check(pool, start: date, end: date, top: int = 50) -> dict:
    got = await window_cache.window_row(pool, "stats_customers", start, end, top)
    async with pool.acquire() as conn:
        assert got == await fresh(conn, start, end, top)
    return got


async def cached_windows(db) -> int:
    return await db.fetchval("SELECT count(*) FROM stats_window_cache")


async def test_a_settled_window_is_cached_and_every_change_inside_it_invalidates_it(pool, db):
    rnd = random.Random(1)
    today = utc_today()
    start, end = today - timedelta(days=40), today - timedelta(days=11)
    await add_activity(db, rnd, start - timedelta(days=5), 40, 300, 80)
    first = await check(pool, start, end)
    assert first["converted"] > 0 and await cached_windows(db) == 1
    assert await check(pool, start, end) == first  # served from the cache
    await add_activity(db, rnd, start, 5, 10, 0)  # back-dated messages inside
    await check(pool, start, end)
    await add_activity(db, rnd, start, 5, 0, 5)  # back-dated bookings inside
    await check(pool, start, end)
    await db.execute("UPDATE reservations SET status = 'cancelled', cancelled_at = now()"
                     " WHERE id = (SELECT min(id) FROM reservations WHERE slot_date BETWEEN $1 AND $2)", start, end)
    await check(pool, start, end)
    await db.execute("UPDATE reservations SET slot_date = $1 WHERE id = (SELECT max(id) FROM reservations"
                     " WHERE slot_date > $1)", end)  # moved into the window from a later day
    await check(pool, start, end)
    await db.execute("DELETE FROM conversation WHERE id % 3 = 0")
    await check(pool, start, end)
    await db.execute("TRUNCATE reservations CASCADE")
    await check(pool, start, end)


async def test_changes_outside_a_window_keep_its_cached_result(pool, db):
    rnd = random.Random(2)
    today = utc_today()
    start, end = today - timedelta(days=30), today - timedelta(days=21)
    await add_activity(db, rnd, start, 10, 100, 30)
    await check(pool, start, end)
    token = await db.fetchval("SELECT token FROM stats_window_cache")
    await add_activity(db, rnd, end + timedelta(days=1), 5, 20, 5)
    await check(pool, start, end)
    assert await db.fetchval("SELECT token FROM stats_window_cache") == token


def test_only_windows_ending_three_days_ago_or_earlier_are_settled():
    now = datetime(2026, 11, 26, 23, 59, tzinfo=timezone.utc)
    assert window_cache.settled(date(2026, 11, 23), now) and not window_cache.settled(date(2026, 11, 24), now)


async def test_live_windows_are_refused_and_the_dashboard_computes_them_fresh(pool, db, viewer_client):
    rnd = random.Random(3)
    today = utc_today()
    await add_activity(db, rnd, today - timedelta(days=9), 10, 100, 30)
    with pytest.raises(ValueError):
        await window_cache.window_row(pool, "stats_customers", today - timedelta(days=20), today - timedelta(days=2))
    response = await viewer_client.get("/stats")  # its window ends today; the previous one is settled
    assert response.status == 200
    keys = [r["key"] for r in await db.fetch("SELECT key FROM stats_window_cache")]
    assert keys == ["stats_customers:0"]


async def test_writers_racing_readers_leave_no_stale_window(pool, db):
    """Reads race the writes (and fill the cache meanwhile); after each, a read taken while no write is in
    flight must equal a fresh computation — a stale entry left mid-race is caught then, not only at the end."""
    rnd = random.Random(4)
    today = utc_today()
    start, end = today - timedelta(days=30), today - timedelta(days=5)
    await add_activity(db, rnd, start, 25, 200, 50)
    quiet = asyncio.Lock()  # held by a write, and by a read that is checked
    checked: list[int] = []

    async def writer(seed: int) -> None:
        writer_rnd = random.Random(seed)
        async with pool.acquire() as conn:
            for _ in range(10):
                async with quiet:
                    await add_activity(conn, writer_rnd, start, 25, 5, 2)
                await asyncio.sleep(0)

    async def reader(number: int) -> None:
        for step in range(10):
            await window_cache.window_row(pool, "stats_customers", start, end, 50)  # races the writers
            async with quiet:
                got = await window_cache.window_row(pool, "stats_customers", start, end, 50)
                async with pool.acquire() as conn:
                    assert got == await fresh(conn, start, end, 50), f"reader {number} read a stale window at {step}"
            checked.append(number)

    await asyncio.gather(writer(1), writer(2), reader(1), reader(2))
    assert len(checked) == 20
    await check(pool, start, end)


async def test_the_dashboard_reads_the_previous_window_from_the_cache(viewer_client, db):
    rnd = random.Random(5)
    today = utc_today()
    await add_activity(db, rnd, today - timedelta(days=70), 70, 300, 100)
    first = await viewer_client.get("/stats")
    assert first.status == 200
    assert await db.fetchval("SELECT count(*) FROM stats_window_cache WHERE key = 'stats_customers:0'") == 1
    again = await viewer_client.get("/stats")
    assert (await again.json())["data"]["stats"] == (await first.json())["data"]["stats"]

