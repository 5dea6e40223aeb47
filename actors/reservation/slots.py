"""A day's bookable slots: schedule, vacations, past days, and per-slot occupancy (spec 20 §5, §9.8)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from actors.reservation import context
from actors.reservation.parsing import hijri_string, parse_date, parse_time
from actors.reservation.schedule import DaySchedule, day_schedule, remaining_starts
from actors.reservation.texts import text
from actors.reservation.vacations import Period, period_containing, vacation_message
from runtime.db import QUERIES

if TYPE_CHECKING:
    from runtime.services import Services


class Refusal(Exception):
    """A business failure carrying the reference's envelope."""

    def __init__(self, result: dict[str, Any], reason: str = "") -> None:
        super().__init__(result.get("message", ""))
        self.result = result
        self.reason = reason


def refuse(key: str, ar: bool = False, reason: str = "", **args: Any) -> Refusal:
    return Refusal(context.fail(key, ar, **args), reason or key)


@dataclass(frozen=True)
class Day:
    day: date
    schedule: DaySchedule
    starts: tuple[time, ...]  # remaining today, all otherwise

    @property
    def hijri(self) -> str:
        return hijri_string(self.day)


def check_date_time(day_text: Any, time_text: Any, *, hijri: bool, now: datetime, duration: timedelta,
                    ar: bool = False, require_time: bool = True) -> tuple[date, time | None]:
    """§6 is_valid_date_time with Mawid's fixes (time errors explained, booking horizon)."""
    try:
        day = parse_date(day_text, now.date(), hijri)
    except ValueError as exc:
        raise refuse("invalid_date_format", ar, reason="invalid_date_time", error=str(exc)) from None
    if day < now.date():
        raise refuse("cannot_reserve_past", ar, reason="invalid_date_time")
    if (day - now.date()).days > context.BOOKING_HORIZON_DAYS:
        raise refuse("date_beyond_horizon", ar, reason="invalid_date_time", days=context.BOOKING_HORIZON_DAYS)
    if time_text is None or (isinstance(time_text, str) and not time_text.strip()):
        if require_time:
            raise refuse("invalid_time_format", ar, reason="invalid_date_time", error="time is empty")
        return day, None
    try:
        slot = parse_time(time_text)
    except ValueError as exc:
        raise refuse("invalid_time_format", ar, reason="invalid_date_time", error=str(exc)) from None
    if day == now.date() and datetime.combine(day, slot) + duration <= now.replace(tzinfo=None):
        raise refuse("cannot_reserve_past", ar, reason="invalid_date_time")
    return day, slot


def open_day(day: date, settings: dict[str, Any], periods: list[Period], now: datetime, base: str | None,
             ar: bool = False) -> Day:
    """The day's slots, or a Refusal: past day, vacation (its message), closed day."""
    if day < now.date():
        raise refuse("cannot_reserve_past", ar)
    period = period_containing(periods, day)
    if period is not None:
        raise Refusal(context.envelope(False, vacation_message(period, base)), "vacation")
    schedule = day_schedule(day, settings)
    if not schedule.working:
        raise refuse("non_working_day", ar)
    return Day(day, schedule, remaining_starts(day, schedule, now))


async def occupancy(conn, day: date) -> dict[time, int]:
    return {r["slot_time"]: r["booked"] for r in await conn.fetch(QUERIES.reservation_day_counts, day)}


async def free_starts(services: "Services", opened: Day, total: int, conn=None) -> list[time]:
    if conn is None:
        async with services.require_pool().acquire() as own:
            booked = await occupancy(own, opened.day)
    else:
        booked = await occupancy(conn, opened.day)
    return [s for s in opened.starts if booked.get(s, 0) < total]


def none_free(opened: Day, now: datetime, ar: bool) -> Refusal:
    """Distinguish "today is over" from "everything booked" (spec 20 quirk 20)."""
    if opened.day == now.date() and not opened.starts:
        return refuse("no_remaining_slots_today", ar, reason="slot_invalid_or_unavailable")
    return refuse("all_slots_fully_booked", ar, reason="slot_fully_booked")


async def vacation_refusal(services: "Services", day: date) -> Refusal:
    """A vacation appeared while the request was being checked: answer with its message."""
    period = period_containing(await context.vacation_periods(services), day)
    message = vacation_message(period, context.vacation_base(services)) if period else ""
    return Refusal(context.envelope(False, message), "vacation")


def slot_day_duration(day: date, settings: dict[str, Any]) -> timedelta:
    return day_schedule(day, settings).duration


__all__ = ["Day", "Refusal", "check_date_time", "free_starts", "none_free", "open_day", "occupancy", "refuse",
           "slot_day_duration", "text", "vacation_refusal"]
