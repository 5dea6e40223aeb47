"""`import DUMP`: a reference pg_dump -> an empty Mawid database.

A reference dump writes fully qualified `public.*` tables whose names are Mawid's,
so it cannot be restored beside Mawid's tables. It is restored into a scratch
database on the same server (psql), adopted there with the same conversion as
`adopt`, and its rows are streamed (binary COPY) into the target in one
transaction. The scratch database is always dropped.
"""
from __future__ import annotations

import asyncio
import gzip
import os
import shutil
import subprocess
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from actors.adoption.convert import AdoptionResult, Progress, adopt, drop_secondary_objects, no_progress
from actors.adoption.inspect import QUERIES, AdoptionError, detect
from actors.adoption.report import DatabaseKind
from runtime.bulk_load import pause_rollup_triggers, rebuild_rollups_and_resume
from runtime.migrate import migrate

# Mawid's tables that an adoption fills, in foreign-key order
ADOPTED_TABLES = ("customers", "users", "conversation", "reservations", "vacation_periods",
                  "notification_events", "app_config", "inbound_message_queue")
PSQL = shutil.which("psql") or "/usr/bin/psql"


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def restore_dump(url: str, dump: Path) -> None:
    """Pipe the (possibly gzipped) plain-SQL dump through psql; stop at the first error."""
    with dump.open("rb") as probe:
        gzipped = probe.read(2) == b"\x1f\x8b"
    opener = gzip.open if gzipped else open
    env = {**os.environ, "PGOPTIONS": "-c client_min_messages=warning"}
    with opener(dump, "rb") as source:
        proc = subprocess.Popen(
            [PSQL, "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction", "-d", url],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
        )
        try:
            shutil.copyfileobj(source, proc.stdin, 1 << 20)
            proc.stdin.close()
        except BrokenPipeError:
            pass
        errors = proc.stderr.read().decode(errors="replace")
        if proc.wait() != 0:
            raise AdoptionError(f"restoring {dump.name} failed: {errors.strip()[-2000:]}")


async def import_dump(
    target_url: str, dump: Path, *, timezone: str, progress: Progress = no_progress,
) -> AdoptionResult:
    target = await asyncpg.connect(target_url)
    try:
        kind = await detect(target)
        if kind not in (DatabaseKind.EMPTY, DatabaseKind.MAWID):
            raise AdoptionError(f"the target is not an empty Mawid database ({kind.value}); use `adopt` in place")
        await migrate(target)
        for table in ADOPTED_TABLES:
            if await target.fetchval(f"SELECT EXISTS (SELECT 1 FROM public.{table})"):
                raise AdoptionError(f"the target is not empty: {table} has rows")
        scratch_name = f"mawid_import_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        collation = await target.fetchrow(
            "SELECT datcollate, datctype FROM pg_database WHERE datname = current_database()"
        )
        await target.execute(
            f'CREATE DATABASE "{scratch_name}" TEMPLATE template0 ENCODING \'UTF8\' '
            f"LC_COLLATE '{collation['datcollate']}' LC_CTYPE '{collation['datctype']}'"
        )
        try:
            scratch_url = with_database(target_url, scratch_name)
            await asyncio.to_thread(restore_dump, scratch_url, dump)
            scratch = await asyncpg.connect(scratch_url)
            try:
                result = await adopt(scratch, timezone=timezone, progress=progress)
                if not result.adopted:
                    raise AdoptionError("the dump is not a reference database")
                await copy_adopted(scratch, target, progress)
            finally:
                await scratch.close()
        finally:
            await target.execute(f'DROP DATABASE IF EXISTS "{scratch_name}" WITH (FORCE)')
        await target.execute("ANALYZE customers, conversation, reservations, notification_events")
        result.pending = []  # the target was fully migrated before the copy
        return result
    finally:
        await target.close()


async def copy_adopted(source: asyncpg.Connection, target: asyncpg.Connection, progress: Progress) -> None:
    """Stream every adopted table from `source` into the (empty) `target`, in one transaction: without
    secondary indexes and foreign keys, and without the triggers that keep derived tables (the derived
    tables are recomputed once at the end)."""
    async with target.transaction():
        recreate = await drop_secondary_objects(
            target, [f"public.{t}" for t in ("customers", "conversation", "reservations", "notification_events")]
        )
        paused = await pause_rollup_triggers(target)
        for table in ADOPTED_TABLES:
            columns = [r["column_name"] for r in await source.fetch(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position", table)]
            total = await source.fetchval(f"SELECT count(*) FROM public.{table}")
            with progress(f"copy {table}", total) as bar:
                await _stream_table(source, target, table, columns, bar)
        if paused:  # before the indexes: the rebuild updates every customer's row
            await rebuild_rollups_and_resume(target)
        for ddl in recreate:
            await target.execute(ddl)
        for row in await source.fetch(QUERIES.adoption_identity_positions):
            if row["last_value"] is not None:
                await target.execute(QUERIES.adoption_set_identity, row["name"], row["last_value"])


async def _stream_table(source, target, table: str, columns: list[str], bar) -> None:
    queue: asyncio.Queue[bytes | None] = asyncio.Queue(maxsize=64)

    async def produce() -> None:
        async def put(chunk: bytes) -> None:
            await queue.put(bytes(chunk))
        try:
            await source.copy_from_table(table, columns=columns, output=put, format="binary")
        finally:
            await queue.put(None)

    async def chunks():
        while (chunk := await queue.get()) is not None:
            yield chunk

    producer = asyncio.create_task(produce())
    try:
        status = await target.copy_to_table(table, source=chunks(), columns=columns, format="binary")
    except BaseException:
        producer.cancel()
        raise
    await producer
    bar.update(int(status.split()[-1]))
