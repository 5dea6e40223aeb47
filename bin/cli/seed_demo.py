"""`seed-demo`: fill customers, conversation and reservations with synthetic data.

Rows are streamed with COPY (asyncpg `copy_records_to_table`) in batches. On a fresh
load the secondary indexes and foreign keys of the three tables are dropped first and
rebuilt in bulk at the end, and the triggers keeping the derived tables (/stats'
rollups, the customer directory's last message) are paused and those tables recomputed
once, all in one transaction: a failure leaves the database as it was. The tables are
locked for the duration, so run it on an idle database.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import random
import re
import time as clock
from datetime import datetime
from typing import Iterable, Iterator
from zoneinfo import ZoneInfo

import asyncpg
import click
from tqdm import tqdm

from runtime.bulk_load import pause_rollup_triggers, rebuild_rollups_and_resume
from runtime.db_connect import connect

from . import demo_data

BATCH = 50_000
TABLES = ("customers", "conversation", "reservations")
CUSTOMER_COLUMNS = ("wa_id", "customer_name", "age", "age_recorded_at", "document", "is_blocked", "is_favorite")
CONVERSATION_COLUMNS = ("wa_id", "role", "message", "local_date", "local_time")
RESERVATION_COLUMNS = (
    "wa_id", "slot_date", "slot_time", "type", "status", "cancelled_at", "created_at", "updated_at",
)


def normalize_url(url: str) -> str:
    """SQLAlchemy-style `postgresql+driver://` URLs -> the plain libpq form asyncpg accepts."""
    return re.sub(r"^postgres(?:ql)?\+[A-Za-z0-9_]+://", "postgresql://", url.strip())


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


async def copy_rows(
    conn: asyncpg.Connection, table: str, columns: tuple[str, ...], rows: Iterable[tuple], total: int
) -> float:
    """COPY `rows` into `table` in batches with a progress bar; returns the elapsed seconds."""
    started = clock.perf_counter()
    it: Iterator[tuple] = iter(rows)
    with tqdm(total=total, desc=table, unit="rows", unit_scale=True, leave=True) as bar:
        while batch := list(itertools.islice(it, BATCH)):
            await conn.copy_records_to_table(table, records=batch, columns=columns)
            bar.update(len(batch))
    return clock.perf_counter() - started


async def drop_secondary_objects(conn: asyncpg.Connection) -> list[str]:
    """Drop non-constraint indexes and foreign keys of TABLES; return the DDL that recreates them."""
    tables = list(TABLES)
    indexes = await conn.fetch(
        """
        SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS ddl
        FROM pg_index i
        WHERE i.indrelid = ANY($1::regclass[])
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
        """,
        tables,
    )
    fkeys = await conn.fetch(
        """
        SELECT conrelid::regclass::text AS tbl, conname, pg_get_constraintdef(oid) AS def
        FROM pg_constraint
        WHERE contype = 'f' AND conrelid = ANY($1::regclass[])
        """,
        tables,
    )
    recreate: list[str] = []
    for fk in fkeys:
        await conn.execute(f"ALTER TABLE {fk['tbl']} DROP CONSTRAINT {quote_ident(fk['conname'])}")
        recreate.append(f"ALTER TABLE {fk['tbl']} ADD CONSTRAINT {quote_ident(fk['conname'])} {fk['def']}")
    for index in indexes:
        await conn.execute(f"DROP INDEX {index['name']}")
        recreate.insert(0, index["ddl"])
    return recreate


async def seed(
    url: str, customers: int, messages_per_customer: int, reservations_per_customer: float,
    seed_value: int, append: bool,
) -> dict[str, float]:
    conn = await connect(normalize_url(url))
    try:
        has_rows = await conn.fetchval("SELECT EXISTS (SELECT 1 FROM customers)")
        if has_rows and not append:
            raise click.ClickException(
                "customers already has rows; refusing to seed demo data into it (use --append to add more)."
            )
        taken: set[str] = set()
        if has_rows:
            taken = {r["wa_id"] for r in await conn.fetch("SELECT wa_id FROM customers")}
        rnd = random.Random(seed_value)
        today = datetime.now(ZoneInfo(os.environ.get("TIMEZONE") or "Asia/Riyadh")).date()
        ids = demo_data.wa_ids(rnd, customers, taken)
        timings: dict[str, float] = {}
        async with conn.transaction():
            await conn.execute("SET LOCAL maintenance_work_mem = '512MB'")
            await conn.execute("SET LOCAL synchronous_commit = off")
            recreate = [] if has_rows else await drop_secondary_objects(conn)
            paused = not has_rows and await pause_rollup_triggers(conn)

            people: list[tuple[str, bool]] = []

            def customer_rows() -> Iterator[tuple]:
                for row in demo_data.customer_rows(rnd, ids, today):
                    people.append((row[0], demo_data.is_arabic(row[1])))
                    yield row

            timings["customers"] = await copy_rows(conn, "customers", CUSTOMER_COLUMNS, customer_rows(), customers)

            total = customers * messages_per_customer
            counts = demo_data.split_counts(rnd, customers, total)
            rows = demo_data.conversation_rows(rnd, people, counts, today)
            timings["conversation"] = await copy_rows(conn, "conversation", CONVERSATION_COLUMNS, rows, total)

            total = round(customers * reservations_per_customer)
            counts = demo_data.split_counts(rnd, customers, total)
            rows = demo_data.reservation_rows(rnd, ids, counts, today)
            timings["reservations"] = await copy_rows(conn, "reservations", RESERVATION_COLUMNS, rows, total)

            if paused:  # before the indexes: the rebuild updates every customer's row
                started = clock.perf_counter()
                await rebuild_rollups_and_resume(conn)
                timings["rollups"] = clock.perf_counter() - started

            started = clock.perf_counter()
            for ddl in tqdm(recreate, desc="indexes and foreign keys", unit="obj", disable=not recreate):
                await conn.execute(ddl)
            timings["indexes"] = clock.perf_counter() - started
            if not has_rows and await conn.fetchval("SELECT to_regclass('idx_conversation_date_time') IS NOT NULL"):
                # live messages arrive in time order, so a day's messages sit together on disk (the dashboard
                # reads whole days); rows generated customer by customer would scatter every day's messages
                started = clock.perf_counter()
                await conn.execute("CLUSTER conversation USING idx_conversation_date_time")
                timings["order"] = clock.perf_counter() - started
        started = clock.perf_counter()
        await conn.execute("ANALYZE customers, conversation, reservations")
        timings["analyze"] = clock.perf_counter() - started
        return timings
    finally:
        await conn.close()


@click.command("seed-demo")
@click.option("--customers", type=click.IntRange(1, 1_000_000), default=1000, show_default=True,
              help="Number of synthetic customers.")
@click.option("--messages-per-customer", type=click.IntRange(0, 10_000), default=10, show_default=True,
              help="Average conversation messages per customer (total = customers x this).")
@click.option("--reservations-per-customer", type=click.FloatRange(0, 100), default=1.5, show_default=True,
              help="Average reservations per customer.")
@click.option("--seed", "seed_value", type=int, default=None, help="Random seed (default: random).")
@click.option("--database-url", envvar="DATABASE_URL", required=True,
              help="PostgreSQL URL (default: $DATABASE_URL).")
@click.option("--append", is_flag=True, help="Add to a database whose customers table already has rows.")
def seed_demo(
    customers: int, messages_per_customer: int, reservations_per_customer: float,
    seed_value: int | None, database_url: str, append: bool,
) -> None:
    """Insert synthetic customers, conversations and reservations (demo / benchmark data)."""
    if seed_value is None:
        seed_value = random.SystemRandom().randrange(2**31)
    click.echo(f"seed-demo: {customers} customers, seed {seed_value}", err=True)
    started = clock.perf_counter()
    timings = asyncio.run(
        seed(database_url, customers, messages_per_customer, reservations_per_customer, seed_value, append)
    )
    parts = ", ".join(f"{name} {seconds:.1f}s" for name, seconds in timings.items())
    click.echo(f"seed-demo done in {clock.perf_counter() - started:.1f}s ({parts})")
