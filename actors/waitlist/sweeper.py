"""Each process's waitlist sweep: a background task that runs `offers.sweep` every WAITLIST_SWEEP_SECONDS,
and at once when woken (a place was just freed or an offer just ended in this process).

Several processes sweep the same tables safely: the day actors' transactions and the unique
indexes keep one open offer per freed place, and a sent offer is claimed under a row lock.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from actors.reservation.actor import WAITLIST_WAKE_KEY
from actors.waitlist.offers import sweep
from runtime.db import DATABASE_UNAVAILABLE
from runtime.tasks import stop_task

if TYPE_CHECKING:
    from runtime.services import Services

log = logging.getLogger("mawid.waitlist")


class WaitlistSweeper:
    def __init__(self, services: "Services") -> None:
        self.services = services
        self._woken = asyncio.Event()
        self._task: asyncio.Task | None = None
        self.rounds = 0  # sweeps finished

    def wake(self) -> None:
        self._woken.set()

    async def _run(self) -> None:
        interval = self.services.config.waitlist_sweep_seconds
        while True:
            self._woken.clear()
            try:  # a failed round (database away, a send refused) is retried next round
                await sweep(self.services)
            except DATABASE_UNAVAILABLE as exc:  # expected in an outage: one line, no traceback
                log.warning("waitlist sweep failed, the database is unavailable: %s", exc)
            except Exception:
                log.exception("waitlist sweep failed")
            self.rounds += 1
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for swallows a stop() that lands as a wake-up
            # does, and the app's shutdown then waited for this loop forever
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(interval):
                    await self._woken.wait()

    def start(self) -> None:
        self.services.extras[WAITLIST_WAKE_KEY] = self.wake
        self._task = asyncio.create_task(self._run(), name="waitlist-sweep")

    async def stop(self) -> None:
        self.services.extras.pop(WAITLIST_WAKE_KEY, None)
        if self._task is not None:
            await stop_task(self._task)
