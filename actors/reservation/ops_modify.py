"""Modify (spec 20 §9.2), fixed per quirk 21: everything is validated first, then the name, date, time
and type are written in one transaction under the locks of the source and target (resource, day) pairs.
`resource` (issue 24) moves the booking to another resource (id or name)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from actors.customers.profile import clean_name
from actors.reservation import context, metrics, phone
from actors.reservation.actor import day_ref
from actors.reservation.capacity import limits, role_for_source
from actors.reservation.messages import MoveBooking
from actors.reservation.parsing import hijri_string, parse_date, parse_time, to_display, to_hhmm
from actors.reservation.records import snapshot, upcoming
from actors.reservation.resources import is_any, resource_limits
from actors.reservation.roster import candidates, load_roster
from actors.reservation.slots import Refusal, check_date_time, open_day, refuse, slot_day_duration, vacation_refusal
from runtime.db import QUERIES
from runtime.events import publish

if TYPE_CHECKING:
    from runtime.services import Services

# The refusals of a `resource` that cannot take the booking (unknown or switched off, or not taking its type);
# the REST routes answer them with 422 (a bad request, unlike a full slot).
RESOURCE_REFUSALS = frozenset({"resource_not_found", "resource_type_not_taken"})


async def modify_reservation(services: "Services", wa_id: Any, new_date: Any = None, new_time_slot: Any = None,
                             new_name: Any = None, new_type: Any = None, max_reservations: Any = None,
                             approximate: bool = False, hijri: bool = False, ar: bool = False,
                             reservation_id_to_modify: Any = None, source: str = "assistant",
                             resource: Any = None) -> dict[str, Any]:
    metrics.MODIFY_REQUESTED.inc({})
    try:
        result = await _modify(services, wa_id, new_date, new_time_slot, new_name, new_type, max_reservations,
                               approximate, hijri, ar, reservation_id_to_modify, source, resource)
    except Exception as exc:
        metrics.MODIFY_FAILED.inc({})
        metrics.by_reason(metrics.MODIFY_FAILED_BY_REASON, type(exc).__name__)
        raise
    if result.get("success"):
        metrics.MODIFY_SUCCESSFUL.inc({})
    return result


@context.guarded("modify_reservation")
async def _modify(services, wa_id, new_date, new_time_slot, new_name, new_type, max_reservations, approximate,
                  hijri, ar, reservation_id, source, resource) -> dict[str, Any]:
    try:
        return await _attempt(services, phone.canonical(wa_id), new_date, new_time_slot, new_name, new_type,
                              max_reservations, approximate, hijri, ar, reservation_id, source, resource)
    except Refusal as refusal:
        metrics.by_reason(metrics.MODIFY_FAILED_BY_REASON, refusal.reason)
        if refusal.reason in RESOURCE_REFUSALS:  # only a call naming a resource gets these: `reason` is additive
            return {**refusal.result, "reason": refusal.reason}
        return refusal.result


async def _target(services, wa_id: str, reservation_id: Any, settings, now, ar: bool, roster):
    async with services.require_pool().acquire() as conn:
        if reservation_id is not None and reservation_id != "":
            key = context.reservation_key(reservation_id)
            row = None if key is None else await conn.fetchrow(QUERIES.reservation_by_id, key)
            if row is None or row["wa_id"] != wa_id:
                raise refuse("reservation_not_found_id", ar, reason="reservation_not_found", id=reservation_id)
            return row
        rows = await conn.fetch(QUERIES.reservation_active_of_customer_since, wa_id,
                                now.date().fromordinal(now.date().toordinal() - 1))
    row = next((r for r in rows if upcoming(r, settings, now, roster)), None)
    if row is None:
        raise refuse("no_future_reservations", ar)
    return row


async def _attempt(services, wa_id, new_date, new_time_slot, new_name, new_type, max_reservations, approximate,
                   hijri, ar, reservation_id, source, resource) -> dict[str, Any]:
    problem = phone.validation_error(wa_id, ar)
    if problem:
        raise Refusal(context.envelope(False, problem), "invalid_wa_id")
    if not (new_date or new_time_slot or new_name) and new_type is None and resource is None:
        raise refuse("no_new_details", ar)
    now = context.now(services)
    settings = await context.app_settings(services)
    roster = await load_roster(services)
    row = await _target(services, wa_id, reservation_id, settings, now, ar, roster)
    original = snapshot(row, row["customer_name"])
    name = None
    if new_name and new_name != row["customer_name"]:
        name = clean_name(new_name)
        if not name:
            raise refuse("customer_name_required", ar)
        if name == row["customer_name"]:
            name = None
    kind = row["type"]
    if new_type is not None:
        kind = context.reservation_type(new_type)
        if kind is None:
            raise refuse("invalid_reservation_type", ar)
    target = roster.by_id(row["resource_id"])
    if resource is not None and resource != "" and not is_any(resource) and resource != row["resource_id"]:
        target = candidates(roster, resource, kind, ar)[0]
    day, slot = row["slot_date"], row["slot_time"]
    if new_date or new_time_slot:
        # Only a date the caller typed is read as Hijri; the stored one is Gregorian already.
        date_text = new_date if new_date else row["slot_date"].isoformat()
        use_hijri = bool(hijri and new_date)
        try:
            wanted_day = parse_date(date_text, now.date(), use_hijri)
        except ValueError:
            wanted_day = now.date()
        day, parsed = check_date_time(date_text, new_time_slot or to_hhmm(row["slot_time"]), hijri=use_hijri,
                                      now=now, ar=ar, duration=slot_day_duration(wanted_day, settings, target))
        slot = parsed or slot
    moved = (day, slot, target.id) != (row["slot_date"], row["slot_time"], row["resource_id"])
    type_changed = kind != row["type"]
    if not moved and not type_changed and new_name is None and new_type is None:
        return context.envelope(True, context.text("no_actual_change_made", ar),
                                {"reservation_id": row["id"], "original_data": original})
    cap = resource_limits(limits(settings.get("slot_capacity_settings"), role_for_source(source), kind,
                                 max_reservations), target)
    if moved:
        periods = await context.vacation_periods(services)
        opened = open_day(day, settings, periods, now, context.vacation_base(services), ar, target)
        if slot not in opened.starts:
            raise refuse("reservation_failed_slot", ar, reason="slot_invalid_or_unavailable", slot=to_display(slot),
                         slots=", ".join(to_display(s) for s in opened.starts) or "None available")
    if (moved or type_changed) and cap.type_disabled:
        raise refuse("slot_fully_booked", ar, reason="type_capacity_reached")
    outcome = await day_ref(services, day, target.id).ask(MoveBooking(
        row["id"], wa_id, row["slot_date"], day, slot, kind, cap.total, cap.per_type,
        check_total=moved, check_type=moved or type_changed, new_name=name, from_resource=row["resource_id"],
        to_resource=target.id))
    if outcome.status == "vacation":
        raise await vacation_refusal(services, day)
    if outcome.status == "resource_off":
        raise refuse("resource_day_off", ar, reason="resource_day_off", resource=target.name(ar))
    if outcome.status == "full":
        raise refuse("slot_unavailable_approx_not_impl" if approximate else "slot_fully_booked", ar,
                     reason="slot_unavailable_approx_not_impl" if approximate else "slot_fully_booked")
    if outcome.status == "type_full":
        raise refuse("slot_fully_booked", ar, reason="type_capacity_reached")
    if outcome.status != "moved":
        raise refuse("reservation_not_found_id", ar, reason="db_update_failed", id=row["id"])
    final_name = name or row["customer_name"]
    label = roster.label(target.id, ar)
    data = {"reservation_id": row["id"], "gregorian_date": day.isoformat(), "hijri_date": hijri_string(day),
            "time_slot": to_display(slot), "type": kind, "customer_name": final_name, "original_data": original,
            "status": row["status"], **label}
    await publish(services, "reservation_updated", {
        "id": row["id"], "wa_id": wa_id, "date": day.isoformat(), "time_slot": to_hhmm(slot), "type": kind,
        "customer_name": final_name, "status": row["status"], "original_data": original, "_source": source,
        **roster.label(target.id)}, [wa_id])
    return context.envelope(True, context.text("reservation_modified_successfully", ar), data)


__all__ = ["RESOURCE_REFUSALS", "modify_reservation", "parse_time"]
