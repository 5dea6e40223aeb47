"""/stats' message blocks read through the per-day cache (migration 0253) always equal the direct computation over
every message of the window: after appends, back-dated inserts, edits, moves between days, deletes, TRUNCATE,
and with writers racing readers. The direct computation is the reference's: distinct (role, text) pairs in
order of first appearance, tokenized, counted in a Counter (ties keep first-seen order)."""
from __future__ import annotations

import asyncio
import random
from collections import Counter
from datetime import date, datetime, time, timedelta, timezone

import asyncpg
import pytest

from actors.customers import message_days
from actors.customers.analytics import TOP_WORDS, tokenize

TEXTS = """
SELECT role, message, count(*) AS n, char_length(message) AS chars
FROM (SELECT coalesce(nullif(lower(trim(role)), ''), 'user') AS role, coalesce(message, '') AS message,
             local_date, local_time, id
      FROM conversation WHERE local_date BETWEEN $1 AND $2) AS m
GROUP BY role, message
ORDER BY min(local_date + local_time), (array_agg(id ORDER BY local_date, local_time, id))[1]
"""
HOURS = """
SELECT local_date, extract(hour FROM local_time)::int AS hour, count(*) AS n FROM conversation
WHERE local_date BETWEEN $1 AND $2 GROUP BY 1, 2 ORDER BY 1, 2
"""
VOCABULARY = ("booking", "موعد", "cancel", "الأحد", "thanks", "tomorrow", "حجز", "clinic", "slot", "يوم")
ROLES = ("user", "assistant", "tool", "secretary", " User ", "ASSISTANT", "  ")


async def direct(conn: asyncpg.Connection, start: date, end: date) -> dict:
    everyone: Counter[str] = Counter()
    by_role = {"user": Counter(), "assistant": Counter()}
    tokens = chars = 0
    for row in await conn.fetch(TEXTS, start, end):
        words = tokenize(row["message"])
        tokens += len(words) * row["n"]
        chars += row["chars"] * row["n"]
        if row["role"] == "tool":
            continue
        for word in words:
            everyone[word] += row["n"]
            if row["role"] in by_role:
                by_role[row["role"]][word] += row["n"]

    def top(counter: Counter[str]) -> list[dict]:
        return [{"word": w, "count": n} for w, n in counter.most_common(TOP_WORDS)]

    hours = [(r["local_date"], r["hour"], r["n"]) for r in await conn.fetch(HOURS, start, end)]
    return {"hours": hours, "tokens": tokens, "chars": chars,
            "top": {"everyone": top(everyone), "user": top(by_role["user"]), "assistant": top(by_role["assistant"])}}


def as_dict(window: message_days.MessageWindow) -> dict:
    return {"hours": window.hours, "tokens": window.tokens, "chars": window.chars, "top": window.top_words}


def utc_today() -> date:
    return datetime.now(timezone.utc).date()


def random_text(rnd: random.Random) -> str:
    return " ".join(rnd.choice(VOCABULARY) for _ in range(rnd.randint(0, 6))) + rnd.choice(("", "!", " 12 ok"))


async def add_messages(conn, rnd: random.Random, count: int, first_day: date, days: int) -> None:
    await conn.execute("INSERT INTO customers (wa_id) SELECT '9665' || lpad(i::text, 8, '0')"
                       " FROM generate_series(0, 30) AS i ON CONFLICT DO NOTHING")
    rows = [(f"9665{rnd.randint(0, 30):08d}", rnd.choice(ROLES), random_text(rnd),
             first_day + timedelta(days=rnd.randrange(days)), time(rnd.randrange(24), rnd.randrange(60)))
            for _ in range(count)]
    # one statement, as the app writes: the rollup triggers lock their rows in key order per statement
    await conn.execute(
        "INSERT INTO conversation (wa_id, role, message, local_date, local_time)"
        " SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::date[], $5::time[])",
        *map(list, zip(*rows)))


@pytest.fixture
async def pool(db_url):
    async with asyncpg.create_pool(db_url, min_size=1, max_size=6) as created:
        yield created


async def check(pool, start: date, end: date) -> message_days.MessageWindow:
    window = await message_days.message_window(pool, start, end)
    async with pool.acquire() as conn:
        assert as_dict(window) == await direct(conn, start, end)
    return window


async def cached_days(db) -> set[date]:
    return {r["local_date"] for r in await db.fetch("SELECT local_date FROM stats_message_days")}


async def test_equals_the_direct_computation_and_caches_only_settled_days(pool, db):
    rnd = random.Random(7)
    today = utc_today()
    start = today - timedelta(days=40)
    await add_messages(db, rnd, 600, start, 43)
    window = await check(pool, start, today)
    assert window.top_words["everyone"] and window.top_words["user"] and window.tokens > 0
    cached = await cached_days(db)
    assert cached == {start + timedelta(days=i) for i in range(38)}  # the last three days stay live
    # read again from the cache, and for windows that start or end inside it
    await check(pool, start, today)
    await check(pool, start + timedelta(days=5), today - timedelta(days=10))
    await check(pool, today - timedelta(days=60), today)


async def test_every_kind_of_change_invalidates_the_days_it_touches(pool, db):
    rnd = random.Random(11)
    today = utc_today()
    start = today - timedelta(days=30)
    await add_messages(db, rnd, 300, start, 31)
    await check(pool, start, today)
    await add_messages(db, rnd, 40, start, 10)  # back-dated inserts into cached days
    await check(pool, start, today)
    await db.execute("UPDATE conversation SET message = 'booking booking موعد' WHERE id % 7 = 0")
    await check(pool, start, today)
    await db.execute("UPDATE conversation SET local_date = local_date - 3 WHERE id % 5 = 0")  # moved between days
    await check(pool, start - timedelta(days=3), today)
    await db.execute("UPDATE conversation SET role = 'assistant' WHERE id % 3 = 0")
    await check(pool, start, today)
    await db.execute("DELETE FROM conversation WHERE id % 4 = 0")
    await check(pool, start - timedelta(days=3), today)
    await db.execute("TRUNCATE conversation CASCADE")
    window = await check(pool, start - timedelta(days=3), today)
    assert window.hours == [] and window.tokens == 0
    await add_messages(db, rnd, 50, start, 20)
    await check(pool, start - timedelta(days=3), today)


async def test_writers_racing_readers_leave_no_stale_day(pool, db):
    rnd = random.Random(3)
    today = utc_today()
    start = today - timedelta(days=20)
    await add_messages(db, rnd, 200, start, 18)

    quiet = asyncio.Lock()  # held by a write, and by a read that is checked
    checked: list[int] = []

    async def writer(seed: int) -> None:
        writer_rnd = random.Random(seed)
        async with pool.acquire() as conn:
            for _ in range(15):
                async with quiet:
                    await add_messages(conn, writer_rnd, 5, start, 18)
                    await conn.execute("UPDATE conversation SET message = $1 WHERE id = (SELECT max(id) - $2 FROM"
                                       " conversation)", random_text(writer_rnd), writer_rnd.randrange(50))
                await asyncio.sleep(0)

    async def reader(number: int) -> None:
        # each read races the writers (and fills the cache); the one after it, taken while no write is in
        # flight, must equal the direct computation: a stale day cached mid-race is caught then
        for _ in range(15):
            await message_days.message_window(pool, start, today)
            async with quiet:
                await check(pool, start, today)
            checked.append(number)

    await asyncio.gather(writer(1), writer(2), reader(1), reader(2))
    assert len(checked) == 30
    await check(pool, start, today)


async def test_an_empty_window_and_an_empty_database(pool):
    today = utc_today()
    window = await check(pool, today - timedelta(days=9), today)
    assert window.top_words == {"everyone": [], "user": [], "assistant": []} and window.messages == 0


async def test_the_warm_job_caches_every_settled_day_once(db, config):
    from actors.jobs.job import JobContext
    from actors.jobs.maintenance import warm_stats_days
    from tests.ops.support import running_services

    rnd = random.Random(5)
    today = utc_today()
    await add_messages(db, rnd, 100, today - timedelta(days=20), 21)
    async with running_services(config) as services:
        context = JobContext(services, datetime.now(timezone.utc), manual=True)
        first = await warm_stats_days(context)
        again = await warm_stats_days(context)
    settled = {d for d in await cached_days(db) if d >= today - timedelta(days=20)}
    # every settled day of the last 400 is cached (empty ones too); a second run has nothing left to do
    assert first.split()[0] == str(len(await cached_days(db))) and again.startswith("0 days summarised")
    # and the default /stats window's settled days are snapshotted once (window_snapshots.py)
    assert "snapshot built" in first and "snapshot kept" in again
    assert await db.fetchval("SELECT count(*) FROM stats_window_snapshots") == 1
    assert settled == {today - timedelta(days=20) + timedelta(days=i) for i in range(18)}
