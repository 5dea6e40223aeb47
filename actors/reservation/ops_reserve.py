"""Reserve (spec 20 §9.1) with the quirk fixes: the caller's role drives the listing, the one-upcoming
rule applies to the assistant (agent role) only and forwards source/override, and the final capacity
check — inside the day lock — also guards re-activation of a cancelled booking."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from actors.customers.profile import clean_name
from actors.reservation import context, metrics, phone
from actors.reservation.actor import day_ref
from actors.reservation.capacity import limits, role_for_source
from actors.reservation.messages import BookSlot
from actors.reservation.parsing import to_display
from actors.reservation.records import booking_data, event_data, upcoming
from actors.reservation.slots import (
    Refusal,
    check_date_time,
    free_starts,
    none_free,
    open_day,
    refuse,
    slot_day_duration,
    vacation_refusal,
)
from runtime.db import QUERIES
from runtime.events import publish

if TYPE_CHECKING:
    from runtime.services import Services


async def reserve_time_slot(services: "Services", wa_id: Any, customer_name: Any, date_str: Any, time_slot: Any,
                            reservation_type: Any, hijri: bool = False, max_reservations: Any = None,
                            ar: bool = False, source: str = "assistant") -> dict[str, Any]:
    metrics.REQUESTED.inc({})
    try:
        result = await _reserve(services, wa_id, customer_name, date_str, time_slot, reservation_type,
                                hijri=hijri, max_reservations=max_reservations, ar=ar, source=source)
    except Exception as exc:
        metrics.FAILED.inc({})
        metrics.FAILED_BY_REASON.inc({"reason": type(exc).__name__, "endpoint": "n/a", "method": "n/a"})
        raise
    if result.get("success"):
        metrics.SUCCESSFUL.inc({})
    return result


@context.guarded("reserve_time_slot")
async def _reserve(services: "Services", wa_id: Any, customer_name: Any, date_str: Any, time_slot: Any,
                   reservation_type: Any, *, hijri: bool, max_reservations: Any, ar: bool,
                   source: str) -> dict[str, Any]:
    try:
        return await _attempt(services, phone.canonical(wa_id), customer_name, date_str, time_slot,
                              reservation_type, hijri, max_reservations, ar, source)
    except Refusal as refusal:
        metrics.by_reason(metrics.FAILED_BY_REASON, refusal.reason)
        return refusal.result


async def _attempt(services, wa_id, customer_name, date_str, time_slot, reservation_type, hijri,
                   max_reservations, ar, source) -> dict[str, Any]:
    problem = phone.validation_error(wa_id, ar)
    if problem:
        raise Refusal(context.envelope(False, problem), "invalid_wa_id")
    name = clean_name(customer_name)
    if not name:
        raise refuse("customer_name_required", ar)
    kind = context.reservation_type(reservation_type)
    if kind is None:
        raise refuse("invalid_reservation_type", ar)
    now = context.now(services)
    role = role_for_source(source)
    # One connection for every read of the checks; none is held while the day actor works.
    async with services.require_pool().acquire() as conn:
        settings = await context.app_settings(services, conn)
        # The slot length of the requested day decides "already over".
        day, slot = check_date_time(date_str, time_slot, hijri=hijri, now=now, ar=ar,
                                    duration=_duration_for(date_str, hijri, now, settings))
        cap = limits(settings.get("slot_capacity_settings"), role, kind, max_reservations)
        if cap.type_disabled:
            raise refuse("slot_fully_booked", ar, reason="type_capacity_reached")
        periods = await context.vacation_periods(services, conn)
        opened = open_day(day, settings, periods, now, context.vacation_base(services), ar)
        free = await free_starts(services, opened, cap.total, conn)
        if not free:
            raise none_free(opened, now, ar)
        if slot not in free:
            raise refuse("reservation_failed_slot", ar, reason="slot_invalid_or_unavailable",
                         slot=to_display(slot), slots=", ".join(to_display(s) for s in free) or "None available")
        existing = await _earliest_upcoming(conn, wa_id, settings, now) if role == "agent" else None
    if existing is not None:
        from actors.reservation.ops_modify import modify_reservation

        return await modify_reservation(
            services, wa_id, new_date=day.isoformat(), new_time_slot=slot.strftime("%H:%M"), new_name=name,
            new_type=kind, max_reservations=max_reservations, ar=ar, reservation_id_to_modify=existing["id"],
            source=source)
    outcome = await day_ref(services, day).ask(BookSlot(wa_id, name, day, slot, kind, cap.total, cap.per_type))
    if outcome.status == "vacation":
        raise await vacation_refusal(services, day)
    if outcome.status in ("full", "type_full"):
        raise refuse("slot_fully_booked", ar, reason="slot_fully_booked")
    event = "reservation_reinstated" if outcome.status == "reinstated" else "reservation_created"
    await publish(services, event, event_data(outcome.reservation_id, wa_id, day, slot, kind, name, source), [wa_id])
    return context.envelope(True, context.text("reservation_successful", ar),
                            booking_data(outcome.reservation_id, day, slot, kind))


def _duration_for(date_str, hijri, now, settings):
    from actors.reservation.parsing import parse_date

    try:
        return slot_day_duration(parse_date(date_str, now.date(), hijri), settings)
    except ValueError:
        return slot_day_duration(now.date(), settings)


async def _earliest_upcoming(conn, wa_id: str, settings, now):
    rows = await conn.fetch(QUERIES.reservation_active_of_customer_since, wa_id,
                            now.date().fromordinal(now.date().toordinal() - 1))
    return next((r for r in rows if upcoming(r, settings, now)), None)
