"""The waitlist: patients join a full day; a freed place is offered to the first of them and held.

The offer itself is written by the day's actor (`actors.reservation.waitlist_places`) in the
transaction that frees the place or ends the previous offer, so it survives any crash; this
module sends offers (interactive buttons, or the configured template outside the 24-hour
window), answers the patient's tap, and sweeps: each process periodically sends the open offers
not yet sent and settles the ones whose hold ran out, which offers the place to the next patient.
"""
from __future__ import annotations

import logging
from datetime import date, time
from typing import TYPE_CHECKING, Any

from actors.reservation.actor import WAITLIST_WAKE_KEY, day_ref
from actors.reservation.messages import SettleWaitlistOffer, TakeWaitlistPlace
from actors.reservation.parsing import to_display
from actors.reservation.records import event_data
from actors.reservation.roster import load_roster
from actors.waitlist.days import agent_total
from actors.waitlist.texts import say
from actors.whatsapp.interactive import button_message
from actors.whatsapp.outbound import send_interactive
from runtime.db import QUERIES
from runtime.events import publish

if TYPE_CHECKING:
    from runtime.services import Services

log = logging.getLogger("mawid.waitlist")

CHOICE_PREFIX = "wait:"
SOURCE = "waitlist"


def choice_id(action: str, ident: Any) -> str:
    return f"{CHOICE_PREFIX}{action}:{ident}"


def parse_choice(ident: str) -> tuple[str, str] | None:
    """(action, argument) of a waitlist tap: accept/decline an offer id, join a date."""
    parts = ident.split(":", 2)
    if len(parts) != 3 or f"{parts[0]}:" != CHOICE_PREFIX or parts[1] not in ("accept", "decline", "join"):
        return None
    return parts[1], parts[2]


async def join(services: "Services", wa_id: str, day: date, slot: time | None = None,
               source: str = "assistant", reservation_type: int = 0, resource_id: int | None = None) -> dict[str, Any]:
    """Wait for the day (and slot) for a visit of `reservation_type`, which an accepted offer books, with
    `resource_id` (None: any resource)."""
    async with services.require_pool().acquire() as conn, conn.transaction():
        await conn.execute(QUERIES.whatsapp_ensure_customer, wa_id, None)
        row = await conn.fetchrow(QUERIES.waitlist_join, wa_id, day, slot, source, reservation_type, resource_id)
    return {"id": row["id"], "created": row["created"]}


async def _language(services: "Services", wa_id: str) -> str:
    state = await services.require_pool().fetchval(QUERIES.assistant_state_get, wa_id)
    return (state or {}).get("lang") or "en"


async def _resource_name(services: "Services", resource_id: int, lang: str) -> str | None:
    """The resource to name to the patient: only once the clinic has several (one-resource texts are unchanged)."""
    roster = await load_roster(services)
    found = roster.by_id(resource_id) if roster.several else None
    return found.name(lang == "ar") if found else None


def _offer_message(offer: dict[str, Any], lang: str, minutes: int,
                   resource: str | None = None) -> tuple[str, dict[str, Any], dict[str, Any]]:
    day, clock = offer["slot_date"].isoformat(), to_display(offer["slot_time"])
    body = (say("offer_with", lang, date=day, time=clock, minutes=minutes, resource=resource) if resource
            else say("offer", lang, date=day, time=clock, minutes=minutes))
    buttons = [(choice_id("accept", offer["id"]), say("accept", lang)),
               (choice_id("decline", offer["id"]), say("decline", lang))]
    template = {"name": "", "language": "ar" if lang == "ar" else "en_US", "components": [
        {"type": "body", "parameters": [{"type": "text", "text": day}, {"type": "text", "text": clock}]},
        *({"type": "button", "sub_type": "quick_reply", "index": str(i),
           "parameters": [{"type": "payload", "payload": ident}]} for i, (ident, _) in enumerate(buttons))]}
    return body, button_message(body, buttons), template


async def send_offer(services: "Services", offer_id: int) -> bool:
    """Send one open offer once, whichever process gets to it first; answers whether this call sent it."""
    pool = services.require_pool()
    async with pool.acquire() as conn, conn.transaction():
        offer = await conn.fetchrow(QUERIES.waitlist_offer_claim_send, offer_id)  # row lock until marked sent
        if offer is None:
            return False
        offer = await conn.fetchrow(QUERIES.waitlist_offer_for_send, offer_id)
        lang = await _language(services, offer["wa_id"])
        minutes = max(1, round(services.config.waitlist_hold_seconds / 60))
        resource = await _resource_name(services, offer["resource_id"], lang)
        body, interactive, template = _offer_message(dict(offer), lang, minutes, resource)
        template["name"] = services.config.waitlist_offer_template
        result = await send_interactive(services, offer["wa_id"], interactive, source=SOURCE, template=template,
                                        idempotency_key=f"waitlist:offer:{offer_id}")
        if not result.ok:
            log.warning("waitlist offer %s not sent: %s", offer_id, result.body, extra={"wa_id": offer["wa_id"]})
            return False
        await conn.execute(QUERIES.waitlist_offer_mark_sent, offer_id)
        await conn.execute(QUERIES.whatsapp_ensure_customer, offer["wa_id"], None)
        local = await conn.fetchrow(QUERIES.waitlist_local_now, services.config.timezone)
        await conn.execute(QUERIES.whatsapp_conversation_insert, offer["wa_id"], "assistant", body, local["day"],
                           local["clock"])
    await publish(services, "conversation_new_message", {
        "wa_id": offer["wa_id"], "role": "assistant", "message": body, "date": local["day"].isoformat(),
        "time": local["clock"].strftime("%H:%M:%S"), "_source": SOURCE}, [offer["wa_id"]])
    return True


async def sweep(services: "Services") -> dict[str, int]:
    """Settle offers past their hold (the next patient gets the place), then send every unsent open offer."""
    pool = services.require_pool()
    expired = 0
    for row in await pool.fetch(QUERIES.waitlist_offers_past_hold):
        total = await agent_total(services, row["resource_id"])
        outcome = await day_ref(services, row["slot_date"], row["resource_id"]).ask(
            SettleWaitlistOffer("expire", row["id"], total))
        expired += outcome.status == "settled"
    sent = 0
    for row in await pool.fetch(QUERIES.waitlist_offers_unsent):
        sent += await send_offer(services, row["id"])
    return {"expired": expired, "sent": sent}


def wake(services: "Services") -> None:
    waker = services.extras.get(WAITLIST_WAKE_KEY)
    if waker is not None:
        waker()


async def accept(services: "Services", wa_id: str, offer_id: int, lang: str) -> str:
    pool = services.require_pool()
    offer = await pool.fetchrow(QUERIES.waitlist_offer_get, offer_id, wa_id)
    if offer is None:
        return say("gone", lang)
    name = await pool.fetchval(QUERIES.whatsapp_customer_name, wa_id)
    resource_id = offer["resource_id"]
    outcome = await day_ref(services, offer["slot_date"], resource_id).ask(
        TakeWaitlistPlace(offer_id, wa_id, name, offer["reservation_type"], await agent_total(services, resource_id)))
    if outcome.status == "created":
        await publish(services, "reservation_created", {**event_data(
            outcome.reservation_id, wa_id, offer["slot_date"], offer["slot_time"], offer["reservation_type"], name,
            "assistant"), **(await load_roster(services)).label(resource_id)}, [wa_id])
        when = {"date": offer["slot_date"].isoformat(), "time": to_display(offer["slot_time"])}
        resource = await _resource_name(services, resource_id, lang)
        return say("booked_with", lang, resource=resource, **when) if resource else say("booked", lang, **when)
    if outcome.status == "expired":
        wake(services)  # settle it now: the next patient need not wait for the sweep
        return say("expired", lang)
    return say("taken" if outcome.status in ("full", "vacation") else "gone", lang)


async def decline(services: "Services", wa_id: str, offer_id: int, lang: str) -> str:
    offer = await services.require_pool().fetchrow(QUERIES.waitlist_offer_get, offer_id, wa_id)
    if offer is None:
        return say("gone", lang)
    outcome = await day_ref(services, offer["slot_date"], offer["resource_id"]).ask(
        SettleWaitlistOffer("decline", offer_id, await agent_total(services, offer["resource_id"]), wa_id))
    if outcome.status != "settled":
        return say("expired" if offer["status"] == "expired" or not offer["live"] else "gone", lang)
    if outcome.rows:
        wake(services)
    return say("declined", lang)


async def remove_entry(services: "Services", entry_id: int) -> bool:
    entry = await services.require_pool().fetchrow(QUERIES.waitlist_entry_get, entry_id)
    if entry is None:
        return False
    resource_id = entry["offer_resource_id"]  # its open offer's place is offered on by that (resource, day)
    outcome = await day_ref(services, entry["slot_date"], resource_id).ask(
        SettleWaitlistOffer("remove", entry_id, await agent_total(services, resource_id)))
    if outcome.rows:
        wake(services)
    return outcome.status == "removed"
