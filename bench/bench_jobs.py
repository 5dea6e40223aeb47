"""Scheduled jobs: reminder throughput, backup and restore time, leader failover time.

Run: DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/bench_jobs.py \
        [--reminders N] [--customers N] [--messages N]

- reminders: N active reservations tomorrow, sent in outbox mode (each claimed, recorded in the
  outbox and in the conversation through the ConversationActor, broadcast), then a re-run that
  must send nothing.
- backup/restore: `pg_dump` + gzip of a database with that many customers and messages, then a
  restore of the file into an empty database.
- failover: the leader's session is terminated; time until the follower holds the lock.
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from datetime import date, datetime
from datetime import time as clock
from zoneinfo import ZoneInfo

import asyncpg  # noqa: E402
from common import bench_database  # noqa: E402 - puts the repo root on sys.path

from actors.jobs import backup_io  # noqa: E402
from actors.jobs.backup_settings import BackupSettings  # noqa: E402
from actors.jobs.backups import perform_backup  # noqa: E402
from actors.jobs.job import JobContext  # noqa: E402
from actors.jobs.reminders import send_reminders  # noqa: E402
from runtime.config import load_config  # noqa: E402
from runtime.leader import LeaderElection, lock_key  # noqa: E402
from tests.ops.support import running_services  # noqa: E402
from tests.support.database import ADMIN_URL, with_database  # noqa: E402

RIYADH = ZoneInfo("Asia/Riyadh")
OCCURRENCE = datetime(2026, 3, 1, 19, tzinfo=RIYADH)


async def seed(url: str, reservations: int, customers: int, messages: int) -> None:
    conn = await asyncpg.connect(url)
    try:
        count = max(customers, reservations)
        await conn.copy_records_to_table("customers", records=[(f"9665{i:08d}", f"Customer {i}") for i in range(count)],
                                         columns=["wa_id", "customer_name"])
        await conn.copy_records_to_table(
            "reservations", columns=["wa_id", "slot_date", "slot_time", "type"],
            records=[(f"9665{i:08d}", date(2026, 3, 2), clock(9 + i % 10, 0), i % 2) for i in range(reservations)])
        await conn.copy_records_to_table(
            "conversation", columns=["wa_id", "role", "message", "local_date", "local_time"],
            records=[(f"9665{i % count:08d}", "user", f"message {i} مرحبا", date(2026, 2, 1), clock(10, 0))
                     for i in range(messages)])
    finally:
        await conn.close()


async def bench_reminders(url: str, count: int) -> None:
    config = load_config({"DATABASE_URL": url, "LOG_LEVEL": "ERROR", "BUSINESS_NAME": "Mawid", "DB_POOL_MAX": "10"})
    async with running_services(config) as services:
        started = time.perf_counter()
        summary = await send_reminders(JobContext(services, OCCURRENCE))
        took = time.perf_counter() - started
        again_started = time.perf_counter()
        again = await send_reminders(JobContext(services, OCCURRENCE, manual=True))
        again_took = time.perf_counter() - again_started
    print(f"reminders: {count} sent in {took:.2f}s ({count / took:.0f}/s) [{summary}]")
    print(f"reminders re-run: nothing sent in {again_took:.2f}s [{again}]")


async def bench_backup(url: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        config = load_config({"DATABASE_URL": url, "BACKUP_DIR": folder})
        settings = BackupSettings.from_config(config)
        result = await perform_backup(settings)
        print(f"backup: {result.size / 1e6:.1f} MB gzip in {result.seconds:.2f}s")
        name = f"mawid_bench_restore_{uuid.uuid4().hex[:8]}"
        admin = await asyncpg.connect(ADMIN_URL)
        await admin.execute(f'CREATE DATABASE "{name}"')
        try:
            started = time.perf_counter()
            await asyncio.to_thread(backup_io.restore, with_database(ADMIN_URL, name), result.path)
            print(f"restore: {time.perf_counter() - started:.2f}s into an empty database")
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.close()


async def bench_failover(url: str, rounds: int = 5, poll: float = 0.2) -> None:
    times = []
    for _ in range(rounds):
        key = lock_key(f"bench-{uuid.uuid4()}")
        elected: dict[str, float] = {}

        def note(name: str, into: dict[str, float] = elected):
            async def callback() -> None:
                into[name] = time.perf_counter()
            return callback

        async def nothing() -> None:
            return None

        a = LeaderElection(url, key=key, on_elected=note("a"), on_demoted=nothing, retry_interval=poll,
                           check_interval=poll)
        a.start()
        while "a" not in elected:
            await asyncio.sleep(0.01)
        b = LeaderElection(url, key=key, on_elected=note("b"), on_demoted=nothing, retry_interval=poll,
                           check_interval=poll)
        b.start()
        await asyncio.sleep(3 * poll)
        conn = await asyncpg.connect(url)
        killed = time.perf_counter()
        await conn.execute("SELECT pg_terminate_backend($1)", a.backend_pid)
        await conn.close()
        while "b" not in elected:
            await asyncio.sleep(0.01)
        times.append(elected["b"] - killed)
        await a.stop()
        await b.stop()
    print(f"failover (poll {poll}s): median {statistics.median(times) * 1000:.0f} ms, "
          f"max {max(times) * 1000:.0f} ms over {rounds} kills")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reminders", type=int, default=1000)
    parser.add_argument("--customers", type=int, default=20000)
    parser.add_argument("--messages", type=int, default=200000)
    args = parser.parse_args()
    with bench_database() as url:
        asyncio.run(seed(url, args.reminders, args.customers, args.messages))
        asyncio.run(bench_reminders(url, args.reminders))
        asyncio.run(bench_backup(url))
        asyncio.run(bench_failover(url))
        asyncio.run(bench_failover(url, poll=2.0, rounds=3))


if __name__ == "__main__":
    main()
