"""The job scheduler's place in the app lifecycle (spec 60 §4); no routes.

Started after the pool, bus and actors (handlers' contexts follow the core's),
so a job has everything a request has; stopped first, so running jobs finish
while those are still there.
"""
from __future__ import annotations

from typing import AsyncIterator

from aiohttp import web

from actors.jobs.scheduler import JobScheduler
from runtime.services import SERVICES

ROUTES: list = []
EXTRAS_KEY = "jobs"


async def scheduler_context(app: web.Application) -> AsyncIterator[None]:
    services = app[SERVICES]
    # Per-process jobs (this process's metrics) always run; SCHEDULER_ENABLED=false only keeps the
    # process out of the leader election, so it never runs the shared jobs.
    scheduler = JobScheduler(services, lead=services.config.scheduler_enabled)
    services.extras[EXTRAS_KEY] = scheduler
    scheduler.start()
    try:
        yield
    finally:
        await scheduler.stop(deadline=services.config.shutdown_deadline)
        services.extras.pop(EXTRAS_KEY, None)


def setup(app: web.Application) -> None:
    app.cleanup_ctx.append(scheduler_context)
