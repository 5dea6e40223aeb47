"""/stats' per-customer aggregate of a current window, folded from a snapshot of its settled days and its live
days (migration 0256), always equals stats_customers computed directly: with live activity after the
snapshot, with top lists of every length, after any change to a settled day (which must retire the snapshot),
with an older snapshot, with racing builders and with writers racing readers."""
from __future__ import annotations

import asyncio
import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from actors.customers import window_snapshots
from runtime.services import SERVICES
from tests.customers.test_window_cache import add_activity, fresh, pool, utc_today  # noqa: F401 (fixture)


def window() -> tuple:
    today = utc_today()
    return today - timedelta(days=29), today


async def folded(pool, start, end, top: int = 50) -> tuple[dict | None, bool]:  # noqa: F811
    return await window_snapshots.current_window_row(pool, start, end, top)


async def assert_exact(pool, start, end, tops=(50, 3, 1, 0)) -> None:  # noqa: F811
    """The snapshot is used, and for every top list length its answer is the direct one."""
    for top in tops:
        got, _ = await folded(pool, start, end, top)
        assert got is not None, "no usable snapshot"
        async with pool.acquire() as conn:
            assert got == await fresh(conn, start, end, top)


async def snapshots(db) -> list:
    return await db.fetch("SELECT id, start_date, end_date FROM stats_window_snapshots ORDER BY id")


async def test_the_fold_equals_the_direct_aggregate_with_live_activity_after_the_snapshot(pool, db):  # noqa: F811
    rnd = random.Random(11)
    start, end = window()
    await add_activity(db, rnd, start - timedelta(days=5), 36, 600, 150)
    assert await folded(pool, start, end) == (None, True)  # nothing to fold from yet
    assert await window_snapshots.refresh(pool, start, end)
    [snapshot] = await snapshots(db)
    assert snapshot["end_date"] == window_snapshots.newest_settled_day()
    await assert_exact(pool, start, end)
    # live days move on: customers already in the snapshot, new ones, and bookings
    await add_activity(db, rnd, end - timedelta(days=2), 3, 200, 40)
    await db.execute("INSERT INTO customers (wa_id) VALUES ('966599999999')")
    await db.execute("INSERT INTO conversation (wa_id, role, message, local_date, local_time)"
                     " SELECT '966599999999', 'user', 'hi', $1, '10:00' FROM generate_series(1, 500)", end)
    await assert_exact(pool, start, end)
    got, stale = await folded(pool, start, end)
    assert not stale and got["top_customers"][0]["wa_id"] == "966599999999"
    assert not await window_snapshots.refresh(pool, start, end)  # a valid snapshot of those days exists
    assert len(await snapshots(db)) == 1


@pytest.mark.parametrize("change", [
    "INSERT INTO conversation (wa_id, role, message, local_date, local_time)"
    " VALUES ('966500000001', 'user', 'late import', $1, '09:00')",
    "UPDATE reservations SET status = 'cancelled', cancelled_at = now()"
    " WHERE id = (SELECT min(id) FROM reservations WHERE slot_date = $1)",
    "DELETE FROM reservations WHERE id = (SELECT max(id) FROM reservations WHERE slot_date = $1)",
    "DELETE FROM conversation WHERE id IN (SELECT id FROM conversation WHERE local_date = $1 LIMIT 3)",
    "UPDATE reservations SET slot_date = $1 WHERE id = (SELECT min(id) FROM reservations WHERE slot_date > $1)",
    "TRUNCATE",
])
async def test_any_change_to_a_settled_day_retires_the_snapshot(pool, db, change):  # noqa: F811
    rnd = random.Random(12)
    start, end = window()
    await add_activity(db, rnd, start, 30, 400, 150)
    assert await window_snapshots.refresh(pool, start, end)
    await assert_exact(pool, start, end)
    settled_day = start + timedelta(days=10)
    if change == "TRUNCATE":
        await db.execute("TRUNCATE reservations CASCADE")
    else:
        await db.execute(change, settled_day)
    assert await folded(pool, start, end) == (None, True)  # the dashboard computes directly meanwhile
    assert await window_snapshots.refresh(pool, start, end)
    await assert_exact(pool, start, end)
    assert len(await snapshots(db)) == 1  # the retired one is gone


async def test_an_older_snapshot_still_answers_exactly_and_asks_for_a_newer_one(pool, db):  # noqa: F811
    rnd = random.Random(13)
    start, end = window()
    await add_activity(db, rnd, start, 30, 400, 120)
    older = window_snapshots.newest_settled_day() - timedelta(days=4)
    assert await window_snapshots.build(pool, start, older)
    got, stale = await folded(pool, start, end)
    assert stale
    async with pool.acquire() as conn:
        assert got == await fresh(conn, start, end, 50)
    assert await window_snapshots.refresh(pool, start, end)
    assert [s["end_date"] for s in await snapshots(db)] == [window_snapshots.newest_settled_day()]
    await assert_exact(pool, start, end)
    assert (await folded(pool, start, end))[1] is False


async def test_days_that_are_not_settled_are_never_snapshotted(pool):  # noqa: F811
    start, _ = window()
    with pytest.raises(ValueError):
        await window_snapshots.build(pool, start, window_snapshots.newest_settled_day() + timedelta(days=1))
    today = utc_today()
    assert await folded(pool, today - timedelta(days=1), today) == (None, False)  # all live: nothing to fold


async def test_racing_builders_build_once(pool, db):  # noqa: F811
    rnd = random.Random(14)
    start, end = window()
    await add_activity(db, rnd, start, 30, 300, 100)
    built = await asyncio.gather(*(window_snapshots.refresh(pool, start, end) for _ in range(5)))
    assert built.count(True) == 1 and len(await snapshots(db)) == 1
    await assert_exact(pool, start, end)


async def test_writers_racing_readers_and_builders_leave_no_stale_answer(pool, db):  # noqa: F811
    """Reads and builds race the writes; after each, a read taken while no write is in flight must be either
    "no usable snapshot" or exactly the direct aggregate — a stale snapshot left mid-race is caught then."""
    rnd = random.Random(15)
    start, end = window()
    await add_activity(db, rnd, start, 30, 300, 80)
    quiet = asyncio.Lock()  # held by a write, and by a read that is checked
    answers: list[bool] = []  # per checked read: did a snapshot answer it

    async def writer(seed: int) -> None:
        writer_rnd = random.Random(seed)
        async with pool.acquire() as conn:
            for _ in range(8):
                async with quiet:
                    await add_activity(conn, writer_rnd, start, 30, 6, 2)  # settled and live days alike
                await asyncio.sleep(0)

    async def reader(number: int) -> None:
        for step in range(8):
            await folded(pool, start, end)  # races the writers
            await window_snapshots.refresh(pool, start, end)
            async with quiet:
                # builds only if the snapshots built while racing were retired: a stale one that was not is
                # kept, and read below
                await window_snapshots.refresh(pool, start, end)
                got, _ = await folded(pool, start, end)
                if got is not None:
                    async with pool.acquire() as conn:
                        assert got == await fresh(conn, start, end, 50), f"reader {number}: stale fold at {step}"
            answers.append(got is not None)

    await asyncio.gather(writer(1), writer(2), reader(1), reader(2))
    assert len(answers) == 16, answers
    assert any(answers), "no snapshot answered a checked read during the race"
    await window_snapshots.refresh(pool, start, end)
    await assert_exact(pool, start, end)


async def test_the_dashboard_folds_from_the_snapshot_it_asked_for(viewer_client, pool, db):  # noqa: F811
    rnd = random.Random(16)
    zone = ZoneInfo(viewer_client.server.app[SERVICES].config.timezone)
    end = datetime.now(zone).date()  # the dashboard's default window, in the business zone
    start = end - timedelta(days=29)
    await add_activity(db, rnd, start - timedelta(days=30), 60, 500, 150)
    first = await viewer_client.get("/stats")  # no snapshot yet: computed directly, one is built meanwhile
    assert first.status == 200
    for _ in range(100):
        if await db.fetchval("SELECT count(*) FROM stats_window_snapshots WHERE start_date = $1", start):
            break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError("the dashboard did not build a snapshot")
    # a marker the snapshot cannot know about: only the fold's live part sees it
    await db.execute("INSERT INTO customers (wa_id) VALUES ('966598765432')")
    await db.execute("INSERT INTO conversation (wa_id, role, message, local_date, local_time)"
                     " SELECT '966598765432', 'user', 'hi', $1, '10:00' FROM generate_series(1, 900)", end)
    again = await (await viewer_client.get("/stats")).json()
    async with pool.acquire() as conn:
        direct = await fresh(conn, start, end, 50)
    top = again["data"]["topCustomers"]
    assert top[0]["wa_id"] == "966598765432" and top[0]["messageCount"] == 900
    assert [(t["wa_id"], t["messageCount"], t["reservationCount"]) for t in top] == [
        (t["wa_id"], t["message_count"], t["reservation_count"]) for t in direct["top_customers"]]


async def test_only_the_newest_snapshots_are_kept(pool, db):  # noqa: F811
    rnd = random.Random(17)
    _, end = window()
    await add_activity(db, rnd, end - timedelta(days=40), 40, 200, 60)
    starts = [end - timedelta(days=30 + i) for i in range(window_snapshots.KEEP_SNAPSHOTS + 3)]
    for start in starts:  # a viewer trying one window start after another
        assert await window_snapshots.refresh(pool, start, end)
    kept = [s["start_date"] for s in await snapshots(db)]
    assert kept == starts[-window_snapshots.KEEP_SNAPSHOTS:]
    await assert_exact(pool, starts[-1], end)
