"""Customer search, the directory and the dashboard on a large demo database (issue 4's benchmark).

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/bench_customers.py
        [--customers 1000000] [--keep] [--url postgresql://…/already_seeded] [--requests 200] [--numbers 40]

Without --url it creates a private migrated database on DATABASE_URL's server, fills it with
`bin/mawid seed-demo --customers N` (10 messages and 1.5 reservations per customer), measures, then
drops it (unless --keep). Requests go over loopback HTTP to an in-process app holding this feature's
routes, one at a time, with a staff token; latencies are wall-clock per request as the client sees it.
Also prints EXPLAIN ANALYZE of the search and dashboard queries.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import common  # noqa: F401, I001  (puts the repo root on sys.path first)

ROOT = Path(__file__).resolve().parent.parent


def seed(url: str, customers: int) -> None:
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run([str(ROOT / "bin" / "mawid"), "seed-demo", "--customers", str(customers), "--seed", "4"],
                   check=True, env=env, cwd=ROOT)
    # seed-demo only ANALYZEs; a live database's autovacuum (insert thresholds) sets the visibility map, without
    # which the covering indexes cannot serve index-only scans: measure that steady state
    asyncio.run(vacuum(url))


async def vacuum(url: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        await conn.execute("VACUUM (ANALYZE) customers, conversation, reservations, conversation_reply_delays,"
                           " conversation_customer_days",
                           timeout=1800)
    finally:
        await conn.close()


async def pick_examples(conn) -> dict[str, str]:
    """Real names and digits from the seeded data, so every query has matches."""
    english = await conn.fetchval("SELECT split_part(customer_name, ' ', 1) FROM customers"
                                  " WHERE customer_name ~ '^[A-Za-z]' LIMIT 1")
    arabic = await conn.fetchval("SELECT customer_name FROM customers WHERE customer_name ~ '^[ء-ي]' LIMIT 1")
    wa_id = await conn.fetchval("SELECT wa_id FROM customers WHERE wa_id LIKE '9665%' LIMIT 1")
    return {"English name": english, "Arabic name": arabic, "partial digits": wa_id[3:10],
            "partial digits (4)": wa_id[5:9], "full number with +": "+" + wa_id}


def summary(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[max(0, int(len(ordered) * 0.95) - 1)]


async def drawn_numbers(conn, count: int) -> list[str]:
    """`count` wa_ids drawn from the whole directory, the same ones on every run over the same data."""
    return [r["wa_id"] for r in await conn.fetch(
        "SELECT wa_id FROM customers WHERE wa_id ~ '^[0-9]{10,}$' ORDER BY md5(wa_id) LIMIT $1", count)]


async def spread(client, numbers: list[str], repeats: int = 5) -> None:
    """A number search's time depends on the number (how many numbers share its trigrams): the medians of
    `repeats` requests for each of many numbers, full and in part, summarised across the numbers."""
    for label, queries in ((f"{len(numbers)} full numbers drawn from the directory", numbers),
                           (f"{len(numbers)} of their 7 middle digits", [n[4:11] for n in numbers])):
        medians = []
        for q in queries:
            times = []
            for i in range(repeats + 1):
                started = time.perf_counter()
                response = await client.get("/phone/search", params={"q": q, "limit": "100"})
                await response.read()
                assert response.status == 200, q
                if i:  # the first one warms the pool and the sample
                    times.append((time.perf_counter() - started) * 1000)
            medians.append((statistics.median(times), q))
        p50, p95 = summary([ms for ms, _ in medians])
        slowest, slowest_q = max(medians)
        print(f"| /phone/search {label}, median of {repeats} each | {len(queries)} | - | {p50:.1f} | {p95:.1f}"
              f" | slowest {slowest:.1f} ms ({slowest_q!r}) |", flush=True)


def typed(number: str) -> list[str]:
    """What staff type or paste on the way to (or instead of) a number: its first keys, punctuation, WhatsApp's
    copy of it (between direction marks), an autocorrected ellipsis, a paste of 200 digits."""
    return ["+", "+" + number[:2], "+" + number[:3], f"({number[:3]})", number[:4] + "?", number[:4] + "\u2026",
            f"\u202a+{number[:3]} {number[3:5]} {number[5:8]} {number[8:]}\u202c", (number * 20)[:200]]


async def measure(url: str, requests: int, only: str = "", plans: bool = True, numbers: int = 40) -> None:
    import asyncpg
    from aiohttp.test_utils import TestClient, TestServer

    from handlers import customers
    from runtime.app import base_app
    from runtime.config import load_config
    from runtime.routes import Role, register
    from runtime.services import SERVICES

    config = load_config({"DATABASE_URL": url, "JWT_SECRET": "bench-secret-0123456789abcdef0123456789",
                          "LOG_LEVEL": "WARNING", "LOG_FORMAT": "text"})
    app = base_app(config)
    register(app, customers.ROUTES)
    customers.setup(app)
    conn = await asyncpg.connect(url)
    try:
        user = await conn.fetchval(
            "INSERT INTO users (email, hashed_password, role) VALUES ('bench-' || gen_random_uuid() || '@x.test',"
            " '!', 'staff') RETURNING id")
        examples = await pick_examples(conn)
        drawn = await drawn_numbers(conn, numbers)
        counts = await conn.fetchrow("SELECT (SELECT count(*) FROM customers) AS customers,"
                                     " (SELECT count(*) FROM conversation) AS messages,"
                                     " (SELECT count(*) FROM reservations) AS reservations")
    finally:
        await conn.close()
    token = app[SERVICES].tokens.issue(str(user), "bench@x.test", Role.STAFF)
    today = date.today()
    cases: list[tuple[str, str, dict]] = [
        (f"/phone/search {label} {q!r}", "/phone/search", {"q": q, "limit": "100"}) for label, q in examples.items()
    ]
    cases += [(f"/phone/search typed {q[:24]!r}", "/phone/search", {"q": q, "limit": "100"})
              for q in typed(examples["full number with +"].lstrip("+"))]
    cases += [
        ("/phone/all page 1 (no filter)", "/phone/all", {"page": "1", "page_size": "100"}),
        ("/phone/all page 50 (no filter)", "/phone/all", {"page": "50", "page_size": "100"}),
        ("/phone/all registered+SA+messages 7 days", "/phone/all", {
            "page": "1", "page_size": "100", "status": "registered", "registration": "registered", "country": "SA",
            "date_range_type": "messages", "date_from": (today - timedelta(days=7)).isoformat(),
            "date_to": today.isoformat()}),
        ("/phone/recent", "/phone/recent", {"limit": "50"}),
        ("/stats 30 days", "/stats", {}),
        ("/stats 365 days", "/stats", {"from_date": (today - timedelta(days=364)).isoformat()}),
    ]
    print(f"\ndata: {counts['customers']:,} customers, {counts['messages']:,} messages, "
          f"{counts['reservations']:,} reservations\n")
    # "first ms": the first request of a kind (cold caches: /stats' day summaries, the pool, the page cache)
    print("| request | n | first ms | p50 ms | p95 ms | results |")
    print("|---|---|---|---|---|---|")
    async with TestClient(TestServer(app), headers={"Authorization": f"Bearer {token}"}) as client:
        for label, path, params in cases:
            if only and only not in label:
                continue
            n = requests if path.startswith("/phone") and " typed " not in label else max(3, requests // 10)
            samples, size, first = [], None, 0.0
            for i in range(n + 3):
                started = time.perf_counter()
                response = await client.get(path, params=params)
                body = await response.json()
                elapsed = (time.perf_counter() - started) * 1000
                assert response.status == 200, body
                if i >= 3:  # the first requests warm caches and the pool
                    samples.append(elapsed)
                elif i == 0:
                    first = elapsed
                    # /stats builds its window's snapshot off the request path: measure the steady state after it
                    while app[SERVICES].jobs.active_count:
                        await asyncio.sleep(0.05)
                data = body.get("data")
                size = len(data) if isinstance(data, list) else (data or {}).get("stats", {}).get("totalReservations")
            p50, p95 = summary(samples)
            print(f"| {label} | {n} | {first:.1f} | {p50:.1f} | {p95:.1f} | {size} |", flush=True)
        if drawn and (not only or only in "/phone/search"):
            await spread(client, drawn)
    if plans:
        await explain(url, examples)


async def explain(url: str, examples: dict[str, str]) -> None:
    import asyncpg

    from actors.customers.search import SearchTerms
    from runtime.db import QUERIES

    conn = await asyncpg.connect(url)
    try:
        from handlers.customers.phone_search import SEARCH_SESSION, THRESHOLD_LEVELS

        for label in ("English name", "Arabic name", "partial digits"):
            terms = SearchTerms.parse(examples[label])
            for threshold in THRESHOLD_LEVELS:  # the level at which the route stops
                async with conn.transaction():
                    for name, value in SEARCH_SESSION.items():  # the search connections' session settings
                        await conn.execute(f"SET LOCAL {name} = '{value}'")
                    args = terms.arguments(100, threshold)  # as the first level (a superset of the route's later ones)
                    if len(await conn.fetch(QUERIES.phone_search, *args)) >= 100 or threshold == THRESHOLD_LEVELS[-1]:
                        plan = await conn.fetch("EXPLAIN (ANALYZE, COSTS OFF) " + QUERIES.phone_search, *args)
                        break
            print(f"\n-- EXPLAIN ANALYZE phone_search ({label}: {examples[label]!r}, threshold {threshold})")
            print("\n".join(r[0] for r in plan))
        end = date.today()
        start = end - timedelta(days=29)
        days = [start + timedelta(days=i) for i in range(30)]
        empty: list = []
        for name, args in (("stats_customers", (start, end, 50)), ("stats_first_reservations", (start, end)),
                           ("stats_reservation_groups", (start, end)), ("stats_response_times", (start, end)),
                           ("stats_days_state", (start, end)),
                           ("stats_days_top_words", (days, empty, empty, empty, empty, empty, 50)),
                           ("stats_days_texts", ([end],))):
            async with conn.transaction():
                await conn.execute(QUERIES.stats_read_tuning)
                plan = await conn.fetch("EXPLAIN (ANALYZE, COSTS OFF) " + getattr(QUERIES, name), *args)
            print(f"\n-- EXPLAIN ANALYZE {name} (30 days)")
            print("\n".join(r[0] for r in plan))
        snapshot = await conn.fetchrow(QUERIES.stats_snapshot_find, start, end - timedelta(days=3))
        if snapshot is not None:
            async with conn.transaction():
                await conn.execute(QUERIES.stats_read_tuning)
                plan = await conn.fetch("EXPLAIN (ANALYZE, COSTS OFF) " + QUERIES.stats_customers_delta, snapshot["id"],
                                        snapshot["end_date"] + timedelta(days=1), end, 50)
            print(f"\n-- EXPLAIN ANALYZE stats_customers_delta (30 days, snapshot to {snapshot['end_date']})")
            print("\n".join(r[0] for r in plan))
    finally:
        await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--url", help="an already seeded database (skips creating and seeding)")
    parser.add_argument("--keep", action="store_true", help="print the database URL and keep it")
    parser.add_argument("--only", default="", help="run only the requests whose label contains this text")
    parser.add_argument("--no-plans", action="store_true", help="skip the EXPLAIN ANALYZE output")
    parser.add_argument("--numbers", type=int, default=40, help="how many numbers the search's spread is taken over")
    args = parser.parse_args()
    if args.url:
        asyncio.run(measure(args.url, args.requests, args.only, not args.no_plans, args.numbers))
        return
    admin = os.environ.get("DATABASE_URL")
    if not admin:
        raise SystemExit("DATABASE_URL is not set: run through `make bench`")
    from tests.support import database

    database.ADMIN_URL = admin
    url = asyncio.run(database.create_test_database("mawid_bench_customers"))
    try:
        started = time.perf_counter()
        seed(url, args.customers)
        print(f"seeded {args.customers:,} customers in {time.perf_counter() - started:.0f}s", file=sys.stderr)
        asyncio.run(measure(url, args.requests, args.only, not args.no_plans, args.numbers))
    finally:
        if args.keep:
            print(f"kept {url}", file=sys.stderr)
        else:
            asyncio.run(database.drop_test_database(url))


if __name__ == "__main__":
    main()
