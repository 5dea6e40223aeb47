"""`jobs list` and `jobs run NAME`: the scheduled jobs, their last runs, and running one now."""
from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import asyncpg
import click

from actors.jobs.registry import JOBS, job_named
from actors.jobs.runner import run_job
from runtime.db import QUERIES
from runtime.db_connect import connect
from runtime.leader import SCHEDULER_LOCK
from runtime.scheduling import next_occurrence

from .settings import database_config


@click.group("jobs")
def jobs() -> None:
    """Scheduled jobs: list them with their last runs, or run one now."""


async def _history(url: str) -> tuple[dict[str, asyncpg.Record], int | None]:
    conn = await connect(url)
    try:
        rows = await conn.fetch(QUERIES.job_runs_latest)
        leader = await conn.fetchval(QUERIES.leader_holder_pid, SCHEDULER_LOCK)
        return {row["job"]: row for row in rows}, leader
    finally:
        await conn.close()


@jobs.command("list")
def list_jobs() -> None:
    """Every job with its schedule (business time zone), next run and last run."""
    config = database_config()
    tz = ZoneInfo(config.timezone)
    latest, leader = asyncio.run(_history(config.database_url))
    now = datetime.now(tz)
    click.echo(f"time zone {tz.key}; scheduler leader: "
               + (f"PostgreSQL backend pid {leader}" if leader else "none (no process runs leader jobs)"))
    for job in JOBS:
        where = "every process" if job.per_process else "leader"
        click.echo(f"\n{job.name}  [{job.schedule}]  on {where}")
        click.echo(f"  {job.description}")
        click.echo(f"  next: {next_occurrence(job.schedule, tz, now):%Y-%m-%d %H:%M %Z}")
        run = latest.get(job.name)
        if run is not None:
            started = run["started_at"].astimezone(tz)
            manual = " (manual)" if run["manual"] else ""
            click.echo(f"  last: {started:%Y-%m-%d %H:%M:%S}{manual} on {run['node']}: {run['outcome']}"
                       + (f" - {run['detail']}" if run["detail"] else ""))


async def _run_now(config, name: str):
    from aiohttp import web

    from handlers.app import create_app
    from runtime.services import SERVICES

    # The whole app's resources (pool, bus, actors, clients) without listening; no scheduler of its own.
    app = create_app(config.replace(scheduler_enabled=False))
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        return await run_job(app[SERVICES], job_named(name), datetime.now(timezone.utc), manual=True)
    finally:
        await runner.cleanup()


@jobs.command("run")
@click.argument("name", type=click.Choice([job.name for job in JOBS]))
def run(name: str) -> None:
    """Run one job now, in this process (a reminder already sent is never sent again)."""
    result = asyncio.run(_run_now(database_config(), name))
    click.echo(f"{result.job}: {result.outcome}" + (f" - {result.detail}" if result.detail else ""))
    if result.outcome == "error":
        raise SystemExit(1)


# The subcommands belong to the `jobs` group only; `bin/mawid` adds every module-level command it finds.
del list_jobs, run
