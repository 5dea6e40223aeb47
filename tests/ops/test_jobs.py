"""One run of a job: claimed once per occurrence, timed, counted; missed and overlapping runs skipped."""
from __future__ import annotations

import asyncio
import os
import sys
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from actors.jobs.job import Job, JobContext
from actors.jobs.runner import run_job
from actors.jobs.scheduler import JobScheduler
from runtime.config import load_config
from runtime.ops_metrics import (
    ASSISTANT_FUNCTION_ERRORS,
    JOB_RUNS,
    SCHEDULER_JOB_MISSED,
    SCHEDULER_JOB_MISSED_BY_REASON,
)
from runtime.scheduling import CronTrigger, next_occurrence, recent_occurrence
from tests.ops.support import running_services
from tests.support.servers import ROOT

RIYADH = ZoneInfo("Asia/Riyadh")


def counter(metric, labels) -> float:
    try:
        return metric.get(labels)
    except KeyError:
        return 0


async def _lines(process: asyncio.subprocess.Process, into: asyncio.Queue) -> None:
    while line := await process.stdout.readline():
        await into.put(line.decode().split())


async def test_an_occurrence_runs_once_even_when_two_processes_fire_it_together(db, env):
    """Two real processes each fire the occurrence twice at once: one run works, three are skipped.

    The winner's work waits for the test's word, so the three others must have lost the claim while it
    was still running — not merely after it finished.
    """
    occurrence = datetime(2026, 3, 1, 19, tzinfo=RIYADH)
    lines: asyncio.Queue = asyncio.Queue()
    processes = [await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.ops.fire_job", "ops_test_once", occurrence.isoformat(), cwd=ROOT,
        env={**os.environ, **env}, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
        for _ in range(2)]
    readers = [asyncio.create_task(_lines(process, lines)) for process in processes]
    try:
        seen: list[list[str]] = []
        while sum(line[0] == "outcome" for line in seen) < 3 or not any(line[0] == "working" for line in seen):
            seen.append(await asyncio.wait_for(lines.get(), 120))  # a guard against a hang, not a timing
        [working] = [int(line[1]) for line in seen if line[0] == "working"]
        assert sorted(line[2] for line in seen if line[0] == "outcome") == ["skipped"] * 3
        winner = next(p for p in processes if p.pid == working)
        winner.stdin.write(b"go\n")
        await winner.stdin.drain()
        assert [await process.wait() for process in processes] == [0, 0]
        await asyncio.gather(*readers)
        while not lines.empty():
            seen.append(lines.get_nowait())
    finally:
        for process in processes:
            if process.returncode is None:
                process.kill()
                await process.wait()
    outcomes = [(int(line[1]), line[2]) for line in seen if line[0] == "outcome"]
    assert sorted(outcome for _, outcome in outcomes) == ["ok", "skipped", "skipped", "skipped"]
    assert sorted(pid for pid, _ in outcomes) == sorted([p.pid for p in processes] * 2)  # both processes fired
    assert (working, "ok") in outcomes
    row = await db.fetchrow("SELECT outcome, detail, finished_at FROM job_runs WHERE job = 'ops_test_once'")
    assert (row["outcome"], row["detail"]) == ("ok", "done") and row["finished_at"] is not None


async def test_a_failing_job_is_recorded_logged_and_counted(db, env, caplog):
    async def boom(ctx: JobContext) -> str:
        raise RuntimeError("disk on fire")

    job = Job("ops_test_boom", "0 * * * *", boom, "test")
    before = counter(ASSISTANT_FUNCTION_ERRORS, {"function": "scheduler_job_ops_test_boom"})
    before_runs = counter(JOB_RUNS, {"job_id": "ops_test_boom", "outcome": "error"})
    async with running_services(load_config(env)) as services:
        result = await run_job(services, job, datetime.now(timezone.utc))

    assert (result.outcome, result.detail) == ("error", "RuntimeError: disk on fire")
    assert counter(ASSISTANT_FUNCTION_ERRORS, {"function": "scheduler_job_ops_test_boom"}) == before + 1
    assert counter(JOB_RUNS, {"job_id": "ops_test_boom", "outcome": "error"}) == before_runs + 1
    assert await db.fetchval("SELECT outcome FROM job_runs WHERE job = 'ops_test_boom'") == "error"
    assert "job ops_test_boom failed" in caplog.text


async def test_a_run_later_than_the_grace_is_missed_and_an_overlapping_run_skipped(env, db):
    calls = []
    gate = asyncio.Event()
    working = asyncio.Event()

    async def work(ctx: JobContext) -> None:
        calls.append(ctx.occurrence)
        working.set()
        await gate.wait()

    job = Job("ops_test_late", "*/5 * * * *", work, "test")
    now = datetime.now(timezone.utc)
    missed_before = counter(SCHEDULER_JOB_MISSED, {})
    async with running_services(load_config(env)) as services:
        scheduler = JobScheduler(services, (job,))
        assert await scheduler.fire(job, now - timedelta(seconds=301), now=now) == "missed"
        first = asyncio.create_task(scheduler.fire(job, now - timedelta(seconds=299), now=now))
        await working.wait()  # the first run has claimed its occurrence and works until the gate opens
        claims = await db.fetch("SELECT occurrence, finished_at FROM job_runs WHERE job = 'ops_test_late'")
        assert [(r["occurrence"], r["finished_at"]) for r in claims] == [(now - timedelta(seconds=299), None)]
        assert await scheduler.fire(job, now, now=now) == "skipped"  # still running here
        gate.set()
        assert await first == "ok"

    assert len(calls) == 1
    assert counter(SCHEDULER_JOB_MISSED, {}) == missed_before + 1
    assert counter(SCHEDULER_JOB_MISSED_BY_REASON, {"reason": "missed_start_deadline", "job_id": "ops_test_late"}) == 1


def test_occurrences_are_computed_in_the_business_time_zone():
    before = datetime(2026, 3, 1, 18, 59, tzinfo=RIYADH)
    assert next_occurrence("0 19 * * *", RIYADH, before) == datetime(2026, 3, 1, 19, tzinfo=RIYADH)
    # 15:59 UTC is 18:59 in Riyadh
    assert next_occurrence("0 19 * * *", RIYADH, datetime(2026, 3, 1, 15, 59, tzinfo=timezone.utc)) == datetime(
        2026, 3, 1, 19, tzinfo=RIYADH)
    midnight = next_occurrence("0 0 * * *", RIYADH, datetime(2026, 3, 1, 22, tzinfo=RIYADH))
    assert midnight == datetime(2026, 3, 2, 0, tzinfo=RIYADH)
    assert midnight.astimezone(timezone.utc) == datetime(2026, 3, 1, 21, tzinfo=timezone.utc)


def test_a_new_leader_catches_up_only_an_occurrence_within_the_grace():
    grace = timedelta(seconds=300)
    due = datetime(2026, 3, 1, 19, tzinfo=RIYADH)
    assert recent_occurrence("0 19 * * *", RIYADH, due + timedelta(seconds=90), grace) == due
    assert recent_occurrence("0 19 * * *", RIYADH, due, grace) == due
    assert recent_occurrence("0 19 * * *", RIYADH, due + timedelta(seconds=301), grace) is None
    assert recent_occurrence("0 19 * * *", RIYADH, due - timedelta(seconds=1), grace) is None


async def test_a_cron_trigger_passes_each_call_its_scheduled_time():
    fired: list[datetime] = []
    two = asyncio.Event()

    async def fire(occurrence: datetime) -> None:
        fired.append(occurrence)
        if len(fired) == 2:
            two.set()

    trigger = CronTrigger("* * * * * *", RIYADH, fire)  # every second (aiocron's seconds field)
    trigger.start()
    try:
        await asyncio.wait_for(two.wait(), 10)
    finally:
        trigger.stop()
    assert fired[1] - fired[0] == timedelta(seconds=1)
    assert all(f.microsecond == 0 and f.utcoffset() == timedelta(hours=3) for f in fired)


async def test_history_pruning_keeps_the_last_90_days(db, env):
    from actors.jobs.maintenance import prune_job_history

    now = datetime.now(timezone.utc)
    old, recent = now - timedelta(days=91), now - timedelta(days=89)
    for job, started in (("ops_test_old", old), ("ops_test_recent", recent)):
        await db.execute("INSERT INTO job_runs (job, occurrence, outcome, started_at, finished_at)"
                         " VALUES ($1, $2, 'ok', $2, $2)", job, started)
    for key, received in (("reply:1:0", old), ("reply:2:0", recent)):
        await db.execute("INSERT INTO whatsapp_status_callback_data (callback_data, wamid, status, received_at)"
                         " VALUES ($1, 'wamid.x' || $1, 'sent', $2)", key, received)
    async with running_services(load_config(env)) as services:
        summary = await prune_job_history(JobContext(services, now, manual=True))

    assert summary.endswith("1 runs, 0 reminder records and 1 status callback records deleted")
    assert [r["job"] for r in await db.fetch("SELECT job FROM job_runs WHERE job LIKE 'ops_test_%'")] == [
        "ops_test_recent"]
    assert await db.fetchval("SELECT array_agg(callback_data) FROM whatsapp_status_callback_data") == ["reply:2:0"]


async def test_a_cancelled_stop_is_not_swallowed_by_a_job_slow_to_stop(env):
    """The app's shutdown gives the scheduler a deadline; a cancel of that stop (an outer timeout) must end it,
    not be absorbed while a cancelled job still cleans up."""
    working, cleaning_up = asyncio.Event(), asyncio.Event()

    async def work(ctx: JobContext) -> None:
        working.set()
        try:
            await asyncio.sleep(3600)
        finally:
            cleaning_up.set()
            await asyncio.sleep(3600)  # a clean-up that takes its time

    job = Job("ops_test_slow_to_stop", "*/5 * * * *", work, "test")
    async with running_services(load_config(env)) as services:
        scheduler = JobScheduler(services, (job,), lead=False)
        scheduler._spawn(job, datetime.now(timezone.utc))  # what its trigger does at the occurrence
        await asyncio.wait_for(working.wait(), 30)  # the run has claimed its occurrence and works
        stopping = asyncio.create_task(scheduler.stop(deadline=0.01))
        await asyncio.wait_for(cleaning_up.wait(), 30)
        stopping.cancel()
        done, _ = await asyncio.wait([stopping], timeout=30)
        assert done and stopping.cancelled()
        for task in list(scheduler._tasks):
            task.cancel()
