"""Analytics per resource over a date window: bookings, cancellations, open slots, utilisation and attendance.

Utilisation = active bookings / bookable places, where the places are each open slot of the resource's
schedule in the window (clinic and resource vacations excluded) times its capacity per slot (the clinic's
secretary capacity within the resource's own). No-show rate = no-shows / bookings whose attendance was
recorded (attended + no-shows); None while none was.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from actors.reservation import context
from actors.reservation.capacity import limits
from actors.reservation.resources import Resource, resource_limits, resource_schedule
from actors.reservation.roster import load_roster
from actors.reservation.vacations import Period, period_containing
from runtime.db import QUERIES

if TYPE_CHECKING:
    from runtime.services import Services

MAX_DAYS = 366


def open_slots(resource: Resource, first: date, last: date, settings: dict[str, Any], closed: list[Period]) -> int:
    count, day = 0, first
    while day <= last:
        if period_containing(closed, day) is None and resource.day_off(day) is None:
            schedule = resource_schedule(day, settings, resource)
            count += len(schedule.starts) if schedule.working else 0
        day += timedelta(days=1)
    return count


async def resource_analytics(services: "Services", first: date, last: date) -> list[dict[str, Any]]:
    async with services.require_pool().acquire() as conn:
        settings = await context.app_settings(services, conn)
        roster = await load_roster(services, conn)
        closed = await context.vacation_periods(services, conn)
        counts = {r["resource_id"]: r for r in await conn.fetch(QUERIES.resources_analytics_counts, first, last)}
    clinic = limits(settings.get("slot_capacity_settings"), "secretary")
    rows = []
    for resource in roster.resources:
        found = counts.get(resource.id)
        bookings = found["bookings"] if found else 0
        slots = open_slots(resource, first, last, settings, closed)
        places = slots * resource_limits(clinic, resource).total
        rows.append({"resource_id": resource.id, "name_en": resource.name_en, "name_ar": resource.name_ar,
                     "active": resource.active, "bookings": bookings,
                     "cancelled": found["cancelled"] if found else 0, "open_slots": slots, "places": places,
                     "utilisation": round(bookings / places, 4) if places else None, **_attendance(found)})
    return rows


def _attendance(found: Any) -> dict[str, Any]:
    attended, no_shows = (found["attended"], found["no_shows"]) if found else (0, 0)
    recorded = attended + no_shows
    return {"attended": attended, "no_shows": no_shows,
            "no_show_rate": round(no_shows / recorded, 4) if recorded else None}
