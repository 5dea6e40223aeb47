"""Cancel (spec 20 §9.3) and undo-cancel (§9.4), with the quirk fixes: cancel-all cancels only
upcoming bookings and announces each id; messages are formatted; bad dates say so."""
from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from actors.reservation import context, metrics, phone
from actors.reservation.actor import day_ref
from actors.reservation.capacity import limits
from actors.reservation.messages import CancelBookings, ReinstateBooking
from actors.reservation.parsing import hijri_string, parse_date, to_display, to_hhmm
from actors.reservation.records import upcoming
from actors.reservation.resources import resource_limits
from actors.reservation.roster import load_roster
from actors.reservation.slots import Refusal, open_day, refuse, vacation_refusal
from runtime.db import QUERIES
from runtime.events import publish

if TYPE_CHECKING:
    from runtime.services import Services


async def cancel_reservation(services: "Services", wa_id: Any, date_str: Any = None, hijri: bool = False,
                             ar: bool = False, reservation_id_to_cancel: Any = None,
                             source: str = "assistant") -> dict[str, Any]:
    metrics.CANCEL_REQUESTED.inc({})
    try:
        result = await _cancel(services, wa_id, date_str, hijri, ar, reservation_id_to_cancel, source)
    except Exception as exc:
        metrics.CANCEL_FAILED.inc({})
        metrics.by_reason(metrics.CANCEL_FAILED_BY_REASON, type(exc).__name__)
        raise
    if result.get("success"):
        metrics.CANCEL_SUCCESSFUL.inc({})
    return result


@context.guarded("cancel_reservation")
async def _cancel(services, wa_id, date_str, hijri, ar, reservation_id, source) -> dict[str, Any]:
    try:
        return await _attempt(services, phone.canonical(wa_id), date_str, hijri, ar, reservation_id, source)
    except Refusal as refusal:
        metrics.by_reason(metrics.CANCEL_FAILED_BY_REASON, refusal.reason)
        return refusal.result


async def _cancel_rows(services, rows, source: str, roster) -> list[int]:
    """Cancel through each (resource, day)'s actor; one event per cancelled booking."""
    by_day: dict = defaultdict(list)
    for row in rows:
        by_day[(row["slot_date"], row["resource_id"])].append(row["id"])
    cancelled: list[int] = []
    # a freed place is offered to the day's waitlist (patients waiting for its resource or any) while the
    # resource's slot has room for the assistant's bookings
    agent = limits((await context.app_settings(services)).get("slot_capacity_settings"), "agent")
    for day, resource_id in sorted(by_day):
        offer = resource_limits(agent, roster.by_id(resource_id)).total
        outcome = await day_ref(services, day, resource_id).ask(CancelBookings(tuple(by_day[(day, resource_id)]),
                                                                               offer))
        for done in outcome.rows:
            cancelled.append(done["id"])
            await publish(services, "reservation_cancelled", {
                "id": done["id"], "wa_id": done["wa_id"], "date": done["slot_date"].isoformat(),
                "time_slot": to_hhmm(done["slot_time"]), "_source": source,
                **roster.label(done["resource_id"])}, [done["wa_id"]])
    return cancelled


async def _attempt(services, wa_id, date_str, hijri, ar, reservation_id, source) -> dict[str, Any]:
    problem = phone.validation_error(wa_id, ar)
    if problem:
        raise Refusal(context.envelope(False, problem), "invalid_wa_id")
    now = context.now(services)
    settings = await context.app_settings(services)
    roster = await load_roster(services)
    if reservation_id is not None and reservation_id != "":
        return await _by_id(services, wa_id, reservation_id, settings, now, ar, source, roster)
    async with services.require_pool().acquire() as conn:
        if date_str:
            try:
                day = parse_date(date_str, now.date(), hijri)
            except ValueError as exc:
                raise refuse("invalid_date_format", ar, error=str(exc)) from None
            rows = await conn.fetch(QUERIES.reservation_active_of_customer_on, wa_id, day)
            if not rows:
                raise refuse("no_reservation_on_date", ar, date=day.isoformat())
            rows = [r for r in rows if upcoming(r, settings, now, roster)]
            if not rows:
                raise refuse("no_future_reservations_on_date", ar, date=day.isoformat())
        else:
            day = None
            rows = [r for r in await conn.fetch(QUERIES.reservation_active_of_customer, wa_id)
                    if upcoming(r, settings, now, roster)]
            if not rows:
                raise refuse("no_future_reservations_to_cancel", ar, reason="no_future_reservations")
    cancelled = await _cancel_rows(services, rows, source, roster)
    if not cancelled:
        if day is not None:
            raise refuse("cancellation_failed_date", ar, date=day.isoformat())
        raise refuse("no_reservations_to_cancel", ar)
    return context.envelope(True, context.text("reservations_cancelled_successfully", ar, count=len(cancelled)),
                            {"cancelled_ids": cancelled})


async def _by_id(services, wa_id, reservation_id, settings, now, ar, source, roster) -> dict[str, Any]:
    key = context.reservation_key(reservation_id)
    if key is None:
        raise refuse("reservation_not_found_id", ar, reason="reservation_not_found", id=reservation_id)
    async with services.require_pool().acquire() as conn:
        row = await conn.fetchrow(QUERIES.reservation_by_id, key)
    if row is None or row["wa_id"] != wa_id:
        raise refuse("reservation_not_found_id", ar, reason="reservation_not_found", id=reservation_id)
    if row["status"] == "cancelled":
        return context.envelope(True, context.text("reservation_already_cancelled", ar, id=key),
                                {"cancelled_ids": [key]})
    if not upcoming(row, settings, now, roster):
        raise refuse("cannot_cancel_past_reservation", ar, reason="cannot_cancel_past", id=key)
    if not await _cancel_rows(services, [row], source, roster):
        raise refuse("cancellation_failed_specific", ar, reason="db_update_failed", id=key)
    return context.envelope(True, context.text("reservations_cancelled_successfully", ar, count=1),
                            {"cancelled_ids": [key]})


@context.guarded("undo_cancel_reservation_by_id")
async def undo_cancel_reservation_by_id(services: "Services", reservation_id: Any, ar: bool = False,
                                        max_reservations: Any = None, source: str = "undo") -> dict[str, Any]:
    try:
        return await _reinstate(services, reservation_id, ar, max_reservations, source)
    except Refusal as refusal:
        return refusal.result


async def _reinstate(services, reservation_id, ar, max_reservations, source) -> dict[str, Any]:
    key = context.reservation_key(reservation_id)
    if key is None:
        raise refuse("reservation_not_found_id", ar, id=reservation_id)
    async with services.require_pool().acquire() as conn:
        row = await conn.fetchrow(QUERIES.reservation_by_id, key)
    if row is None:
        raise refuse("reservation_not_found_id", ar, id=reservation_id)
    if row["status"] == "active":
        return context.envelope(True, context.text("reservation_already_active", ar, id=key), {"reservation_id": key})
    now = context.now(services)
    settings = await context.app_settings(services)
    periods = await context.vacation_periods(services)
    roster = await load_roster(services)
    resource = roster.by_id(row["resource_id"])
    opened = open_day(row["slot_date"], settings, periods, now, context.vacation_base(services), ar, resource)
    if row["slot_time"] not in opened.starts:
        raise refuse("reservation_failed_slot", ar, slot=to_display(row["slot_time"]),
                     slots=", ".join(to_display(s) for s in opened.starts) or "None available")
    cap = resource_limits(limits(settings.get("slot_capacity_settings"), "secretary", row["type"], max_reservations),
                          resource)
    if cap.type_disabled:
        raise refuse("slot_fully_booked", ar)
    outcome = await day_ref(services, row["slot_date"], row["resource_id"]).ask(
        ReinstateBooking(key, row["type"], cap.total, cap.per_type))
    if outcome.status == "vacation":
        raise await vacation_refusal(services, row["slot_date"])
    if outcome.status == "resource_off":
        raise refuse("resource_day_off", ar, reason="resource_day_off", resource=resource.name(ar))
    if outcome.status in ("full", "type_full"):
        raise refuse("slot_fully_booked", ar)
    if outcome.status != "reinstated":
        raise refuse("reservation_reinstate_failed", ar, id=key)
    await publish(services, "reservation_reinstated", {
        "id": key, "wa_id": row["wa_id"], "date": row["slot_date"].isoformat(), "time_slot": to_hhmm(row["slot_time"]),
        "type": row["type"], "customer_name": row["customer_name"], "_source": source,
        **roster.label(resource.id)}, [row["wa_id"]])
    return context.envelope(True, context.text("reservation_reinstated", ar, id=key), {
        "reservation_id": key, "gregorian_date": row["slot_date"].isoformat(),
        "hijri_date": hijri_string(row["slot_date"]), "time_slot": to_display(row["slot_time"]),
        "type": row["type"], "customer_name": row["customer_name"], "status": "active",
        **roster.label(resource.id, ar)})
