"""Bulk loads into conversation and reservations without their per-statement rollup triggers.

Statement-level triggers keep derived tables (customers.last_user_message_at, the reply pairs, the per-day and
per-customer counts /stats reads) in step with every write; over a COPY of millions of rows they cost more
than the COPY. A loader that owns the tables for one transaction (seed-demo's fresh load, import into an
empty database) pauses them, loads, and recomputes every derived table once before committing.
"""
from __future__ import annotations

import asyncpg

from runtime.db import QUERIES


async def pause_rollup_triggers(conn: asyncpg.Connection) -> bool:
    """Inside the caller's transaction: disable the user triggers of the bulk-loaded tables. False (and nothing
    paused) when the database has no rebuild function, i.e. is not migrated past 0252."""
    if not await conn.fetchval(QUERIES.rollups_rebuild_available):
        return False
    await conn.execute(QUERIES.rollups_pause)
    return True


async def rebuild_rollups_and_resume(conn: asyncpg.Connection) -> None:
    """Recompute every trigger-maintained table from the loaded rows, then enable the triggers again (still in
    the caller's transaction, before its commit)."""
    await conn.execute(QUERIES.rollups_rebuild_and_resume)
