"""The process's job scheduler: cron triggers, run by one leader among all processes.

Per-process jobs (metrics, gc) run everywhere. Every other job's triggers run
only while this process holds the leader lock (runtime.leader); a run still
claims its occurrence in `job_runs`, so an overlap of two leaders, a re-run or a
catch-up never repeats one. Reference options kept (spec 60 §4): a run that
starts more than 300 s late is missed (counted, logged, skipped), and a job
already running in this process skips an overlapping run. A new leader catches
up an occurrence that fell due within that grace period, so the death of a
leader at 18:59:58 does not cost the day's reminders.
"""
from __future__ import annotations

import asyncio
import logging
import os
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from actors.jobs.job import Job
from actors.jobs.registry import JOBS
from actors.jobs.runner import run_job
from runtime.leader import SCHEDULER_LOCK, LeaderElection
from runtime.ops_metrics import (
    JOB_RUNS,
    SCHEDULER_JOB_MISSED,
    SCHEDULER_JOB_MISSED_BY_REASON,
    SCHEDULER_LEADER,
    precreate_job,
)
from runtime.process_metrics import sample_system_metrics
from runtime.scheduling import CronTrigger, recent_occurrence
from runtime.services import Services

log = logging.getLogger("mawid.jobs.scheduler")

MISFIRE_GRACE = timedelta(seconds=300)


class JobScheduler:
    def __init__(
        self, services: Services, jobs: tuple[Job, ...] = JOBS, *, lead: bool = True, lock_key: int = SCHEDULER_LOCK
    ) -> None:
        self.services = services
        self.jobs = jobs
        self.lead = lead  # False: per-process jobs only, never a candidate for leader
        self.tz = ZoneInfo(services.config.timezone)
        self._triggers = {job.name: CronTrigger(job.schedule, self.tz, self._firing(job)) for job in jobs}
        self._running: set[str] = set()
        self._tasks: set[asyncio.Task] = set()
        poll = services.config.scheduler_poll_interval
        self.election = LeaderElection(
            services.config.database_url, key=lock_key, on_elected=self._lead, on_demoted=self._follow,
            retry_interval=poll, check_interval=poll,
        )
        for job in jobs:
            precreate_job(job.name)

    @property
    def is_leader(self) -> bool:
        return self.election.is_leader

    def start(self) -> None:
        sample_system_metrics()  # the reference's gauges read 0 for 3 minutes; start with a real value
        for job in self.jobs:
            log.info("Adding job %s [%s] on %s", job.name, job.schedule, "every process" if job.per_process
                     else "the leader", extra={"job": job.name})
            if job.per_process:
                self._triggers[job.name].start()
        log.info("Scheduler started with TIMEZONE=%s, job count=%d in pid %d%s", self.tz.key, len(self.jobs),
                 os.getpid(), "" if self.lead else " (not a leader candidate: SCHEDULER_ENABLED=false)")
        if self.lead:
            self.election.start()

    async def stop(self, deadline: float = 10.0) -> None:
        for trigger in self._triggers.values():
            trigger.stop()
        await self.election.stop()
        if self._tasks:
            _, pending = await asyncio.wait(set(self._tasks), timeout=deadline)
            for task in pending:
                task.cancel()
            # gather, not suppress(CancelledError): a cancel of this stop itself must still go through
            await asyncio.gather(*pending, return_exceptions=True)

    async def _lead(self) -> None:
        SCHEDULER_LEADER.set({}, 1)
        now = datetime.now(timezone.utc)
        for job in self.jobs:
            if job.per_process:
                continue
            self._triggers[job.name].start()
            due = recent_occurrence(job.schedule, self.tz, now, MISFIRE_GRACE)
            if due is not None:
                log.info("catching up %s due at %s", job.name, due.isoformat(), extra={"job": job.name})
                self._spawn(job, due)

    async def _follow(self) -> None:
        SCHEDULER_LEADER.set({}, 0)
        for job in self.jobs:
            if not job.per_process:
                self._triggers[job.name].stop()

    def _firing(self, job: Job):
        async def fire(occurrence: datetime) -> None:
            self._spawn(job, occurrence)

        return fire

    def _spawn(self, job: Job, occurrence: datetime) -> None:
        task = asyncio.create_task(self.fire(job, occurrence), name=f"job-{job.name}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def fire(self, job: Job, occurrence: datetime, *, now: datetime | None = None) -> str:
        """One scheduled call: skipped when late beyond the grace or when the job is still running here."""
        late = (now or datetime.now(timezone.utc)) - occurrence
        if late > MISFIRE_GRACE:
            SCHEDULER_JOB_MISSED.inc({})
            SCHEDULER_JOB_MISSED_BY_REASON.inc({"reason": "missed_start_deadline", "job_id": job.name})
            JOB_RUNS.inc({"job_id": job.name, "outcome": "missed"})
            log.warning("Run time of job %s was missed by %s", job.name, late, extra={"job": job.name})
            return "missed"
        if job.name in self._running:
            JOB_RUNS.inc({"job_id": job.name, "outcome": "skipped"})
            log.info("job %s is still running; this run is skipped", job.name, extra={"job": job.name})
            return "skipped"
        self._running.add(job.name)
        try:
            return (await run_job(self.services, job, occurrence)).outcome
        finally:
            self._running.discard(job.name)
