"""Direct computations of everything the triggers on conversation, reservations and conversation_reply_delays
maintain (migrations 0200, 0250, 0251, 0252), and of /stats' reservation and response-time aggregates as they
were computed from the base tables before 0252; `assert_rollups_match` checks them all against the stored
tables and the current named queries."""
from __future__ import annotations

from datetime import date, timedelta

import asyncpg

from runtime.db import QUERIES

# (stored, direct) pairs, each ordered in full so the lists compare as they are
TABLES = {
    "customers.last_user_message_at": (
        "SELECT wa_id, last_user_message_at FROM customers ORDER BY wa_id",
        """SELECT c.wa_id, (SELECT max(m.local_date + m.local_time) FROM conversation AS m
                            WHERE m.wa_id = c.wa_id AND m.role = 'user' AND m.local_date IS NOT NULL)
           FROM customers AS c ORDER BY c.wa_id""",
    ),
    "conversation_reply_delays": (
        "SELECT message_id, wa_id, reply_date, prompt_date, seconds FROM conversation_reply_delays ORDER BY 1",
        """SELECT id, wa_id, at::date, previous_at::date, extract(epoch FROM at - previous_at)::integer
           FROM (SELECT id, wa_id, role, at, lag(role) OVER turn AS previous_role, lag(at) OVER turn AS previous_at
                 FROM (SELECT id, wa_id, lower(trim(role)) AS role, local_date + local_time AS at
                       FROM conversation WHERE local_date IS NOT NULL) AS m
                 WINDOW turn AS (PARTITION BY wa_id ORDER BY at, id)) AS p
           WHERE wa_id <> '' AND role = 'assistant' AND previous_role <> 'assistant' AND at > previous_at
           ORDER BY 1""",
    ),
    "conversation_chain_tails": (
        "SELECT wa_id, at, id, role FROM conversation_chain_tails WHERE at IS NOT NULL ORDER BY wa_id",
        """SELECT DISTINCT ON (wa_id) wa_id, local_date + local_time, id, lower(trim(role))
           FROM conversation WHERE local_date IS NOT NULL
           ORDER BY wa_id, local_date DESC, local_time DESC, id DESC""",
    ),
    "conversation_customer_days": (
        "SELECT wa_id, local_date, n FROM conversation_customer_days WHERE n <> 0 ORDER BY 1, 2",
        """SELECT wa_id, local_date, count(*)::int FROM conversation WHERE local_date IS NOT NULL
           GROUP BY 1, 2 ORDER BY 1, 2""",
    ),
    "reservation_group_counts": (
        "SELECT slot_date, slot_time, type, status, n FROM reservation_group_counts WHERE n <> 0 ORDER BY 1, 2, 3, 4",
        """SELECT slot_date, slot_time, type, status, count(*)::int FROM reservations
           GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4""",
    ),
    "customer_reservation_dates": (
        """SELECT wa_id, first_date, last_active_date FROM customer_reservation_dates
           WHERE first_date IS NOT NULL OR last_active_date IS NOT NULL ORDER BY wa_id""",
        """SELECT wa_id, min(slot_date), max(slot_date) FILTER (WHERE status = 'active') FROM reservations
           GROUP BY wa_id ORDER BY wa_id""",
    ),
    "conversation_reply_delay_counts": (
        "SELECT reply_date, prompt_date, seconds, sum(n)::int FROM conversation_reply_delay_counts"
        " GROUP BY 1, 2, 3 HAVING sum(n) <> 0 ORDER BY 1, 2, 3",
        """SELECT reply_date, prompt_date, seconds, count(*)::int FROM conversation_reply_delays
           GROUP BY 1, 2, 3 ORDER BY 1, 2, 3""",
    ),
}
# Counts never go negative, and a customer's row of NULLs is the only trace of a customer without reservations.
NEGATIVE = """
SELECT (SELECT count(*) FROM reservation_group_counts WHERE n < 0)
     + (SELECT count(*) FROM (SELECT FROM conversation_reply_delay_counts  -- per key: shards may go negative
                              GROUP BY reply_date, prompt_date, seconds HAVING sum(n) < 0) AS keys)
     + (SELECT count(*) FROM conversation_customer_days WHERE n < 0)
"""

# /stats' aggregates as they were computed from the base tables before migration 0252.
DIRECT_GROUPS = """
SELECT slot_date, slot_time, coalesce(type, 0) AS type, status, count(*) AS n
FROM reservations
WHERE slot_date BETWEEN $1 AND $2
GROUP BY slot_date, slot_time, type, status
ORDER BY slot_date, slot_time, type, status
"""
DIRECT_FIRST_RESERVATIONS = """
SELECT count(*)
FROM (SELECT DISTINCT wa_id FROM reservations WHERE slot_date BETWEEN $1 AND $2) AS w
WHERE (SELECT min(e.slot_date) FROM reservations AS e WHERE e.wa_id = w.wa_id) >= $1
"""
DIRECT_ACTIVE_CUSTOMERS = "SELECT count(DISTINCT wa_id) FROM reservations WHERE status = 'active' AND slot_date >= $1"
DIRECT_MODIFICATIONS = """
SELECT (updated_at AT TIME ZONE $3)::date AS day, count(*) AS n
FROM reservations
WHERE slot_date BETWEEN $1 AND $2 AND updated_at <> created_at
GROUP BY 1 ORDER BY 1
"""
DIRECT_RESPONSE_TIMES = """
SELECT avg(minutes)::float8 AS mean, percentile_cont(0.5) WITHIN GROUP (ORDER BY minutes) AS median,
       max(minutes)::float8 AS longest
FROM (
    SELECT seconds::float8 / 60 AS minutes
    FROM conversation_reply_delays
    WHERE reply_date BETWEEN $1 AND $2 AND prompt_date >= $1
) AS pairs
"""
ZONES = ("Asia/Riyadh", "UTC", "America/St_Johns", "Asia/Kathmandu", "Pacific/Chatham")


async def windows(conn: asyncpg.Connection) -> list[tuple[date, date]]:
    """A few windows over the data: empty, one day, a week, a month, all of it, and one before it."""
    lo, hi = await conn.fetchrow(
        "SELECT least((SELECT min(slot_date) FROM reservations), (SELECT min(local_date) FROM conversation)),"
        " greatest((SELECT max(slot_date) FROM reservations), (SELECT max(local_date) FROM conversation))")
    if lo is None:
        lo = hi = date(2026, 3, 1)
    middle = lo + (hi - lo) / 2
    day = timedelta(days=1)
    return [(lo - 9 * day, lo - day), (middle, middle), (middle - 3 * day, middle + 3 * day),
            (middle - 15 * day, middle + 14 * day), (lo, hi), (hi, lo)]


async def assert_stats_match(conn: asyncpg.Connection) -> None:
    for start, end in await windows(conn):
        got = [tuple(r) for r in await conn.fetch(QUERIES.stats_reservation_groups, start, end)]
        assert got == [tuple(r) for r in await conn.fetch(DIRECT_GROUPS, start, end)], (start, end)
        assert await conn.fetchval(QUERIES.stats_first_reservations, start, end) == \
            await conn.fetchval(DIRECT_FIRST_RESERVATIONS, start, end), (start, end)
        for since in (start, end):
            assert await conn.fetchval(QUERIES.stats_active_customers, since) == \
                await conn.fetchval(DIRECT_ACTIVE_CUSTOMERS, since), since
        for zone in ZONES:
            got = sorted(tuple(r) for r in await conn.fetch(QUERIES.stats_modifications, start, end, zone))
            assert got == [tuple(r) for r in await conn.fetch(DIRECT_MODIFICATIONS, start, end, zone)]
        stored = await conn.fetchrow(QUERIES.stats_response_times, start, end)
        direct = await conn.fetchrow(DIRECT_RESPONSE_TIMES, start, end)
        assert list(stored.keys()) == list(direct.keys())
        assert (stored["median"], stored["longest"]) == (direct["median"], direct["longest"]), (start, end)
        assert (stored["mean"] is None) == (direct["mean"] is None)
        if stored["mean"] is not None:
            assert abs(stored["mean"] - direct["mean"]) < 1e-9


async def assert_rollups_match(conn: asyncpg.Connection) -> None:
    for name, (stored, direct) in TABLES.items():
        assert [tuple(r) for r in await conn.fetch(stored)] == [tuple(r) for r in await conn.fetch(direct)], name
    assert await conn.fetchval(NEGATIVE) == 0
    await assert_stats_match(conn)
