"""Read-side tools of the assistant (spec 20 §9.7–9.10): free slots, multi-day search, a customer's
bookings, the current date and time. Vacation dates are ISO strings (quirk 19).

Resources (issue 24): `resource` narrows the search to one (id or name); without it a slot is free when
any active resource has room. With several resources the answers also list each one's free slots."""
from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from actors.reservation import context, phone
from actors.reservation.capacity import limits
from actors.reservation.parsing import hijri_month, hijri_string, parse_date, parse_time_12_24, to_display, to_hhmm
from actors.reservation.records import upcoming
from actors.reservation.roster import candidates, load_roster
from actors.reservation.slots import Refusal, none_free, open_resources, union_of_free
from actors.reservation.vacations import day_after, period_containing, vacation_info
from runtime.db import QUERIES

if TYPE_CHECKING:
    from runtime.services import Services

SEARCH_SPAN_DAYS = 90


@context.guarded("get_available_time_slots")
async def get_available_time_slots(services: "Services", date_str: Any, hijri: bool = False,
                                   max_reservations: Any = None, ar: bool = False,
                                   source: str = "assistant", resource: Any = None) -> dict[str, Any]:
    now = context.now(services)
    try:
        day = parse_date(date_str, now.date(), hijri)
    except ValueError as exc:
        return context.fail("invalid_date_format", ar, error=str(exc))
    settings = await context.app_settings(services)
    cap = limits(settings.get("slot_capacity_settings"), "agent", None, max_reservations)
    try:
        async with services.require_pool().acquire() as conn:
            roster = await load_roster(services, conn)
            opened = await open_resources(services, conn, candidates(roster, resource, None, ar), day, settings,
                                          await context.vacation_periods(services, conn), now, ar, cap)
        free = union_of_free(opened)
        if not free:
            raise none_free(opened[0][1], now, ar)
    except Refusal as refusal:
        return refusal.result
    data = {"gregorian_date": day.isoformat(), "hijri_date": hijri_string(day),
            "time_slots": [to_display(s) for s in free]}
    if roster.several:
        data["resources"] = [{**roster.label(r.id, ar), "time_slots": [to_display(s) for s in own]}
                             for r, _, own in opened if own]
    return context.envelope(True, data=data)


@context.guarded("search_available_appointments")
async def search_available_appointments(services: "Services", start_date: Any = None, time_slot: Any = None,
                                        days_forward: Any = 3, days_backward: Any = 0, max_reservations: Any = None,
                                        hijri: bool = False, ar: bool = False,
                                        source: str = "assistant", resource: Any = None) -> dict[str, Any]:
    wanted = None
    if time_slot:
        try:
            wanted = parse_time_12_24(str(time_slot))
        except ValueError as exc:
            return context.fail("invalid_date_format", ar, error=str(exc))
    now = context.now(services)
    settings = await context.app_settings(services)
    cap = limits(settings.get("slot_capacity_settings"), "agent", None, max_reservations)
    periods = await context.vacation_periods(services)
    roster = await load_roster(services)
    try:
        wanted_resources = candidates(roster, resource, None, ar)
    except Refusal as refusal:
        return refusal.result
    reference = now.date()
    if start_date:
        try:
            reference = parse_date(start_date, now.date(), hijri)
        except ValueError:
            reference = now.date()
    else:
        current = period_containing(periods, reference)
        if current is not None:
            reference = day_after(current)
    base = context.vacation_base(services)
    appointments: list[dict[str, Any]] = []
    async with services.require_pool().acquire() as conn:
        # Bounded: one query per day, and a search far beyond the booking horizon finds nothing anyway.
        for offset in range(-min(int(days_backward), SEARCH_SPAN_DAYS), min(int(days_forward), SEARCH_SPAN_DAYS) + 1):
            day = reference + timedelta(days=offset)
            if day < now.date() or period_containing(periods, day):
                continue  # the backward range is honoured down to today (quirk 19)
            try:
                opened = await open_resources(services, conn, wanted_resources, day, settings, periods, now, ar, cap)
            except Refusal:
                continue
            free = union_of_free(opened)
            if not free:
                continue
            entry: dict[str, Any] = {"gregorian_date": day.isoformat(), "hijri_date": hijri_string(day)}
            if roster.several:
                entry["resources"] = [{**roster.label(r.id, ar), "time_slots": [to_display(s) for s in own]}
                                      for r, _, own in opened if own]
            if wanted is None:
                appointments.append({**entry, "time_slots": [{"time_slot": to_display(s)} for s in free]})
                continue
            # Closest free slot (the reference gave up on the day when the closest one was full).
            minutes = wanted.hour * 60 + wanted.minute
            best = min(free, key=lambda s: (abs(s.hour * 60 + s.minute - minutes), s))
            appointments.append({**entry, "time_slot": to_display(best), "is_exact": best == wanted})
    return context.envelope(True, data={"appointments": appointments, **vacation_info(periods, reference, base)})


@context.guarded("get_customer_reservations")
async def get_customer_reservations(services: "Services", wa_id: Any, include_past: bool = False, ar: bool = False,
                                    source: str = "assistant") -> dict[str, Any]:
    wa_id = phone.canonical(wa_id)
    problem = phone.validation_error(wa_id, ar)
    if problem:
        return context.envelope(False, problem)
    now = context.now(services)
    settings = await context.app_settings(services)
    async with services.require_pool().acquire() as conn:
        rows = await conn.fetch(QUERIES.reservation_active_of_customer, wa_id)
        roster = await load_roster(services, conn)
    data = []
    for row in rows:
        is_future = upcoming(row, settings, now, roster)
        if is_future or include_past:
            data.append({"date": row["slot_date"].isoformat(), "time_slot": to_hhmm(row["slot_time"]),
                         "customer_name": row["customer_name"], "type": row["type"], "status": row["status"],
                         "is_future": is_future, **roster.label(row["resource_id"], ar)})
    return context.envelope(True, data=data)


@context.guarded("get_current_datetime")
async def get_current_datetime(services: "Services", ar: bool = False, source: str = "assistant") -> dict[str, Any]:
    now = context.now(services)
    periods = await context.vacation_periods(services)
    hour = now.hour % 12 or 12
    return context.envelope(True, data={
        "gregorian_date": now.date().isoformat(),
        "makkah_time": f"{hour}:{now.minute:02d} {'AM' if now.hour < 12 else 'PM'}",  # quirk 24
        "hijri_date": hijri_string(now.date()),
        "day_name": now.strftime("%a"),
        "is_ramadan": hijri_month(now.date()) == 9,
        **vacation_info(periods, now.date(), context.vacation_base(services)),
    })
