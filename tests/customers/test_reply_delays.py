"""The stored reply pairs (migration 0250) always equal the reference's pairing computed from conversation.

Each test changes conversation in one of the ways the triggers must follow (appends, back-dated inserts,
COPY, updates of role/date/wa_id, deletes, customer renames and merges, concurrent writers) and then checks
the table against a direct computation over the whole history, and /stats' response-time aggregate against
the reference's window-function query for a few windows.
"""
from __future__ import annotations

import asyncio
import random
from datetime import date, time, timedelta

import asyncpg

from runtime.db import QUERIES

# The pairs as the reference would find them over each customer's whole history.
DIRECT_PAIRS = """
SELECT id, wa_id, at::date AS reply_date, previous_at::date AS prompt_date,
       extract(epoch FROM at - previous_at)::integer AS seconds
FROM (
    SELECT id, wa_id, role, at, lag(role) OVER turn AS previous_role, lag(at) OVER turn AS previous_at
    FROM (SELECT id, wa_id, lower(trim(role)) AS role, local_date + local_time AS at
          FROM conversation WHERE local_date IS NOT NULL) AS m
    WINDOW turn AS (PARTITION BY wa_id ORDER BY at, id)
) AS p
WHERE wa_id <> '' AND role = 'assistant' AND previous_role <> 'assistant' AND at > previous_at
ORDER BY id
"""
STORED_PAIRS = """
SELECT message_id AS id, wa_id, reply_date, prompt_date, seconds FROM conversation_reply_delays ORDER BY message_id
"""
DIRECT_TAILS = """
SELECT DISTINCT ON (wa_id) wa_id, local_date + local_time AS at, id, lower(trim(role)) AS role
FROM conversation WHERE local_date IS NOT NULL
ORDER BY wa_id, local_date DESC, local_time DESC, id DESC
"""
STORED_TAILS = "SELECT wa_id, at, id, role FROM conversation_chain_tails WHERE at IS NOT NULL ORDER BY wa_id"
# The reference's aggregate: the pairing inside the window, by a window function at read time.
REFERENCE_RESPONSE_TIMES = """
SELECT avg(minutes)::float8 AS mean, percentile_cont(0.5) WITHIN GROUP (ORDER BY minutes) AS median,
       max(minutes)::float8 AS longest
FROM (
    SELECT role, lag(role) OVER turn AS previous_role,
           extract(epoch FROM at - lag(at) OVER turn)::float8 / 60 AS minutes
    FROM (SELECT wa_id, id, lower(trim(role)) AS role, local_date + local_time AS at
          FROM conversation WHERE local_date BETWEEN $1 AND $2 AND wa_id <> '') AS m
    WINDOW turn AS (PARTITION BY wa_id ORDER BY at, id)
) AS pairs
WHERE role = 'assistant' AND previous_role <> 'assistant' AND minutes > 0
"""
DAY0 = date(2026, 3, 1)


async def assert_consistent(db: asyncpg.Connection) -> None:
    assert [tuple(r) for r in await db.fetch(STORED_PAIRS)] == [tuple(r) for r in await db.fetch(DIRECT_PAIRS)]
    assert [tuple(r) for r in await db.fetch(STORED_TAILS)] == [tuple(r) for r in await db.fetch(DIRECT_TAILS)]
    day = timedelta(days=1)
    for start, end in ((DAY0, DAY0), (DAY0, DAY0 + day), (DAY0 + day, DAY0 + 5 * day),
                       (DAY0 - 30 * day, DAY0 + 30 * day)):
        stored = await db.fetchrow(QUERIES.stats_response_times, start, end)
        reference = await db.fetchrow(REFERENCE_RESPONSE_TIMES, start, end)
        assert stored["median"] == reference["median"] and stored["longest"] == reference["longest"]
        assert (stored["mean"] is None) == (reference["mean"] is None)
        if stored["mean"] is not None:
            assert abs(stored["mean"] - reference["mean"]) < 1e-9


async def add_customers(db: asyncpg.Connection, *wa_ids: str) -> None:
    await db.executemany("INSERT INTO customers (wa_id, customer_name) VALUES ($1, $1) ON CONFLICT DO NOTHING",
                         [(w,) for w in wa_ids])


async def say(db: asyncpg.Connection, wa_id: str, role: str, day: int, at: str) -> int:
    return await db.fetchval(
        "INSERT INTO conversation (wa_id, role, message, local_date, local_time) VALUES ($1, $2, 'x', $3, $4)"
        " RETURNING id", wa_id, role, DAY0 + timedelta(days=day), time.fromisoformat(at))


async def test_appends_pair_each_reply_with_the_message_before_it(db):
    await add_customers(db, "966500000001", "966500000002")
    await say(db, "966500000001", "user", 0, "10:00:00")
    await say(db, "966500000001", "assistant", 0, "10:00:30")
    await say(db, "966500000001", "Assistant ", 0, "10:01:00")  # after an assistant message: no pair
    await say(db, "966500000001", "user", 0, "23:59:00")
    await say(db, "966500000001", "assistant", 1, "00:01:00")  # crosses midnight: prompt_date is day 0
    await say(db, "966500000002", "user", 0, "09:00:00")
    await say(db, "966500000002", "assistant", 0, "09:00:00")  # no time passed: no pair
    rows = await db.fetch(STORED_PAIRS)
    assert [(r["seconds"], r["reply_date"] - r["prompt_date"]) for r in rows] == [(30, timedelta(0)),
                                                                                 (120, timedelta(days=1))]
    await assert_consistent(db)


async def test_backdated_and_batched_inserts_repair_the_chain(db):
    await add_customers(db, "966500000003", "966500000004")
    await say(db, "966500000003", "user", 0, "10:00:00")
    await say(db, "966500000003", "assistant", 0, "10:05:00")
    await say(db, "966500000003", "user", 0, "10:04:00")  # back-dated: the reply now follows this one
    await assert_consistent(db)
    # one statement with several customers, out of order, plus an undated legacy row
    await db.execute(
        "INSERT INTO conversation (wa_id, role, message, local_date, local_time) VALUES"
        " ('966500000004', 'assistant', 'a', $1, '08:10'), ('966500000004', 'user', 'u', $1, '08:00'),"
        " ('966500000003', 'assistant', 'b', $1, '10:04:30'), ('966500000004', 'user', 'u', NULL, NULL)",
        DAY0)
    await assert_consistent(db)
    await db.copy_records_to_table(
        "conversation", columns=("wa_id", "role", "message", "local_date", "local_time"),
        records=[("966500000004", "user", "c", DAY0 + timedelta(days=2), time(9)),
                 ("966500000004", "assistant", "c", DAY0 + timedelta(days=2), time(9, 1)),
                 ("966500000003", "assistant", "c", DAY0 - timedelta(days=1), time(9, 1))])
    await assert_consistent(db)


async def test_updates_and_deletes_recompute_the_touched_customers(db):
    await add_customers(db, "966500000005", "966500000006")
    ids = [await say(db, "966500000005", role, 0, f"10:0{i}:00")
           for i, role in enumerate(("user", "assistant", "user", "assistant", "user", "assistant"))]
    await say(db, "966500000006", "user", 0, "11:00:00")
    await assert_consistent(db)
    await db.execute("UPDATE conversation SET role = 'assistant' WHERE id = $1", ids[2])
    await assert_consistent(db)
    await db.execute("UPDATE conversation SET local_time = '12:00' WHERE id = $1", ids[0])
    await assert_consistent(db)
    await db.execute("UPDATE conversation SET local_date = $2 WHERE id = $1", ids[4], DAY0 + timedelta(days=3))
    await assert_consistent(db)
    await db.execute("UPDATE conversation SET message = 'edited' WHERE id = $1", ids[1])  # no pairing change
    await assert_consistent(db)
    await db.execute("UPDATE conversation SET wa_id = '966500000006' WHERE id = $1", ids[3])
    await assert_consistent(db)
    await db.execute("UPDATE conversation SET local_date = NULL, local_time = NULL WHERE id = $1", ids[5])
    await assert_consistent(db)
    await db.execute("DELETE FROM conversation WHERE id = $1", ids[1])
    await assert_consistent(db)
    await db.execute("DELETE FROM conversation WHERE wa_id = '966500000005'")
    await assert_consistent(db)


async def test_customer_rename_and_merge_move_the_pairs(db):
    await add_customers(db, "966500000007", "966500000008")
    await say(db, "966500000007", "user", 0, "10:00:00")
    await say(db, "966500000007", "assistant", 0, "10:02:00")
    await say(db, "966500000008", "user", 0, "10:01:00")
    await say(db, "966500000008", "assistant", 0, "10:03:00")
    await db.execute(QUERIES.customer_rename_wa_id, "966500000007", "966500000009", "n")  # ON UPDATE CASCADE
    await assert_consistent(db)
    await db.fetchval(QUERIES.customer_move_conversation, "966500000009", "966500000008")  # merge: interleaves
    await assert_consistent(db)
    assert await db.fetchval("SELECT count(*) FROM conversation_reply_delays WHERE wa_id = '966500000009'") == 0


async def test_random_history_matches_the_reference(db):
    rnd = random.Random(7)
    wa_ids = [f"9665000001{i:02d}" for i in range(8)]
    await add_customers(db, *wa_ids)
    for _ in range(120):
        wa, role = rnd.choice(wa_ids), rnd.choice(("user", "assistant", "assistant", "tool", "USER"))
        await say(db, wa, role, rnd.randrange(-2, 4), f"{rnd.randrange(8, 12):02d}:{rnd.randrange(60):02d}:00")
    await assert_consistent(db)
    ids = [r["id"] for r in await db.fetch("SELECT id FROM conversation")]
    await db.execute("DELETE FROM conversation WHERE id = ANY($1::bigint[])", rnd.sample(ids, 20))
    await db.execute("UPDATE conversation SET local_time = local_time + interval '7 minutes'"
                     " WHERE id % 3 = 0 AND local_time < '23:00'")
    await assert_consistent(db)


async def test_concurrent_writers_for_one_customer(db, db_url):
    """Writers racing on the same customers, each in its own transaction, leave the same pairs as the
    reference computes from the final history (each waits for the other's lock, then sees its rows)."""
    wa_ids = ["966500000201", "966500000202"]
    await add_customers(db, *wa_ids)
    conns = [await asyncpg.connect(db_url) for _ in range(6)]
    try:
        async def writer(k: int, conn: asyncpg.Connection) -> None:
            rnd = random.Random(k)
            for i in range(15):
                rows = []
                for wa in rnd.sample(wa_ids, rnd.choice((1, 2))):  # one customer, or both in one statement
                    minute = 10 * 60 + i * 2 + rnd.randrange(3)  # overlapping times, some back-dated
                    rows.append((wa, rnd.choice(("user", "assistant")), DAY0,
                                 time(minute // 60, minute % 60, rnd.randrange(60))))
                async with conn.transaction():
                    await conn.execute(
                        "INSERT INTO conversation (wa_id, role, message, local_date, local_time)"
                        " SELECT w, r, 'r', d, t FROM unnest($1::text[], $2::text[], $3::date[], $4::time[])"
                        " AS v(w, r, d, t)", *map(list, zip(*rows)))
                    await asyncio.sleep(0)  # hold the locks a moment: the others queue behind them

        await asyncio.gather(*(writer(k, c) for k, c in enumerate(conns)))
    finally:
        for conn in conns:
            await conn.close()
    assert await db.fetchval("SELECT count(*) FROM conversation") >= 90
    await assert_consistent(db)


async def _sessions_by_shard(db_url: str, wanted: int) -> dict[int, list[asyncpg.Connection]]:
    """Open connections until two share a shard and `wanted` shards are covered (a shard is pid % 16)."""
    shards: dict[int, list[asyncpg.Connection]] = {}
    for _ in range(64):
        conn = await asyncpg.connect(db_url)
        shards.setdefault(await conn.fetchval("SELECT pg_backend_pid() % 16"), []).append(conn)
        if len(shards) >= wanted and any(len(c) > 1 for c in shards.values()):
            break
    return shards


async def test_backdated_messages_of_other_shards_do_not_wait_for_each_other(db, db_url):
    """A back-dated message rewrites its customer's pairs and locks the histogram's removals until commit;
    another session (another shard) back-dating another customer's message goes on meanwhile (migration 0258).
    Today, as live traffic: a settled day's messages also stamp the day for /stats, one row per day."""
    wa_ids = ["966500000301", "966500000302", "966500000303"]
    await add_customers(db, *wa_ids)
    today = date.today()
    for wa in wa_ids:
        await say(db, wa, "user", (today - DAY0).days, "10:00:00")
        await say(db, wa, "assistant", (today - DAY0).days, "10:05:00")
    shards = await _sessions_by_shard(db_url, 2)
    groups = list(shards.values())
    conns = [c for group in groups for c in group]
    first, other = groups[0][0], groups[1][0]  # two shards
    same = next(group for group in groups if len(group) > 1)
    backdate = ("INSERT INTO conversation (wa_id, role, message, local_date, local_time)"
                " VALUES ($1, 'user', 'x', $2, $3)")
    try:
        holder = first.transaction()
        await holder.start()
        await first.execute(backdate, wa_ids[0], today, time(10, 4))
        await other.execute("SET lock_timeout = '3s'")  # with one lock for every shard this would time out
        async with other.transaction():
            await other.execute(backdate, wa_ids[1], today, time(10, 3))
        await holder.commit()

        # the same shard still takes turns (and so never deadlocks): the second waits for the first's commit
        a, b = same[0], same[1]
        async with a.transaction():
            await a.execute(backdate, wa_ids[2], today, time(10, 2))
            waiting = asyncio.create_task(b.execute(backdate, wa_ids[0], today, time(10, 1)))
            await asyncio.sleep(0.3)
            assert not waiting.done()
        await waiting
    finally:
        for conn in conns:
            await conn.close()
    await assert_consistent(db)
