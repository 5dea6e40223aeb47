"""A separate process firing one job occurrence twice at once, for the cross-process tests in test_jobs.

    python -m tests.ops.fire_job JOB OCCURRENCE_ISO   (configuration from the environment)

The job's work prints `working <pid>` and waits for a line on stdin before it returns
"done", so the test decides when the winning run ends. Each run's outcome is printed
as soon as it is known: `outcome <pid> <ok|skipped|error>`.
"""
from __future__ import annotations

import asyncio
import os
import sys
from datetime import datetime

from actors.jobs.job import Job, JobContext
from actors.jobs.runner import run_job
from runtime.config import load_config
from tests.ops.support import running_services


async def _work(ctx: JobContext) -> str:
    print(f"working {os.getpid()}", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    return "done"


async def main(name: str, occurrence: datetime) -> None:
    job = Job(name, "0 19 * * *", _work, "test")
    async with running_services(load_config(dict(os.environ))) as services:
        async def fire() -> None:
            result = await run_job(services, job, occurrence)
            print(f"outcome {os.getpid()} {result.outcome}", flush=True)

        await asyncio.gather(fire(), fire())


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], datetime.fromisoformat(sys.argv[2])))
