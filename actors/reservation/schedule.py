"""The business schedule: which slots a day offers (spec 20 §5), driven by the app config.

The app config numbers weekdays 0 = Sunday … 6 = Saturday (Python: 0 = Monday).
Its default document reproduces the reference's hard-coded schedule exactly:
Sunday–Thursday 11–17, Saturday 16–22, Friday closed, 2-hour slots, Ramadan
(a custom range) 10–16 on every working day.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

DEFAULT_HOURS = {"days_of_week": [0, 1, 2, 3, 4], "start_time": "11:00", "end_time": "17:00"}
DEFAULT_WORKING_DAYS = [0, 1, 2, 3, 4, 6]


def config_weekday(day: date) -> int:
    """0 = Sunday … 6 = Saturday."""
    return (day.weekday() + 1) % 7


def _hhmm(value: str) -> time:
    hour, minute = value.split(":")
    return time(int(hour), int(minute))


@dataclass(frozen=True)
class DaySchedule:
    working: bool
    starts: tuple[time, ...] = ()
    duration: timedelta = timedelta(hours=2)

    def ends_at(self, day: date, start: time) -> datetime:
        return datetime.combine(day, start) + self.duration


def _in_range(block: dict[str, Any], day: date) -> bool:
    try:
        first, last = (date.fromisoformat(str(block[key])[:10]) for key in ("start_date", "end_date"))
        return first <= day <= last
    except (KeyError, ValueError):
        return False


def _duration_hours(config: dict[str, Any], weekday: int) -> int:
    for entry in config.get("day_specific_slot_durations") or []:
        if entry.get("day_of_week") == weekday:
            return int(entry.get("slot_duration_hours") or 2)
    return int(config.get("slot_duration_hours") or 2)


@dataclass(frozen=True)
class Hours:
    """A day's plan before slots are cut: working flag, opening and closing `HH:MM`, slot length."""

    working: bool
    opening: str | None
    closing: str | None
    duration: timedelta


def clinic_hours(day: date, config: dict[str, Any]) -> Hours:
    """The clinic's plan for `day`: a custom range (e.g. Ramadan), else day-specific, else default hours."""
    weekday = config_weekday(day)
    custom = next((r for r in config.get("custom_calendar_ranges") or [] if _in_range(r, day)), None)
    hours = _duration_hours(config, weekday)
    if custom is not None:
        working = weekday in (custom.get("working_days") or DEFAULT_WORKING_DAYS)
        opening, closing = custom.get("start_time"), custom.get("end_time")
        hours = int(custom.get("slot_duration_hours") or hours)
    else:
        working = weekday in config.get("working_days", DEFAULT_WORKING_DAYS)
        specific = next((h for h in config.get("day_specific_hours") or [] if h.get("day_of_week") == weekday), None)
        block = specific or config.get("default_working_hours") or DEFAULT_HOURS
        opening, closing = block.get("start_time"), block.get("end_time")
    return Hours(working, opening, closing, timedelta(hours=max(1, hours)))


def cut_slots(day: date, plan: Hours) -> DaySchedule:
    """Slot starts: step = slot duration from the opening hour, each slot ending by closing time."""
    duration = plan.duration
    if not plan.working or not plan.opening or not plan.closing:
        return DaySchedule(False, (), duration)
    start, end = datetime.combine(day, _hhmm(plan.opening)), datetime.combine(day, _hhmm(plan.closing))
    starts = []
    while start + duration <= end:
        starts.append(start.time())
        start += duration
    return DaySchedule(True, tuple(starts), duration)


def day_schedule(day: date, config: dict[str, Any]) -> DaySchedule:
    return cut_slots(day, clinic_hours(day, config))


def remaining_starts(day: date, schedule: DaySchedule, now: datetime) -> tuple[time, ...]:
    """Today drops the slots that have ended; a slot in progress stays bookable."""
    if day != now.date():
        return schedule.starts
    naive_now = now.replace(tzinfo=None)
    return tuple(s for s in schedule.starts if schedule.ends_at(day, s) > naive_now)


def is_upcoming(day: date, start: time, duration: timedelta, now: datetime) -> bool:
    """Mawid's one definition of "future": the slot has not ended (spec 20 quirk 9)."""
    return datetime.combine(day, start) + duration > now.replace(tzinfo=None)
