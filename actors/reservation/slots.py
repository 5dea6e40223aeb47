"""A day's bookable slots: schedule, vacations, past days, and per-slot occupancy (spec 20 §5, §9.8)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from actors.reservation import context
from actors.reservation.parsing import hijri_string, parse_date, parse_time
from actors.reservation.resources import DEFAULT_RESOURCE_ID, Resource, resource_schedule
from actors.reservation.schedule import DaySchedule, remaining_starts
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
    resource_id: int = DEFAULT_RESOURCE_ID

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
             ar: bool = False, resource: Resource | None = None) -> Day:
    """The day's slots (of `resource`, else the clinic's), or a Refusal: past day, vacation (its message),
    the resource's own day off, closed day."""
    if day < now.date():
        raise refuse("cannot_reserve_past", ar)
    period = period_containing(periods, day)
    if period is not None:
        raise Refusal(context.envelope(False, vacation_message(period, base)), "vacation")
    if resource is not None and resource.day_off(day) is not None:
        raise refuse("resource_day_off", ar, reason="resource_day_off", resource=resource.name(ar))
    schedule = resource_schedule(day, settings, resource)
    if not schedule.working:
        raise refuse("non_working_day", ar)
    return Day(day, schedule, remaining_starts(day, schedule, now), resource.id if resource else DEFAULT_RESOURCE_ID)


async def occupancy(conn, day: date, resource_id: int = DEFAULT_RESOURCE_ID) -> dict[time, int]:
    return {r["slot_time"]: r["booked"] for r in await conn.fetch(QUERIES.reservation_day_counts, day, resource_id)}


async def free_starts(services: "Services", opened: Day, total: int, conn=None) -> list[time]:
    if conn is None:
        async with services.require_pool().acquire() as own:
            booked = await occupancy(own, opened.day, opened.resource_id)
    else:
        booked = await occupancy(conn, opened.day, opened.resource_id)
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


def slot_day_duration(day: date, settings: dict[str, Any], resource: Resource | None = None) -> timedelta:
    return resource_schedule(day, settings, resource).duration



async def day_occupancy(conn, day: date, resource_ids: list[int]) -> dict[int, dict[time, int]]:
    """Active bookings per resource and slot of one day, in one query."""
    booked: dict[int, dict[time, int]] = {rid: {} for rid in resource_ids}
    for row in await conn.fetch(QUERIES.reservation_day_counts_by_resource, day, resource_ids):
        booked[row["resource_id"]][row["slot_time"]] = row["booked"]
    return booked


async def open_resources(services: "Services", conn, resources: list[Resource], day: date, settings: dict[str, Any],
                         periods: list[Period], now: datetime, ar: bool, cap: Any,
                         booked: dict[int, dict[time, int]] | None = None) -> list[tuple[Resource, Day, list[time]]]:
    """Each resource open that day with its free starts (capacity: `cap` within the resource's own); when
    none is open, the first one's Refusal (with one resource: exactly `open_day`'s). `booked`: the day's
    occupancy per resource when already read (`day_occupancy`); several resources read it in one query."""
    from actors.reservation.resources import resource_limits

    base = context.vacation_base(services)
    opened, refusal = [], None
    for resource in resources:
        try:
            opened.append((resource, open_day(day, settings, periods, now, base, ar, resource)))
        except Refusal as closed:
            refusal = refusal or closed
    if not opened and refusal is not None:
        raise refusal
    if booked is None and len(opened) > 1:
        booked = await day_occupancy(conn, day, [r.id for r, _ in opened])
    result = []
    for resource, day_plan in opened:
        total = resource_limits(cap, resource).total
        if booked is None:
            free = await free_starts(services, day_plan, total, conn)
        else:
            taken = booked.get(resource.id, {})
            free = [s for s in day_plan.starts if taken.get(s, 0) < total]
        result.append((resource, day_plan, free))
    return result


def union_of_free(opened: list[tuple[Resource, Day, list[time]]]) -> list[time]:
    return sorted({s for _, _, free in opened for s in free})


__all__ = ["Day", "Refusal", "check_date_time", "day_occupancy", "free_starts", "none_free", "open_day",
           "open_resources", "occupancy",
           "refuse", "slot_day_duration", "union_of_free", "text", "vacation_refusal"]
