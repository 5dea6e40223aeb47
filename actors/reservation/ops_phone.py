"""Change a customer's wa_id (spec 20 §9.6), fixed per quirk 27: all customer columns are kept, both
ids get proper phone messages, and the whole change is one transaction."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from actors.reservation import context, phone
from actors.reservation.parsing import clean_name, to_hhmm
from runtime.db import QUERIES
from runtime.events import publish

if TYPE_CHECKING:
    from runtime.services import Services

_DASHBOARD_SOURCES = {"undo", "frontend"}


@context.guarded("modify_customer_wa_id")
async def modify_customer_wa_id(services: "Services", old_wa_id: Any, new_wa_id: Any, customer_name: Any = None,
                                reservation_id: Any = None, ar: bool = False,
                                source: str = "assistant") -> dict[str, Any]:
    if new_wa_id is None or new_wa_id == "":
        return context.fail("phone_length_error", ar)
    for value in (old_wa_id, new_wa_id):
        try:
            phone.normalize(value)
        except phone.InvalidPhone as exc:
            return context.fail("phone_invalid", ar, error=str(exc))
    old, new = phone.normalize(old_wa_id), phone.normalize(new_wa_id)
    problem = phone.validation_error(new, ar)
    if problem:
        return context.envelope(False, problem)
    if old == new:
        return context.envelope(True, context.text("wa_id_same", ar))
    wanted_name = clean_name(customer_name) if customer_name else ""
    async with services.require_pool().acquire() as conn, conn.transaction():
        customer = await conn.fetchrow(QUERIES.reservation_customer, old)
        if customer is None:
            return context.fail("wa_id_not_found", ar)
        name = wanted_name or customer["customer_name"]
        moved = await conn.fetch(QUERIES.reservation_all_of_customer, old)
        if await conn.fetchrow(QUERIES.reservation_customer, new) is None:
            await conn.execute(QUERIES.reservation_customer_change_wa_id, old, new, name)
        else:
            await conn.execute(QUERIES.reservation_customer_merge_into, old, new, name)
            await conn.execute(QUERIES.reservation_move_customer_rows, old, new)
            await conn.execute(QUERIES.reservation_customer_delete, old)
    if source not in _DASHBOARD_SOURCES:
        chosen = [r for r in moved if r["id"] == reservation_id] or list(moved)
        for row in chosen:
            shape = {"date": row["slot_date"].isoformat(), "time_slot": to_hhmm(row["slot_time"]), "type": row["type"]}
            await publish(services, "reservation_updated", {
                "id": row["id"], "wa_id": new, **shape, "customer_name": name,
                "original_data": {"wa_id": old, **shape, "customer_name": name}, "_source": "modify_id"}, [new])
        await publish(services, "customer_updated",
                      {"wa_id": new, "phone": new, "customer_name": name, "_source": "backend"}, [new])
    return context.envelope(True, context.text("wa_id_modified", ar), {"wa_id": new, "customer_name": name})
