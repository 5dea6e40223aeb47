"""The reservation rollups and the reply-delay histogram (migration 0252) always equal a direct computation
over their base tables, and /stats' queries read from them answer exactly what the direct queries over
reservations / conversation_reply_delays answer: after inserts (single rows, batches, COPY), updates (moved
dates and slots, cancellations and reinstatements, changed wa_ids, customer renames and merges), deletes,
TRUNCATE, concurrent writers on several connections, and a rebuild from scratch."""
from __future__ import annotations

import asyncio
import random
from datetime import date, datetime, time, timedelta, timezone

import asyncpg

from runtime.db import QUERIES
from tests.customers.test_reply_delays import DAY0, add_customers, say
from tests.support.rollups import DIRECT_RESPONSE_TIMES, assert_rollups_match

SLOTS = (time(11), time(13), time(15), time(17))
STAMP = datetime(2026, 2, 1, 9, tzinfo=timezone.utc)


def day(offset: int) -> date:
    return DAY0 + timedelta(days=offset)


async def book(conn: asyncpg.Connection, rows: list[tuple[str, date, time, int, str]]) -> None:
    """Insert reservations in one statement; cancelled ones get a cancellation time, all get STAMP as created."""
    await conn.execute(
        "INSERT INTO reservations (wa_id, slot_date, slot_time, type, status, cancelled_at, created_at, updated_at)"
        " SELECT w, d, t, k, s, CASE WHEN s = 'cancelled' THEN $6::timestamptz END, $6, $6"
        " FROM unnest($1::text[], $2::date[], $3::time[], $4::smallint[], $5::text[]) AS v(w, d, t, k, s)",
        *map(list, zip(*rows)), STAMP)


def random_rows(rnd: random.Random, wa_ids: list[str], count: int) -> list[tuple[str, date, time, int, str]]:
    return [(rnd.choice(wa_ids), day(rnd.randrange(-20, 20)), rnd.choice(SLOTS), rnd.randrange(2),
             rnd.choice(("active", "active", "cancelled"))) for _ in range(count)]


CANCEL = ("UPDATE reservations SET status = 'cancelled', cancelled_at = $2, updated_at = $2"
          " WHERE id = ANY($1::int[]) AND status = 'active'")
REINSTATE = ("UPDATE reservations SET status = 'active', cancelled_at = NULL, updated_at = $2"
             " WHERE id = ANY($1::int[]) AND status = 'cancelled'")
MOVE = ("UPDATE reservations SET slot_date = slot_date + $2::int, slot_time = $3, updated_at = $4"
        " WHERE id = ANY($1::int[])")


async def test_reservation_rollups_follow_every_kind_of_write(db):
    rnd = random.Random(5)
    wa_ids = [f"9665000005{i:02d}" for i in range(8)]
    await add_customers(db, *wa_ids)
    await assert_rollups_match(db)  # empty: NULL aggregates, no groups
    for _ in range(6):
        await book(db, random_rows(rnd, wa_ids, rnd.randrange(1, 12)))
    await db.execute(QUERIES.reservation_insert, wa_ids[0], day(30), time(11), 1)
    await db.copy_records_to_table(
        "reservations", columns=("wa_id", "slot_date", "slot_time", "type"),
        records=[(wa_ids[1], day(-40), time(13), 0), (wa_ids[7], day(3), time(15), 1)])
    await assert_rollups_match(db)

    ids = [r["id"] for r in await db.fetch("SELECT id FROM reservations ORDER BY id")]
    later = STAMP + timedelta(days=3, hours=20, minutes=50)  # a different business-zone date in some zones
    await db.execute(CANCEL, rnd.sample(ids, 8), later)
    await db.execute(REINSTATE, rnd.sample(ids, 8), later + timedelta(hours=2))
    await db.execute(MOVE, rnd.sample(ids, 6), -25, time(17), later)  # some customers' first date moves back
    await db.execute(MOVE, rnd.sample(ids, 6), 9, time(11), later)
    await db.execute("UPDATE reservations SET type = 1 - type WHERE id = ANY($1::int[])", rnd.sample(ids, 5))
    await db.execute("UPDATE reservations SET wa_id = $2 WHERE id = ANY($1::int[])", rnd.sample(ids, 5), wa_ids[6])
    await db.execute("UPDATE reservations SET created_at = created_at WHERE id = ANY($1::int[])", ids)  # no change
    await assert_rollups_match(db)

    await db.execute("DELETE FROM reservations WHERE id = ANY($1::int[])", rnd.sample(ids, 10))
    await db.execute(QUERIES.customer_delete_reservations, wa_ids[2])
    await assert_rollups_match(db)
    await db.execute(QUERIES.customer_rename_wa_id, wa_ids[3], "966500000599", "n")  # ON UPDATE CASCADE
    await db.fetchval(QUERIES.customer_move_reservations, wa_ids[4], wa_ids[5])  # merge
    await assert_rollups_match(db)
    assert await db.fetchval("SELECT first_date FROM customer_reservation_dates WHERE wa_id = $1", wa_ids[4]) is None

    await db.execute("TRUNCATE reservations CASCADE")
    assert await db.fetchval("SELECT count(*) FROM reservation_group_counts") == 0
    await book(db, random_rows(rnd, wa_ids[:2], 4))
    await assert_rollups_match(db)


async def test_concurrent_reservation_writers(db, db_url):
    """Writers on six connections book, cancel, reinstate, move, re-assign and delete reservations of the same
    few customers and days at once, each statement in its own transaction that holds its locks a moment; the
    rollups end up equal to the direct computation."""
    wa_ids = [f"9665000006{i:02d}" for i in range(4)]
    await add_customers(db, *wa_ids)
    await book(db, random_rows(random.Random(0), wa_ids, 20))
    conns = [await asyncpg.connect(db_url) for _ in range(6)]
    try:
        async def writer(k: int, conn: asyncpg.Connection) -> None:
            rnd = random.Random(100 + k)
            for _ in range(25):
                ids = [r["id"] for r in await conn.fetch("SELECT id FROM reservations")]
                picked = rnd.sample(ids, min(len(ids), rnd.randrange(1, 3)))
                stamp = STAMP + timedelta(minutes=rnd.randrange(10_000))
                action = rnd.randrange(7)
                async with conn.transaction():
                    if action <= 1:
                        await book(conn, [(w, day(rnd.randrange(-3, 3)), rnd.choice(SLOTS), rnd.randrange(2),
                                           "active") for w in rnd.sample(wa_ids, rnd.choice((1, 2)))])
                    elif action == 2:
                        await conn.execute(CANCEL, picked, stamp)
                    elif action == 3:
                        await conn.execute(REINSTATE, picked, stamp)
                    elif action == 4:
                        await conn.execute(MOVE, picked, rnd.choice((-2, -1, 1, 2)), rnd.choice(SLOTS), stamp)
                    elif action == 5:
                        await conn.execute("UPDATE reservations SET wa_id = $2 WHERE id = ANY($1::int[])",
                                           picked, rnd.choice(wa_ids))
                    else:
                        await conn.execute("DELETE FROM reservations WHERE id = ANY($1::int[])", picked)
                    await asyncio.sleep(0)  # hold the locks a moment: the others queue behind them

        await asyncio.gather(*(writer(k, c) for k, c in enumerate(conns)))
    finally:
        for conn in conns:
            await conn.close()
    assert await db.fetchval("SELECT count(*) FROM reservations") > 0
    await assert_rollups_match(db)


async def test_response_times_equal_percentile_cont_over_the_pairs(db):
    """Odd and even pair counts (the median interpolates between the two middle values), repeated values,
    pairs whose prompt is before the window, back-dated inserts, updates, deletes, renames and merges."""
    wa_ids = ["966500000701", "966500000702", "966500000703"]
    await add_customers(db, *wa_ids)
    await say(db, wa_ids[0], "user", 0, "10:00:00")
    await say(db, wa_ids[0], "assistant", 0, "10:00:07")
    await assert_rollups_match(db)  # one pair
    await say(db, wa_ids[1], "user", 0, "10:00:00")
    await say(db, wa_ids[1], "assistant", 0, "10:00:20")
    row = await db.fetchrow(QUERIES.stats_response_times, DAY0, DAY0)
    assert row["median"] == 7 / 60 + 0.5 * (20 / 60 - 7 / 60)  # percentile_cont's interpolation
    await say(db, wa_ids[2], "user", -1, "23:59:00")
    await say(db, wa_ids[2], "assistant", 0, "00:00:20")  # prompt the day before: outside a window from DAY0
    await assert_rollups_match(db)

    rnd = random.Random(9)
    for _ in range(150):
        await say(db, rnd.choice(wa_ids), rnd.choice(("user", "assistant", "assistant", "tool")),
                  rnd.randrange(-3, 4), f"{rnd.randrange(8, 12):02d}:{rnd.randrange(60):02d}:{rnd.randrange(60):02d}")
    await assert_rollups_match(db)
    ids = [r["id"] for r in await db.fetch("SELECT id FROM conversation ORDER BY id")]
    await db.execute("DELETE FROM conversation WHERE id = ANY($1::bigint[])", rnd.sample(ids, 25))
    await db.execute("UPDATE conversation SET local_time = local_time + interval '3 minutes'"
                     " WHERE id % 4 = 0 AND local_time < '23:00'")
    await db.execute("UPDATE conversation SET role = 'user' WHERE id % 7 = 0")
    await assert_rollups_match(db)
    await db.execute(QUERIES.customer_rename_wa_id, wa_ids[0], "966500000709", "n")
    await db.fetchval(QUERIES.customer_move_conversation, wa_ids[1], wa_ids[2])
    await assert_rollups_match(db)
    await db.execute("TRUNCATE conversation CASCADE")
    assert await db.fetchval("SELECT count(*) FROM conversation_reply_delay_counts WHERE n <> 0") == 0
    assert (await db.fetchrow(QUERIES.stats_response_times, DAY0, DAY0))["median"] is None
    assert await db.fetchrow(DIRECT_RESPONSE_TIMES, DAY0, DAY0) == await db.fetchrow(
        QUERIES.stats_response_times, DAY0, DAY0)


async def test_concurrent_conversation_writers_keep_the_histogram(db, db_url):
    """Appends, back-dated inserts (which rewrite a customer's pairs in two statements) and deletes racing on
    six connections over customers whose replies share histogram rows: no deadlock, and the histogram equals
    the direct count of the pairs."""
    wa_ids = [f"9665000008{i:02d}" for i in range(4)]
    await add_customers(db, *wa_ids)
    conns = [await asyncpg.connect(db_url) for _ in range(6)]
    try:
        async def writer(k: int, conn: asyncpg.Connection) -> None:
            rnd = random.Random(200 + k)
            for i in range(20):
                rows = [(w, rnd.choice(("user", "assistant")), DAY0 + timedelta(days=rnd.randrange(2)),
                         time(10 + i // 6, (i * 7 + rnd.randrange(5)) % 60, rnd.randrange(0, 60, 10)))
                        for w in rnd.sample(wa_ids, rnd.choice((1, 1, 2)))]
                async with conn.transaction():
                    await conn.execute(
                        "INSERT INTO conversation (wa_id, role, message, local_date, local_time)"
                        " SELECT w, r, 'r', d, t FROM unnest($1::text[], $2::text[], $3::date[], $4::time[])"
                        " AS v(w, r, d, t)", *map(list, zip(*rows)))
                    await asyncio.sleep(0)
                if i % 4 == 3:
                    await conn.execute("DELETE FROM conversation WHERE id = (SELECT min(id) FROM conversation"
                                       " WHERE wa_id = $1)", rnd.choice(wa_ids))

        await asyncio.gather(*(writer(k, c) for k, c in enumerate(conns)))
    finally:
        for conn in conns:
            await conn.close()
    assert await db.fetchval("SELECT count(*) FROM conversation_reply_delays") > 10
    await assert_rollups_match(db)


async def test_racing_rewrites_of_shared_histogram_rows_do_not_deadlock(db, db_url):
    """A back-dated message (A's pair of 30 s becomes one of 10 s) and a delete (B's pairs of 10 s and 30 s are
    rewritten) race, six such couples at a time: each rewrite removes pairs in one statement and adds them in
    the next, so without the advisory lock the two lock the 10 s and 30 s rows in opposite orders (without it
    this deadlocks in most rounds). With it they take turns, and the histogram stays exact."""
    couples = [(f"9665100{i:05d}", f"9665200{i:05d}") for i in range(6)]
    await add_customers(db, *(w for couple in couples for w in couple))
    conns = [await asyncpg.connect(db_url) for _ in range(2 * len(couples))]
    columns = ("wa_id", "role", "message", "local_date", "local_time")
    try:
        async def backdate(conn: asyncpg.Connection, wa_id: str) -> None:
            async with conn.transaction():
                await conn.execute("INSERT INTO conversation (wa_id, role, message, local_date, local_time)"
                                   " VALUES ($1, 'user', 'b', $2, '10:00:20')", wa_id, DAY0)

        async def delete(conn: asyncpg.Connection, wa_id: str) -> None:
            async with conn.transaction():
                await conn.execute("DELETE FROM conversation WHERE wa_id = $1 AND message = 'x'", wa_id)

        for _ in range(8):
            await db.execute("DELETE FROM conversation")
            rows = []
            for a, b in couples:
                rows += [(a, "user", "u", DAY0, time(10)), (a, "assistant", "a", DAY0, time(10, 0, 30)),
                         (b, "user", "u", DAY0, time(11)), (b, "assistant", "a", DAY0, time(11, 0, 10)),
                         (b, "user", "u", DAY0, time(12)), (b, "assistant", "a", DAY0, time(12, 0, 30)),
                         (b, "user", "x", DAY0, time(9))]
            await db.copy_records_to_table("conversation", columns=columns, records=rows)
            await asyncio.gather(*(job for i, (a, b) in enumerate(couples)
                                   for job in (backdate(conns[2 * i], a), delete(conns[2 * i + 1], b))))
    finally:
        for conn in conns:
            await conn.close()
    await assert_rollups_match(db)


EPOCH = "SELECT coalesce(max(version), 0) FROM stats_message_day_changes WHERE local_date = '-infinity'"
# Every user trigger on the tables bulk loaders load with their triggers disabled, by the migration whose
# part of stats_rollups_rebuild() recomputes what it maintains. A new trigger there needs its part too.
REBUILT = {
    "conversation": {f"trg_conversation_{kind}_{event}" for kind in ("last_user_message", "chain", "days")
                     for event in ("insert", "update", "delete", "truncate")} - {
        "trg_conversation_last_user_message_truncate"}
    | {f"trg_stats_message_days_{event}" for event in ("insert", "update", "delete", "truncate")},
    # 0255's stamps: the rebuild starts a new epoch, which invalidates every cached day and window
    "reservations": {f"trg_{kind}_{event}" for kind in ("reservation_rollups", "stats_days_reservations")
                     for event in ("insert", "update", "delete", "truncate")},
    "conversation_reply_delays": {f"trg_reply_delay_counts_{event}"
                                  for event in ("insert", "update", "delete", "truncate")},
}


async def test_the_rebuild_covers_every_trigger_of_the_bulk_loaded_tables(db):
    for table, names in REBUILT.items():
        found = {r["tgname"] for r in await db.fetch(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = $1::regclass AND NOT tgisinternal", table)}
        assert found == names, table


async def test_rebuild_recomputes_every_rollup_from_scratch(db):
    """With the triggers disabled (as bulk loaders run), rows loaded leave every rollup behind;
    stats_rollups_rebuild() brings them all back to the direct computation."""
    rnd = random.Random(3)
    wa_ids = [f"9665000009{i:02d}" for i in range(5)]
    await add_customers(db, *wa_ids)
    await book(db, random_rows(rnd, wa_ids, 10))
    for _ in range(30):
        await say(db, rnd.choice(wa_ids), rnd.choice(("user", "assistant")), rnd.randrange(-2, 2),
                  f"{rnd.randrange(8, 12):02d}:{rnd.randrange(60):02d}:00")
    async with db.transaction():
        for table in ("conversation", "reservations", "conversation_reply_delays"):
            await db.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        await book(db, random_rows(rnd, wa_ids, 10))
        await db.execute("DELETE FROM reservations WHERE id IN (SELECT min(id) FROM reservations GROUP BY wa_id)")
        await db.copy_records_to_table(
            "conversation", columns=("wa_id", "role", "message", "local_date", "local_time"),
            records=[(rnd.choice(wa_ids), rnd.choice(("user", "assistant")), "c", day(rnd.randrange(-3, 3)),
                      time(rnd.randrange(8, 20), rnd.randrange(60))) for _ in range(40)])
        await db.execute("UPDATE reservation_group_counts SET n = n + 3")  # and stale rows of every kind
        await db.execute("UPDATE conversation_reply_delay_counts SET n = -1")
        await db.execute("INSERT INTO conversation_customer_days VALUES ('966500000999', $1, 4)", DAY0)
        await db.execute("UPDATE customers SET last_user_message_at = NULL")
        assert await db.fetchval("SELECT count(*) FROM conversation_reply_delays") > 0
        epoch = await db.fetchval(EPOCH)
        await db.execute("SELECT stats_rollups_rebuild()")
        assert await db.fetchval(EPOCH) > epoch  # 0253's cached message days are all invalid
        for table in ("conversation", "reservations", "conversation_reply_delays"):
            await db.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
    await assert_rollups_match(db)
    await say(db, wa_ids[0], "user", 5, "09:00:00")  # and the triggers carry on from there
    await say(db, wa_ids[0], "assistant", 5, "09:00:30")
    await book(db, random_rows(rnd, wa_ids, 3))
    await assert_rollups_match(db)
