"""Housekeeping jobs: process metrics, forced garbage collection, bounded history tables."""
from __future__ import annotations

import asyncio
import gc
import logging
from datetime import timedelta

from actors.customers import analytics, message_days, window_cache, window_snapshots
from actors.jobs.job import JobContext
from runtime.db import QUERIES
from runtime.events import HISTORY_LIMIT
from runtime.process_metrics import sample_system_metrics

log = logging.getLogger("mawid.jobs.maintenance")

JOB_HISTORY_DAYS = 90
ABANDONED_AFTER = timedelta(hours=6)  # longer than any job runs
STATS_WARM_DAYS = 400  # a year of /stats windows plus their previous windows' reach


async def system_metrics(ctx: JobContext) -> str:
    """Refresh `process_cpu_percent` and `process_memory_bytes` (spec 60 §4.4)."""
    cpu, rss = sample_system_metrics()
    return f"cpu {cpu:.1f}%, rss {rss:,} bytes"


async def gc_collect(ctx: JobContext) -> str:
    collected = await asyncio.to_thread(gc.collect)
    log.info("Garbage collection manually triggered: collected %d objects", collected)
    return f"collected {collected} objects"


async def prune_notifications(ctx: JobContext) -> str:
    """Keep the newest notification events (spec 60 Q19). `publish` prunes as it persists; this also
    catches rows written by anything else (imports, an adopted reference database)."""
    async with ctx.services.require_pool().acquire() as conn:
        status = await conn.execute(QUERIES.prune_notification_events, HISTORY_LIMIT)
    return f"{status.split()[-1]} notification events deleted"


async def prune_job_history(ctx: JobContext) -> str:
    """Bound the job, reminder and status-callback history; close runs whose process died mid-run."""
    now = ctx.occurrence
    async with ctx.services.require_pool().acquire() as conn:
        abandoned = await conn.execute(QUERIES.job_runs_abandon, now - ABANDONED_AFTER)
        runs = await conn.execute(QUERIES.job_runs_prune, now - timedelta(days=JOB_HISTORY_DAYS))
        reminders = await conn.execute(
            QUERIES.reminder_sends_prune, ctx.local_occurrence.date() - timedelta(days=JOB_HISTORY_DAYS)
        )
        callbacks = await conn.execute(QUERIES.status_callback_data_prune, now - timedelta(days=JOB_HISTORY_DAYS))
    return (f"{abandoned.split()[-1]} abandoned runs closed, {runs.split()[-1]} runs, "
            f"{reminders.split()[-1]} reminder records and {callbacks.split()[-1]} status callback records deleted")


async def warm_stats_days(ctx: JobContext) -> str:
    """Fill /stats' per-day message cache for the settled days of the last year (after a bulk load, or days
    that nobody has looked at yet), so the first dashboard view of a long window is not the slow one; snapshot
    the settled days of the default window, so its first view today is not either; drop cached window
    aggregates that nobody asked for in a month and snapshots a day or more behind."""
    today = ctx.local_occurrence.date()
    pool = ctx.services.require_pool()
    days = await message_days.warm(pool, today - timedelta(days=STATS_WARM_DAYS), today)
    window = analytics.stats_window(None, None, today)
    built = await window_snapshots.refresh(pool, window.start, window.end)
    pruned = await window_cache.prune(pool)
    snapshots = await window_snapshots.prune(pool)
    return (f"{days} days summarised, default window snapshot {'built' if built else 'kept'},"
            f" {pruned} cached windows and {snapshots} snapshots pruned")
