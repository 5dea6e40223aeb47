"""Each resource's plan per day for the calendar: its slot starts, slot length and capacity, or why it is off.

The same rules as booking (`open_day`): the clinic's vacations, then the resource's own, then its working
days and hours (day-specific, its own, else the clinic's), cut into its slot length. Unlike the booking
check it plans past days too and ignores occupancy: the calendar lays out a grid, the server still decides.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from actors.reservation import context
from actors.reservation.capacity import Limits, limits
from actors.reservation.resources import Resource, resource_limits, resource_schedule
from actors.reservation.roster import load_roster
from actors.reservation.vacations import Period, period_containing

if TYPE_CHECKING:
    from runtime.services import Services

MAX_DAYS = 62  # a week view needs 7, a month 31; more is not a calendar's question


def day_plan(resource: Resource, day: date, settings: dict[str, Any], closed: list[Period]) -> dict[str, Any]:
    """`off` says why no slot is offered: "clinic_vacation", "resource_vacation" or "day_off" (not a working
    day for it, or no slot fits its hours); `title` names the vacation when it has one."""
    schedule = resource_schedule(day, settings, resource)
    plan: dict[str, Any] = {"date": day.isoformat(), "off": None, "title": None, "slots": [],
                            "slot_duration_minutes": int(schedule.duration.total_seconds() // 60)}
    clinic_period, own_period = period_containing(closed, day), resource.day_off(day)
    if clinic_period is not None:
        return {**plan, "off": "clinic_vacation", "title": clinic_period.title}
    if own_period is not None:
        return {**plan, "off": "resource_vacation", "title": own_period.title}
    if not schedule.working or not schedule.starts:
        return {**plan, "off": "day_off"}
    return {**plan, "slots": [start.strftime("%H:%M") for start in schedule.starts]}


def resource_plan(resource: Resource, first: date, last: date, settings: dict[str, Any], closed: list[Period],
                  clinic: Limits) -> dict[str, Any]:
    days = [day_plan(resource, first + timedelta(days=n), settings, closed) for n in range((last - first).days + 1)]
    return {"resource_id": resource.id, "name_ar": resource.name_ar, "name_en": resource.name_en,
            "active": resource.active, "capacity": resource_limits(clinic, resource).total, "days": days}


async def resource_calendar(services: "Services", first: date, last: date,
                            resource_id: int | None = None) -> list[dict[str, Any]] | None:
    """Every resource's plan over the window (or only `resource_id`'s; None when there is no such resource).
    `capacity` is the places per slot the secretary may fill: the clinic's, within the resource's own."""
    async with services.require_pool().acquire() as conn:
        settings = await context.app_settings(services, conn)
        roster = await load_roster(services, conn)
        closed = await context.vacation_periods(services, conn)
    wanted = roster.resources if resource_id is None else tuple(r for r in roster.resources if r.id == resource_id)
    if resource_id is not None and not wanted:
        return None
    clinic = limits(settings.get("slot_capacity_settings"), "secretary")
    return [resource_plan(r, first, last, settings, closed, clinic) for r in wanted]
