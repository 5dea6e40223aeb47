"""The per-customer-day message counts (migration 0251) always equal a direct count over conversation, and
/stats' per-customer aggregate read from them equals the one computed from every message."""
from __future__ import annotations

import asyncio
import json
import random
from datetime import time, timedelta

import asyncpg

from runtime.db import QUERIES
from tests.customers.test_reply_delays import DAY0, add_customers, say

DIRECT = """
SELECT wa_id, local_date, count(*)::int AS n FROM conversation WHERE local_date IS NOT NULL
GROUP BY 1, 2 ORDER BY 1, 2
"""
STORED = "SELECT wa_id, local_date, n FROM conversation_customer_days WHERE n > 0 ORDER BY 1, 2"
# The per-customer aggregate as it was computed from every message of the window.
FROM_MESSAGES = """
WITH messages AS MATERIALIZED (
    SELECT wa_id, count(*) AS n, max(local_date + local_time) AS last_at
    FROM conversation WHERE local_date BETWEEN $1 AND $2 AND wa_id <> '' GROUP BY wa_id
), bookings AS MATERIALIZED (
    SELECT wa_id, count(*) AS n, max(slot_date + slot_time) AS last_at
    FROM reservations WHERE slot_date BETWEEN $1 AND $2 AND wa_id <> '' GROUP BY wa_id
)
SELECT
    (SELECT count(*) FROM messages JOIN bookings USING (wa_id)) AS converted,
    (SELECT coalesce(json_agg(json_build_array(n, customers) ORDER BY n), '[]')
     FROM (SELECT n, count(*) AS customers FROM messages GROUP BY n) AS h) AS message_histogram,
    (SELECT coalesce(json_agg(json_build_array(n, customers) ORDER BY n), '[]')
     FROM (SELECT n, count(*) AS customers FROM bookings GROUP BY n) AS h) AS booking_histogram,
    (SELECT coalesce(json_agg(top ORDER BY top.message_count DESC, top.reservation_count DESC, top.wa_id), '[]')
     FROM (
        SELECT wa_id, coalesce(m.n, 0) AS message_count, coalesce(b.n, 0) AS reservation_count,
               greatest(m.last_at, b.last_at)::date AS last_activity
        FROM messages AS m FULL JOIN bookings AS b USING (wa_id)
        ORDER BY message_count DESC, reservation_count DESC, wa_id
        LIMIT $3
     ) AS top) AS top_customers
"""


async def assert_consistent(db: asyncpg.Connection) -> None:
    assert [tuple(r) for r in await db.fetch(STORED)] == [tuple(r) for r in await db.fetch(DIRECT)]
    day = timedelta(days=1)
    for start, end in ((DAY0, DAY0), (DAY0 - day, DAY0 + 2 * day), (DAY0 - 30 * day, DAY0 + 30 * day)):
        got = await db.fetchrow(QUERIES.stats_customers, start, end, 50)
        want = await db.fetchrow(FROM_MESSAGES, start, end, 50)
        assert {k: json.loads(v) if isinstance(v, str) else v for k, v in got.items()} == \
               {k: json.loads(v) if isinstance(v, str) else v for k, v in want.items()}


async def test_counts_follow_inserts_updates_deletes_and_moves(db):
    rnd = random.Random(11)
    wa_ids = [f"9665000003{i:02d}" for i in range(6)]
    await add_customers(db, *wa_ids)
    ids = []
    for _ in range(80):
        ids.append(await say(db, rnd.choice(wa_ids), rnd.choice(("user", "assistant")), rnd.randrange(-2, 3),
                             f"{rnd.randrange(8, 23):02d}:{rnd.randrange(60):02d}:00"))
    await db.execute("INSERT INTO reservations (wa_id, slot_date, slot_time, type) VALUES ($1, $2, '10:00', 0),"
                     " ($3, $4, '11:00', 1)", wa_ids[0], DAY0 + timedelta(days=1), wa_ids[5], DAY0 + timedelta(days=9))
    await db.execute("INSERT INTO conversation (wa_id, role, message) VALUES ($1, 'user', 'undated')", wa_ids[1])
    await assert_consistent(db)
    await db.execute("UPDATE conversation SET local_date = local_date + 1 WHERE id = ANY($1::bigint[])", ids[:10])
    await db.execute("UPDATE conversation SET message = 'edited' WHERE id = ANY($1::bigint[])", ids[10:20])
    await db.execute("UPDATE conversation SET local_date = NULL, local_time = NULL WHERE id = $1", ids[20])
    await db.execute("DELETE FROM conversation WHERE id = ANY($1::bigint[])", ids[30:45])
    await assert_consistent(db)
    await db.execute(QUERIES.customer_rename_wa_id, wa_ids[2], "966500000399", "n")  # ON UPDATE CASCADE
    await db.fetchval(QUERIES.customer_move_conversation, wa_ids[3], wa_ids[4])  # merge
    await db.copy_records_to_table("conversation", columns=("wa_id", "role", "message", "local_date", "local_time"),
                                   records=[(wa_ids[5], "user", "c", DAY0, time(9))] * 3)
    await assert_consistent(db)
    await db.execute("DELETE FROM conversation WHERE wa_id = $1", wa_ids[0])
    await assert_consistent(db)


async def test_concurrent_writers_count_every_message(db, db_url):
    wa_ids = ["966500000401", "966500000402", "966500000403"]
    await add_customers(db, *wa_ids)
    conns = [await asyncpg.connect(db_url) for _ in range(6)]
    try:
        async def writer(k: int, conn: asyncpg.Connection) -> None:
            rnd = random.Random(k)
            for i in range(15):
                rows = [(wa, "user", DAY0 + timedelta(days=rnd.randrange(2)), time(10, i, k))
                        for wa in rnd.sample(wa_ids, rnd.choice((1, 3)))]
                async with conn.transaction():
                    await conn.execute(
                        "INSERT INTO conversation (wa_id, role, message, local_date, local_time)"
                        " SELECT w, r, 'r', d, t FROM unnest($1::text[], $2::text[], $3::date[], $4::time[])"
                        " AS v(w, r, d, t)", *map(list, zip(*rows)))
                    await asyncio.sleep(0)
                if i % 5 == 4:  # deletes race the inserts too (their own transactions: one statement locks in
                    # key order, but two multi-statement transactions over several customers may deadlock)
                    await conn.execute("DELETE FROM conversation WHERE id = (SELECT min(id) FROM conversation"
                                       " WHERE local_time = $1)", time(10, i - 1, k))

        await asyncio.gather(*(writer(k, c) for k, c in enumerate(conns)))
    finally:
        for conn in conns:
            await conn.close()
    assert await db.fetchval("SELECT count(*) FROM conversation") >= 70
    await assert_consistent(db)
