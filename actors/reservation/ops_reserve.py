"""Reserve (spec 20 §9.1) with the quirk fixes: the caller's role drives the listing, the one-upcoming
rule applies to the assistant (agent role) only and forwards source/override, and the final capacity
check — inside the (resource, day) lock — also guards re-activation of a cancelled booking.

Resources (issue 24): `resource` names one (id or name); without it ("any") the resources able to take
the slot are tried least booked that day first, then in the admins' order. With a single resource this is
the reference's reserve, answer for answer."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from actors.customers.profile import clean_name
from actors.reservation import context, metrics, phone
from actors.reservation.actor import day_ref
from actors.reservation.capacity import limits, role_for_source
from actors.reservation.messages import BookSlot
from actors.reservation.parsing import to_display
from actors.reservation.records import booking_data, event_data, upcoming
from actors.reservation.resources import Resource, pick_order, resource_limits
from actors.reservation.roster import candidates, load_roster
from actors.reservation.slots import (
    Refusal,
    check_date_time,
    day_occupancy,
    none_free,
    open_resources,
    refuse,
    slot_day_duration,
    union_of_free,
    vacation_refusal,
)
from runtime.db import QUERIES
from runtime.events import publish

if TYPE_CHECKING:
    from runtime.services import Services


async def reserve_time_slot(services: "Services", wa_id: Any, customer_name: Any, date_str: Any, time_slot: Any,
                            reservation_type: Any, hijri: bool = False, max_reservations: Any = None,
                            ar: bool = False, source: str = "assistant", resource: Any = None) -> dict[str, Any]:
    metrics.REQUESTED.inc({})
    try:
        result = await _reserve(services, wa_id, customer_name, date_str, time_slot, reservation_type,
                                hijri=hijri, max_reservations=max_reservations, ar=ar, source=source,
                                resource=resource)
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
                   source: str, resource: Any) -> dict[str, Any]:
    try:
        return await _attempt(services, phone.canonical(wa_id), customer_name, date_str, time_slot,
                              reservation_type, hijri, max_reservations, ar, source, resource)
    except Refusal as refusal:
        metrics.by_reason(metrics.FAILED_BY_REASON, refusal.reason)
        return refusal.result


async def _fitting(services, conn, wanted: list[Resource], day, slot, cap, settings, now, ar):
    """The wanted resources whose slot is free, in booking order; or the Refusal a single resource gives."""
    periods = await context.vacation_periods(services, conn)
    booked = None
    ordered = wanted
    if len(wanted) > 1:  # one read of the day serves the "least booked" order and each one's free slots
        booked = await day_occupancy(conn, day, [r.id for r in wanted])
        ordered = pick_order(wanted, {rid: sum(slots.values()) for rid, slots in booked.items()})
    opened = await open_resources(services, conn, ordered, day, settings, periods, now, ar, cap, booked)
    fitting = [(resource, resource_limits(cap, resource)) for resource, _, free in opened if slot in free]
    if fitting:
        return fitting
    free_anywhere = union_of_free(opened)
    if not free_anywhere:
        raise none_free(opened[0][1], now, ar)
    raise refuse("reservation_failed_slot", ar, reason="slot_invalid_or_unavailable", slot=to_display(slot),
                 slots=", ".join(to_display(s) for s in free_anywhere) or "None available")


async def _attempt(services, wa_id, customer_name, date_str, time_slot, reservation_type, hijri,
                   max_reservations, ar, source, resource) -> dict[str, Any]:
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
        roster = await load_roster(services, conn)
        wanted = candidates(roster, resource, kind, ar)
        # The slot length of the requested day decides "already over": with "any" resource, the longest of
        # the candidates' (a slot still running for one of them may be offered); _fitting then keeps those
        # for which it is not over.
        day, slot = check_date_time(date_str, time_slot, hijri=hijri, now=now, ar=ar,
                                    duration=max(_duration_for(date_str, hijri, now, settings, r) for r in wanted))
        cap = limits(settings.get("slot_capacity_settings"), role, kind, max_reservations)
        if cap.type_disabled:
            raise refuse("slot_fully_booked", ar, reason="type_capacity_reached")
        fitting = await _fitting(services, conn, wanted, day, slot, cap, settings, now, ar)
        existing = await _earliest_upcoming(conn, wa_id, settings, now, roster) if role == "agent" else None
    if existing is not None:
        from actors.reservation.ops_modify import modify_reservation

        # The one-upcoming rule moves the customer's booking; it stays with its resource when that one fits.
        keep = next((r.id for r, _ in fitting if r.id == existing["resource_id"]), fitting[0][0].id)
        return await modify_reservation(
            services, wa_id, new_date=day.isoformat(), new_time_slot=slot.strftime("%H:%M"), new_name=name,
            new_type=kind, max_reservations=max_reservations, ar=ar, reservation_id_to_modify=existing["id"],
            source=source, resource=keep if roster.several else None)
    outcome, chosen = None, None
    for chosen, own in fitting:
        outcome = await day_ref(services, day, chosen.id).ask(
            BookSlot(wa_id, name, day, slot, kind, own.total, own.per_type, chosen.id))
        if outcome.status in ("created", "reinstated", "vacation"):
            break  # a clinic vacation closes every resource: no other to try
    if outcome.status == "vacation":
        raise await vacation_refusal(services, day)
    if outcome.status == "resource_off":
        raise refuse("resource_day_off", ar, reason="resource_day_off", resource=chosen.name(ar))
    if outcome.status in ("full", "type_full"):
        raise refuse("slot_fully_booked", ar, reason="slot_fully_booked")
    label = roster.label(chosen.id, ar)
    event = "reservation_reinstated" if outcome.status == "reinstated" else "reservation_created"
    await publish(services, event, {**event_data(outcome.reservation_id, wa_id, day, slot, kind, name, source),
                                    **roster.label(chosen.id)}, [wa_id])
    message = context.text("reservation_successful", ar)
    if label:
        message = f"{message} ({label['resource']})"
    return context.envelope(True, message, {**booking_data(outcome.reservation_id, day, slot, kind), **label})


def _duration_for(date_str, hijri, now, settings, resource=None):
    from actors.reservation.parsing import parse_date

    try:
        return slot_day_duration(parse_date(date_str, now.date(), hijri), settings, resource)
    except ValueError:
        return slot_day_duration(now.date(), settings, resource)


async def _earliest_upcoming(conn, wa_id: str, settings, now, roster=None):
    rows = await conn.fetch(QUERIES.reservation_active_of_customer_since, wa_id,
                            now.date().fromordinal(now.date().toordinal() - 1))
    return next((r for r in rows if upcoming(r, settings, now, roster)), None)
