"""/stats' per-customer aggregate of a current window, from a snapshot of its settled days plus its live days.

A current window ends today, so its aggregate cannot be cached (window_cache.py), and at a million customers
computing it means hashing every customer-day and booking of the window. Its days up to the newest settled
one change only with a stamp (migrations 0253/0255), so a per-customer snapshot of them (0256) stays exact
while its token matches; a request then aggregates only the days after it and folds their customers in.
Snapshots are built off the request path: a request without a usable one is computed directly and asks for
one; a request whose snapshot is a day behind is served from it and asks for a newer one.
"""
from __future__ import annotations

import logging
from datetime import date, datetime, timedelta, timezone
from typing import Any

from actors.customers.window_cache import SETTLED_LAG
from runtime.db import QUERIES, holding_session_state

log = logging.getLogger("mawid.customers.stats")
KEEP_DAYS = 2  # a snapshot this old is a day or more behind; the next request asks for a newer one
KEEP_SNAPSHOTS = 8  # the newest ones kept: each holds a row per customer active in its days


def newest_settled_day(now: datetime | None = None) -> date:
    return (now or datetime.now(timezone.utc)).date() - SETTLED_LAG


async def current_window_row(pool: Any, start: date, end: date, top: int) -> tuple[dict[str, Any] | None, bool]:
    """stats_customers over start..end from the newest valid snapshot of its days (None when there is none),
    and whether a newer snapshot is worth building (`refresh`)."""
    newest = min(end, newest_settled_day())
    if newest < start:
        return None, False
    async with pool.acquire() as conn:
        async with conn.transaction(isolation="repeatable_read", readonly=True):
            await conn.execute(QUERIES.stats_read_tuning)
            snapshot = await conn.fetchrow(QUERIES.stats_snapshot_find, start, newest)
            if snapshot is None:
                return None, True
            row = await conn.fetchrow(QUERIES.stats_customers_delta, snapshot["id"],
                                      snapshot["end_date"] + timedelta(days=1), end, top)
    return dict(row), snapshot["end_date"] < newest


async def refresh(pool: Any, start: date, end: date) -> bool:
    """Build the snapshot current_window_row wants for start..end (off the request path)."""
    try:
        return await build(pool, start, min(end, newest_settled_day()))
    except Exception:  # the dashboard still answers without it, directly
        log.exception("could not build a stats snapshot")
        return False


async def build(pool: Any, start: date, end: date) -> bool:
    """Snapshot the settled days start..end unless another session is building one or a valid one exists;
    retires the ones it supersedes and all but the newest KEEP_SNAPSHOTS. Answers whether it built."""
    if end > newest_settled_day():
        raise ValueError(f"day {end} is not settled: its changes are not stamped")
    async with pool.acquire() as conn:
        with holding_session_state(conn):
            if not await conn.fetchval(QUERIES.stats_snapshot_try_lock):
                return False
            try:
                async with conn.transaction(isolation="repeatable_read"):
                    await conn.execute(QUERIES.stats_read_tuning)
                    found = await conn.fetchrow(QUERIES.stats_snapshot_find, start, end)
                    if found is not None and found["end_date"] == end:
                        return False
                    await conn.execute(QUERIES.stats_snapshot_build, start, end)
                    await conn.execute(QUERIES.stats_snapshot_retire, start, end, KEEP_SNAPSHOTS)
            finally:
                await conn.fetchval(QUERIES.stats_snapshot_unlock)
    log.info("stats snapshot built", extra={"start": start.isoformat(), "end": end.isoformat()})
    return True


async def prune(pool: Any) -> int:
    status = await pool.execute(QUERIES.stats_snapshot_prune, KEEP_DAYS)
    return int(status.split()[-1])
