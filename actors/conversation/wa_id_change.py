"""Changing a customer's WhatsApp id (spec 30 §3.11, Q11), in one transaction with nothing lost (quirk 9).

`change_customer_wa_id` is the entry point for routes and tools: it normalises both ids the way the
reference does, validates the new one, then asks the old id's ConversationActor to `ChangeWaId`.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from actors.conversation.messages import ChangeWaId
from actors.customers.phone import normalize_wa_id, phone_error
from actors.customers.profile import clean_name
from actors.customers.texts import text
from runtime.db import QUERIES

if TYPE_CHECKING:
    from actors.conversation.actor import ConversationActor
    from runtime.services import Services

SILENT_SOURCES = frozenset({"undo", "frontend"})  # the reference sends no reservation events for these


def _generic_error(services: "Services", detail: str, ar: bool) -> dict[str, Any]:
    if services.config.environment.lower() in {"development", "dev", "debug"}:
        return {"success": False, "message": f"Operation 'modify_customer_wa_id' failed: {detail}"}
    return {"success": False, "message": text("system_error_try_later", ar)}


async def change_customer_wa_id(
    services: "Services",
    old_wa_id: str | None,
    new_wa_id: str | None,
    *,
    customer_name: str | None = None,
    reservation_id: int | None = None,
    source: str = "assistant",
    ar: bool = False,
) -> dict[str, Any]:
    """The whole modify-id operation; answers the reference's envelope (always HTTP 200)."""
    from actors.conversation.actor import ConversationActor

    try:
        old = normalize_wa_id(old_wa_id) if old_wa_id else (old_wa_id or "")
        new = normalize_wa_id(new_wa_id) if new_wa_id else (new_wa_id or "")
    except ValueError as exc:
        return _generic_error(services, str(exc), ar)
    problem = phone_error(new, ar)
    if problem is not None:
        return {"success": False, "message": problem}
    if old == new:  # the reference reported success for this no-op (docs/decisions.md)
        return {"success": False, "message": text("wa_id_same", ar)}
    if not old:
        return {"success": False, "message": text("wa_id_not_found", ar)}
    override = clean_name(customer_name) if isinstance(customer_name, str) and customer_name.strip() else None
    ref = services.actors.ref(ConversationActor, old)
    return await ref.ask(ChangeWaId(new, override, reservation_id, source, ar))


def _reservation_wire(row: Any) -> dict[str, Any]:
    return {"date": row["slot_date"].isoformat(), "time_slot": row["slot_time"].strftime("%H:%M"), "type": row["type"]}


async def apply(actor: "ConversationActor", msg: ChangeWaId) -> dict[str, Any]:
    old, new = actor.key, msg.new_wa_id
    async with actor.pool.acquire() as conn, conn.transaction():
        # Lock both rows in a fixed order so two opposite changes cannot deadlock.
        rows = {w: await conn.fetchrow(QUERIES.customer_lock, w) for w in sorted((old, new))}
        previous, target = rows[old], rows[new]
        if previous is None:
            return {"success": False, "message": text("wa_id_not_found", msg.ar)}
        if target is not None:  # merging would overwrite the other customer's name: refuse, write nothing
            return {"success": False, "message": text("wa_id_taken", msg.ar, wa_id=new)}
        snapshot = await conn.fetch(QUERIES.customer_reservations_snapshot, old)
        old_name = previous["customer_name"]
        name = msg.new_name if msg.new_name is not None else old_name
        await conn.execute(QUERIES.customer_rename_wa_id, old, new, name)
    final_name = name if name is not None else (msg.new_name or old_name)

    if msg.source not in SILENT_SOURCES:
        targeted = [r for r in snapshot if msg.reservation_id is not None and r["id"] == msg.reservation_id] or snapshot
        for row in targeted:
            wire = _reservation_wire(row)
            data = {
                "id": row["id"], "wa_id": new, **wire, "customer_name": final_name,
                "original_data": {"wa_id": old, **wire, "customer_name": old_name},
            }
            await actor.announce("reservation_updated", data, "modify_id")
        await actor.announce(
            "customer_updated", {"wa_id": new, "phone": new, "customer_name": final_name}, "backend"
        )
    else:  # dashboards still learn of the change; the originating dashboard filters its own _source
        await actor.announce(
            "customer_updated", {"wa_id": new, "phone": new, "customer_name": final_name}, msg.source
        )
    return {
        "success": True,
        "message": text("wa_id_modified", msg.ar),
        "data": {"wa_id": new, "customer_name": final_name},
    }
