"""Adoption time: the reference fixture database, and a 100x scaled copy of it.

The scaled copy is built in the REFERENCE schema (legacy formats included) by multiplying
the fixture's rows with new wa_ids (a two-digit prefix per copy): 150,000 customers,
5,000,000 messages, 250,000 reservations, 200,000 notification events. Then `adopt`
(dry run, then the real one-transaction conversion) is timed on each.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/bench_adopt.py [--scale N]
"""
from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import asyncpg  # noqa: E402

ADMIN = os.environ.get("DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/postgres"
os.environ.setdefault("MAWID_TEST_ADMIN_URL", ADMIN)

from actors.adoption.convert import adopt  # noqa: E402
from tests.adoption import support  # noqa: E402

support.ADMIN_URL = ADMIN

# copies 1..factor-1 of every customer-keyed row, under wa_id = lpad(copy, 2) || wa_id
SCALE_SQL = """
SET session_replication_role = replica;  -- rows are consistent by construction: skip FK triggers
INSERT INTO customers (wa_id, customer_name, age, age_recorded_at, document, is_blocked, is_favorite)
SELECT lpad(k::text, 2, '0') || wa_id, customer_name, age, age_recorded_at, document, is_blocked, is_favorite
FROM customers CROSS JOIN generate_series(1, {copies}) AS k;
INSERT INTO conversation (wa_id, role, message, date, time)
SELECT lpad(k::text, 2, '0') || wa_id, role, message, date, time
FROM conversation CROSS JOIN generate_series(1, {copies}) AS k ORDER BY k, id;
INSERT INTO reservations (wa_id, date, time_slot, type, status, cancelled_at, created_at, updated_at)
SELECT lpad(k::text, 2, '0') || wa_id, date, time_slot, type, status, cancelled_at, created_at, updated_at
FROM reservations CROSS JOIN generate_series(1, {copies}) AS k ORDER BY k, id;
INSERT INTO notification_events (event_type, ts_iso, data, created_at)
SELECT event_type, ts_iso, data, created_at
FROM notification_events CROSS JOIN generate_series(1, {copies}) AS k ORDER BY k, id;
SET session_replication_role = origin;
"""


async def counts(url: str) -> dict[str, int]:
    conn = await asyncpg.connect(url)
    try:
        return {t: await conn.fetchval(f"SELECT count(*) FROM {t}")
                for t in ("customers", "conversation", "reservations", "notification_events")}
    finally:
        await conn.close()


async def timed_adopt(url: str, dry_run: bool) -> tuple[float, dict[str, float]]:
    conn = await asyncpg.connect(url)
    try:
        started = time.perf_counter()
        result = await adopt(conn, timezone="Asia/Riyadh", dry_run=dry_run)
        elapsed = time.perf_counter() - started
        assert dry_run or result.adopted, "adoption did not happen"
        assert not result.report.problems, result.report.problems[:5]
        return elapsed, result.timings
    finally:
        await conn.close()


async def run(label: str, factor: int) -> None:
    url = await support.create_database("mawid_bench_adopt")
    try:
        started = time.perf_counter()
        support.restore_fixture(url)
        if factor > 1:
            conn = await asyncpg.connect(url)
            try:
                await conn.execute(SCALE_SQL.format(copies=factor - 1))
                await conn.execute("VACUUM ANALYZE")
            finally:
                await conn.close()
        built = time.perf_counter() - started
        rows = await counts(url)
        dry, _ = await timed_adopt(url, dry_run=True)
        real, steps = await timed_adopt(url, dry_run=False)
        shown = ", ".join(f"{k} {v:,}" for k, v in rows.items())
        print(f"{label}: {shown} (built in {built:.1f}s)")
        print(f"  dry run {dry:7.2f}s   adopt {real:7.2f}s   "
              f"({rows['conversation'] / real:,.0f} messages/s overall)")
        print("  steps: " + ", ".join(f"{k} {v:.2f}s" for k, v in steps.items()))
    finally:
        await support.drop_database(url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=100, help="copies of the fixture for the large run (1 = skip)")
    args = parser.parse_args()
    asyncio.run(run("fixture", 1))
    if args.scale > 1:
        asyncio.run(run(f"fixture x{args.scale}", args.scale))


if __name__ == "__main__":
    main()
