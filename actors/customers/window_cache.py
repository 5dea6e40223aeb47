"""Dashboard aggregates of settled date windows, computed once and reused until a day inside changes.

A window is settled when it ends before UTC today - 2: every later change to one of its days stamps that day
(migrations 0253 and 0255), and the window's token hashes those stamps, so a cached result counts only while
nothing in the window has changed since the snapshot it was computed from. The token and the result are read
in one snapshot, so a result is never stored under a token newer than its data.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

from runtime.db import QUERIES

SETTLED_LAG = timedelta(days=3)  # the newest settled day is UTC today - 3 (0253: live days are not stamped)
KEEP_DAYS = 30  # cached windows nobody asked for again in this long are pruned (warm_stats_days)


def settled(end: date, now: datetime | None = None) -> bool:
    return end <= (now or datetime.now(timezone.utc)).date() - SETTLED_LAG


async def window_row(pool: Any, name: str, start: date, end: date, *args: Any) -> dict[str, Any]:
    """The one row of aggregate query `name` over the settled window start..end (then `args`), from the cache
    when valid; callers compute windows that are not `settled` themselves."""
    if not settled(end):
        raise ValueError(f"window ending {end} is not settled: its last days are not stamped when they change")
    key = ":".join([name, *map(str, args)])
    async with pool.acquire() as conn:
        async with conn.transaction(isolation="repeatable_read", readonly=True):
            await conn.execute(QUERIES.stats_read_tuning)
            cached = await conn.fetchrow(QUERIES.stats_window_cached, key, start, end)
            if cached["result"] is not None:
                return cached["result"]
            result = dict(await conn.fetchrow(getattr(QUERIES, name), start, end, *args))
        await conn.execute(QUERIES.stats_window_store, key, start, end, cached["token"], result)
    return result


async def prune(pool: Any) -> int:
    status = await pool.execute(QUERIES.stats_window_prune, KEEP_DAYS)
    return int(status.split()[-1])
