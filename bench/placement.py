"""Where bench_webhook's processes run: niceness and CPU placement of the webhook and worker tiers,
their PostgreSQL sessions included (told apart by application_name: mawid-webhook, mawid-worker)."""
from __future__ import annotations

import asyncio
import contextlib
import os

import asyncpg


def deprioritize(pid: int, niceness: int, idle: bool) -> None:
    """Niceness, or with `idle` the SCHED_IDLE class: runs only when nothing else wants the CPU."""
    if idle:
        os.sched_setscheduler(pid, os.SCHED_IDLE, os.sched_param(0))
    else:
        os.setpriority(os.PRIO_PROCESS, pid, niceness)


async def nice_sessions(db_url: str, niceness: int, idle: bool) -> None:
    """Give the worker processes' PostgreSQL backends the workers' niceness (every second: pools grow).

    Only meaningful with the database on this machine: it completes the "own cores" emulation, since
    a turn's CPU is spent as much in its database session as in the worker process."""
    conn = await asyncpg.connect(db_url)
    try:
        while True:
            for pid in await conn.fetch("SELECT pid FROM pg_stat_activity WHERE application_name = 'mawid-worker'"):
                with contextlib.suppress(OSError):
                    deprioritize(pid["pid"], niceness, idle)
            await asyncio.sleep(1)
    finally:
        await conn.close()


def tiers() -> tuple[set[int], set[int]]:
    """--split-cores: the first CPU for the webhook tier, the others for the turn tier."""
    cpus = sorted(os.sched_getaffinity(0))
    return {cpus[0]}, set(cpus[1:]) or {cpus[0]}


async def split_cores(db_url: str, webhook_pids: list[int], turn_pids: list[int]) -> None:
    """Pin each tier's processes and their PostgreSQL sessions to its own CPUs (every half second: pools grow),
    as the scale-out deployment runs webhook processes and workers on separate machines. PostgreSQL's
    background processes (WAL writer, checkpointer) stay unpinned."""
    ack, turns = tiers()
    conn = await asyncpg.connect(db_url)
    try:
        while True:
            sessions = await conn.fetch("SELECT pid, application_name FROM pg_stat_activity"
                                        " WHERE application_name IN ('mawid-webhook', 'mawid-worker')")
            pinned = [(pid, ack) for pid in webhook_pids] + [(pid, turns) for pid in turn_pids]
            pinned += [(r["pid"], ack if r["application_name"] == "mawid-webhook" else turns) for r in sessions]
            for pid, cpus in pinned:
                with contextlib.suppress(OSError):
                    os.sched_setaffinity(pid, cpus)
            await asyncio.sleep(0.5)
    finally:
        await conn.close()
