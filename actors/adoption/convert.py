"""Adopt a reference database in place: one transaction, all or nothing.

Order inside the transaction: migration lock, conversion functions, inspection
(refuse on any unconvertible row), move the reference's tables into the scratch
schema, apply Mawid's core migrations (recorded in schema_migrations so the normal
runner continues after them), copy and convert the rows keeping ids, rebuild
indexes, move identities past the old ids, drop the scratch schema.
"""
from __future__ import annotations

import contextlib
import json
import time as clock
from dataclasses import dataclass, field
from typing import Any, Callable, ContextManager

import asyncpg

from actors.adoption import rules
from actors.adoption.inspect import QUERIES, AdoptionError, detect, inspect, prepare
from actors.adoption.report import DatabaseKind, Report
from runtime.migrate import _CREATE_LEDGER, MIGRATION_LOCK_KEY, Migration, discover

CHUNK = 100_000
CORE_LAST_VERSION = 99  # 0001-0099 is the core range: the schema adoption produces
BULK_TABLES = ["public.customers", "public.conversation", "public.reservations", "public.notification_events"]
# (table, key before the first, needs the business time zone), in foreign-key order
CHUNKED = (("customers", "", False), ("conversation", 0, True), ("reservations", 0, False),
           ("notification_events", 0, False))

Progress = Callable[[str, int], ContextManager[Any]]


class _NoBar:
    def update(self, n: int) -> None:
        pass


def no_progress(table: str, total: int) -> ContextManager[Any]:
    return contextlib.nullcontext(_NoBar())


@dataclass
class AdoptionResult:
    kind: DatabaseKind
    report: Report | None = None
    adopted: bool = False
    recorded: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    users: int = 0
    admins: int = 0
    timings: dict[str, float] = field(default_factory=dict)


def core_migrations(migrations: list[Migration] | None = None) -> list[Migration]:
    return [m for m in (discover() if migrations is None else migrations) if m.version <= CORE_LAST_VERSION]


async def adopt(
    conn: asyncpg.Connection, *, timezone: str, dry_run: bool = False, progress: Progress = no_progress,
) -> AdoptionResult:
    """Inspect (and unless `dry_run`, convert) the reference database behind `conn`."""
    kind = await detect(conn)
    if kind is DatabaseKind.MAWID:
        return AdoptionResult(kind)
    if kind is not DatabaseKind.REFERENCE:
        raise AdoptionError(f"not a reference database ({kind.value}): no reservations.time_slot / conversation.date")
    result = AdoptionResult(kind)
    transaction = conn.transaction()
    await transaction.start()
    try:
        commit = await _run(conn, timezone, dry_run, progress, result)
    except BaseException:
        await transaction.rollback()
        raise
    if not commit:
        await transaction.rollback()
        if result.report is not None and result.report.problems and not dry_run:
            raise AdoptionError(
                f"{result.report.problem_rows} rows cannot be converted; nothing was changed", result.report
            )
        return result
    await transaction.commit()
    analyze_started = clock.perf_counter()
    await conn.execute("ANALYZE customers, conversation, reservations, notification_events")
    result.timings["analyze"] = clock.perf_counter() - analyze_started
    result.adopted = True
    result.pending = [f"{m.version:04d}_{m.name}" for m in discover() if m.version > CORE_LAST_VERSION]
    return result


async def _run(
    conn: asyncpg.Connection, timezone: str, dry_run: bool, progress: Progress, result: AdoptionResult
) -> bool:
    """Inside the transaction; True when it should be committed."""
    started = clock.perf_counter()
    await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK_KEY)
    if await detect(conn) is DatabaseKind.MAWID:  # adopted by someone else while we waited
        result.kind = DatabaseKind.MAWID
        return False
    await prepare(conn)
    if not dry_run:
        await conn.execute(QUERIES.adoption_lock_legacy_tables)
    result.report = await inspect(conn)
    result.timings["inspect"] = clock.perf_counter() - started
    if dry_run or result.report.problems:
        return False
    await _convert(conn, timezone, progress, result)
    return True


async def _convert(conn: asyncpg.Connection, timezone: str, progress: Progress, result: AdoptionResult) -> None:
    timings = result.timings
    step = clock.perf_counter()
    # the two tiny tables converted in Python are read before their tables move
    config_row = await conn.fetchrow(QUERIES.adoption_newest_config)
    users = await conn.fetch(QUERIES.adoption_users)
    await conn.execute("SET LOCAL maintenance_work_mem = '512MB'")
    await conn.execute(QUERIES.adoption_move_legacy_tables)
    await conn.execute(_CREATE_LEDGER)
    for migration in core_migrations():
        await conn.execute(migration.sql)
        await conn.execute(
            "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
            migration.version, migration.name, migration.checksum,
        )
        result.recorded.append(f"{migration.version:04d}_{migration.name}")
    await conn.execute(QUERIES.adoption_record_comment)
    recreate = await drop_secondary_objects(conn, BULK_TABLES)
    timings["schema"] = clock.perf_counter() - step

    report = result.report
    for table, first_key, zoned in CHUNKED:
        step = clock.perf_counter()
        params = (timezone,) if zoned else ()
        statement = getattr(QUERIES, f"adoption_copy_{table}")
        with progress(table, report.rows(table)) as bar:
            last = first_key
            while True:
                row = await conn.fetchrow(statement, last, CHUNK, *params)
                if row["moved"] == 0:
                    break
                bar.update(row["moved"])
                last = row["last"]
        timings[table] = clock.perf_counter() - step
    step = clock.perf_counter()
    await conn.execute(QUERIES.adoption_copy_vacation_periods)
    await conn.execute(QUERIES.adoption_copy_inbound_message_queue)
    await _copy_config(conn, config_row)
    await _copy_users(conn, users)
    result.users = len(users)
    result.admins = sum(rules.user_role(u["is_superuser"]) == "admin" for u in users)
    timings["small tables"] = clock.perf_counter() - step

    step = clock.perf_counter()
    with progress("indexes and foreign keys", len(recreate)) as bar:
        for ddl in recreate:
            await conn.execute(ddl)
            bar.update(1)
    timings["indexes"] = clock.perf_counter() - step
    await conn.fetch(QUERIES.adoption_sync_identities)
    await conn.execute(QUERIES.adoption_drop_scratch)


async def _copy_config(conn: asyncpg.Connection, row: asyncpg.Record | None) -> None:
    if row is None:
        return
    document = rules.config_document(row["config_data"])
    await conn.execute(
        QUERIES.adoption_insert_config, row["id"], json.dumps(document, ensure_ascii=False),
        rules.naive_utc(row["created_at"]), rules.naive_utc(row["updated_at"]),
    )


async def _copy_users(conn: asyncpg.Connection, users: list[asyncpg.Record]) -> None:
    await conn.executemany(QUERIES.adoption_insert_user, [
        (u["id"], u["email"], u["hashed_password"], u["is_active"], u["is_superuser"], u["is_verified"],
         rules.user_role(u["is_superuser"]))
        for u in users
    ])


async def drop_secondary_objects(conn: asyncpg.Connection, tables: list[str]) -> list[str]:
    """Drop non-constraint indexes and foreign keys of `tables`; return the DDL rebuilding them."""
    objects = await conn.fetch(QUERIES.adoption_secondary_objects, tables)
    indexes, fkeys = [], []
    for obj in objects:
        if obj["kind"] == "foreign key":
            await conn.execute(f'ALTER TABLE {obj["tbl"]} DROP CONSTRAINT "{obj["name"]}"')
            fkeys.append(f'ALTER TABLE {obj["tbl"]} ADD CONSTRAINT "{obj["name"]}" {obj["ddl"]}')
        else:
            indexes.append(obj["ddl"])
    for obj in objects:
        if obj["kind"] == "index":
            await conn.execute(f"DROP INDEX {obj['name']}")
    return indexes + fkeys
