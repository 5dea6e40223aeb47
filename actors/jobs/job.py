"""What a scheduled job is, and what one run of it is given."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from runtime.services import Services


@dataclass(frozen=True)
class JobContext:
    services: Services
    occurrence: datetime  # the scheduled fire time (or the start of a manual run), aware
    manual: bool = False

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.services.config.timezone)

    @property
    def local_occurrence(self) -> datetime:
        return self.occurrence.astimezone(self.tz)


JobFunction = Callable[[JobContext], Awaitable[str | None]]


@dataclass(frozen=True)
class Job:
    name: str  # the reference's job id where one exists
    schedule: str  # cron spec, in the business time zone
    run: JobFunction  # returns a short summary for the run history
    description: str
    # Per-process jobs are about the process itself (its metrics, its memory) and run in every
    # process; all others run on the leader only, once per occurrence.
    per_process: bool = False


class JobFailed(Exception):
    """A job that counted and logged its own failure (under the reference's metric labels) and wants the
    run recorded as an error without being counted a second time as an uncaught job error."""
