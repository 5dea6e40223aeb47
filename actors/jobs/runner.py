"""One run of a job: claim the occurrence, run, record duration and outcome in metrics, logs and job_runs."""
from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
from dataclasses import dataclass
from datetime import datetime

from actors.jobs.job import Job, JobContext, JobFailed
from runtime.db import QUERIES
from runtime.ops_metrics import ASSISTANT_FUNCTION_ERRORS, JOB_DURATION, JOB_LAST_SUCCESS, JOB_RUNS
from runtime.services import Services
from runtime.tracing import span

log = logging.getLogger("mawid.jobs")

NODE = f"{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True)
class RunResult:
    job: str
    occurrence: datetime
    outcome: str  # ok | error | skipped
    detail: str | None = None


async def _claim(services: Services, job: Job, occurrence: datetime, manual: bool) -> int | None:
    async with services.require_pool().acquire() as conn:
        return await conn.fetchval(QUERIES.job_run_claim, job.name, occurrence, manual, NODE)


async def _finish(services: Services, run_id: int, outcome: str, detail: str | None) -> None:
    try:
        async with services.require_pool().acquire() as conn:
            await conn.execute(QUERIES.job_run_finish, run_id, outcome, detail)
    except Exception:  # the history is best effort; the run itself has happened
        log.exception("could not record the end of a job run", extra={"run_id": run_id})


async def run_job(services: Services, job: Job, occurrence: datetime, *, manual: bool = False) -> RunResult:
    """Run `job` for `occurrence` unless another process already claimed that occurrence."""
    with span("job.run", **{"job.id": job.name, "job.occurrence": occurrence.isoformat(), "job.manual": manual}) \
            as current:
        result = await _run(services, job, occurrence, manual)
        current.set_attribute("mawid.job.outcome", result.outcome)
        return result


async def _run(services: Services, job: Job, occurrence: datetime, manual: bool) -> RunResult:
    run_id = None
    if not job.per_process:
        run_id = await _claim(services, job, occurrence, manual)
        if run_id is None:
            JOB_RUNS.inc({"job_id": job.name, "outcome": "skipped"})
            log.info("job %s for %s already run elsewhere; skipped", job.name, occurrence.isoformat(),
                     extra={"job": job.name})
            return RunResult(job.name, occurrence, "skipped", "occurrence already claimed")
    log.info("job %s started for %s in pid %s", job.name, occurrence.isoformat(), os.getpid(),
             extra={"job": job.name, "manual": manual})
    started = time.perf_counter()
    outcome, detail = "error", "cancelled"
    try:
        detail = await job.run(JobContext(services, occurrence, manual))
        outcome = "ok"
    except JobFailed as exc:
        detail = str(exc)
    except Exception as exc:
        detail = f"{type(exc).__name__}: {exc}"
        ASSISTANT_FUNCTION_ERRORS.inc({"function": f"scheduler_job_{job.name}"})
        log.exception("job %s failed", job.name, extra={"job": job.name})
    finally:
        took = time.perf_counter() - started
        JOB_DURATION.observe({"job_id": job.name}, took)
        JOB_RUNS.inc({"job_id": job.name, "outcome": outcome})
        if outcome == "ok":
            JOB_LAST_SUCCESS.set({"job_id": job.name}, time.time())
            log.info("job %s finished in %.3fs: %s", job.name, took, detail or "done",
                     extra={"job": job.name, "seconds": round(took, 3)})
        if run_id is not None:
            # Shielded so a run cancelled at shutdown still leaves its outcome behind.
            await asyncio.shield(_finish(services, run_id, outcome, detail))
    return RunResult(job.name, occurrence, outcome, detail)
