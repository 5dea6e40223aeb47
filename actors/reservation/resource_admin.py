"""Admins' writes to resources: create and update (a resource is switched off, never deleted, so no booking
ever loses its resource). Each write is one transaction under the vacation lock (a resource's vacations and
active flag close days, like the clinic's vacations), then announced as `resource_created`/`resource_updated`."""
from __future__ import annotations

from datetime import date, time
from typing import TYPE_CHECKING, Any

from actors.reservation.resources import DEFAULT_RESOURCE_ID, wire
from actors.reservation.roster import DEFAULT_NAME_AR, DEFAULT_NAME_EN, load_roster
from runtime.db import QUERIES
from runtime.events import publish

if TYPE_CHECKING:
    from runtime.services import Services

def _time(value: str | None) -> time | None:
    if value is None:
        return None
    hour, minute = value.split(":")
    return time(int(hour), int(minute))


def _row_args(doc: dict[str, Any]) -> list[Any]:
    hours = doc.get("working_hours") or {}
    return [doc["name_ar"], doc["name_en"], doc["active"], doc["position"], doc.get("reservation_types"),
            doc.get("working_days"), _time(hours.get("start_time")), _time(hours.get("end_time")),
            doc.get("day_specific_hours") or [], doc.get("slot_duration_minutes"), doc.get("capacity")]


async def _write_vacations(conn, resource_id: int, vacations: list[dict[str, Any]]) -> None:
    await conn.execute(QUERIES.resources_vacations_clear, resource_id)
    if vacations:
        await conn.execute(QUERIES.resources_vacations_insert, resource_id,
                           [date.fromisoformat(v["start"]) for v in vacations],
                           [date.fromisoformat(v["end"]) for v in vacations], [v.get("title") for v in vacations])


async def _announce(services: "Services", event_type: str, resource_id: int, source: str) -> dict[str, Any]:
    resource = (await load_roster(services)).by_id(resource_id)
    shaped = wire(resource)
    await publish(services, event_type, {"resource": shaped, "_source": source})
    return shaped


async def create_resource(services: "Services", doc: dict[str, Any], source: str = "frontend") -> dict[str, Any]:
    """`doc`: a validated resource document (handlers.resources.ResourceBody)."""
    async with services.require_pool().acquire() as conn, conn.transaction():
        await conn.execute(QUERIES.vacation_lock)
        await _ensure_default(conn)
        new_id = await conn.fetchval(QUERIES.resources_insert, *_row_args(doc))
        await _write_vacations(conn, new_id, doc.get("vacations") or [])
    return await _announce(services, "resource_created", new_id, source)


async def update_resource(services: "Services", resource_id: int, changes: dict[str, Any],
                          merge: "Any", source: str = "frontend") -> dict[str, Any] | None:
    """Apply `changes` (fields to replace) to the stored resource; `merge(current_wire, changes)` validates
    the merged document (raising the caller's validation error). None when there is no such resource."""
    async with services.require_pool().acquire() as conn, conn.transaction():
        await conn.execute(QUERIES.vacation_lock)
        if resource_id == DEFAULT_RESOURCE_ID:
            await _ensure_default(conn)
        current = (await load_roster(services, conn)).by_id(resource_id)
        if current is None:
            return None
        doc = merge(wire(current), changes)
        await conn.fetchval(QUERIES.resources_update, resource_id, *_row_args(doc))
        if "vacations" in changes:
            await _write_vacations(conn, resource_id, doc.get("vacations") or [])
    return await _announce(services, "resource_updated", resource_id, source)


async def _ensure_default(conn) -> None:
    """The default resource's row, should the table have been emptied (its bookings point at id 1)."""
    await conn.execute(QUERIES.resources_insert_default, DEFAULT_RESOURCE_ID, DEFAULT_NAME_AR, DEFAULT_NAME_EN)
