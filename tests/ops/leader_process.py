"""A process that campaigns for a leader lock and says so on stdout; the test SIGKILLs it.

Run as `python -m tests.ops.leader_process DSN KEY`.
"""
from __future__ import annotations

import asyncio
import sys

from runtime.leader import LeaderElection


async def main(dsn: str, key: int) -> None:
    async def elected() -> None:
        print(f"elected {election.backend_pid}", flush=True)

    async def demoted() -> None:
        print("demoted", flush=True)

    election = LeaderElection(dsn, key=key, on_elected=elected, on_demoted=demoted, retry_interval=0.2,
                              check_interval=0.2)
    election.start()
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
