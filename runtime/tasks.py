"""Stopping background tasks without losing a cancel meant for the one who stops them.

Two traps on Python 3.11, both of which hung a shutdown here:
- `asyncio.wait_for(x, t)` in a loop swallows a cancel that lands as `x` completes (the loop goes on);
  `asyncio.timeout` does not, so loops that wait with a deadline use it.
- `with suppress(CancelledError): await task` after `task.cancel()` also swallows a cancel of the caller
  itself (an outer timeout, a shutdown): `stop_task` re-raises that one.
"""
from __future__ import annotations

import asyncio


async def stop_task(task: asyncio.Task) -> None:
    """Cancel `task` and wait for it to end; its other exceptions propagate, as does a cancel of the caller."""
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        current = asyncio.current_task()
        if current is not None and current.cancelling():
            raise
