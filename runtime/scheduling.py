"""Cron triggers in the business time zone, on aiocron, that tell each call its scheduled time.

aiocron computes fire times with cronsim but calls the function without saying
which occurrence is firing. Jobs need it: the occurrence is what makes a run
idempotent across processes ("send_reminders at 2025-11-14T19:00+03:00") and
what "tomorrow" is computed from, so a late or repeated call behaves like the
scheduled one.
"""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import aiocron
from cronsim import CronSim

Fire = Callable[[datetime], Awaitable[None]]


def next_occurrence(spec: str, tz: ZoneInfo, after: datetime) -> datetime:
    """The first fire time strictly after `after`, in `tz`."""
    return next(CronSim(spec, after.astimezone(tz)))


def recent_occurrence(spec: str, tz: ZoneInfo, now: datetime, within: timedelta) -> datetime | None:
    """The latest fire time in (now - within, now], if any: what a new leader may still catch up."""
    found = None
    for fire in CronSim(spec, (now - within).astimezone(tz)):
        if fire > now:
            break
        found = fire
    return found


class _OccurrenceCron(aiocron.Cron):
    """An aiocron Cron whose function receives the occurrence (fire time) being run."""

    _upcoming: datetime | None = None

    def get_next(self) -> float:
        fire = next(self.cronsim)
        self._upcoming = fire
        return self.loop_time + (fire.timestamp() - self.time)

    def call_next(self) -> None:
        if self.handle is not None:
            self.handle.cancel()
        firing = self._upcoming
        self.handle = self.loop.call_at(self.get_next(), self.call_next)
        self.call_func(firing)

    def set_result(self, result: asyncio.Future) -> None:
        # The fire callback handles its own errors; never let one escape into the loop's handler.
        if self.future is not None:
            super().set_result(result)


class CronTrigger:
    """Calls `fire(occurrence)` at every time matching a cron spec, in `tz`, while started."""

    def __init__(self, spec: str, tz: ZoneInfo, fire: Fire) -> None:
        CronSim(spec, datetime.now(tz))  # a bad spec fails here, at start-up, not at the first fire
        self.spec = spec
        self.tz = tz
        self._fire = fire
        self._cron: _OccurrenceCron | None = None

    @property
    def running(self) -> bool:
        return self._cron is not None

    def start(self) -> None:
        if self._cron is None:
            self._cron = _OccurrenceCron(self.spec, self._fire, tz=self.tz, loop=asyncio.get_running_loop())
            self._cron.start()

    def stop(self) -> None:
        if self._cron is not None:
            self._cron.stop()
            self._cron = None

    def next_fire(self, now: datetime | None = None) -> datetime:
        return next_occurrence(self.spec, self.tz, now or datetime.now(self.tz))
