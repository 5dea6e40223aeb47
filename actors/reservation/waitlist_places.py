"""The (resource, day) actor's part of the waitlist: offering a freed place, and booking it for the patient it is
held for.

Both run inside that (resource, day)'s transaction, under its advisory lock, so a place is offered only while
it has room and a held place is booked at most once. A place freed on a resource is offered to patients waiting
for that resource or for any (whose visit type it takes), held on that resource, and booked there. The offer
rows and their sending live in `actors.waitlist`; the hold itself is counted by `reservation_slot_counts`.
"""
from __future__ import annotations

from datetime import date, time
from typing import TYPE_CHECKING, Any

from actors.reservation.messages import Outcome, SettleWaitlistOffer, TakeWaitlistPlace
from runtime.db import QUERIES

if TYPE_CHECKING:
    import asyncpg


async def offer_freed_place(conn: "asyncpg.Connection", freed_id: int, day: date, slot: time, total: int,
                            hold_seconds: float, resource_id: int) -> dict[str, Any] | None:
    """Offer the place to the next waiting patient if the resource's slot (holds included) has room; the offer
    made."""
    counts = await conn.fetchrow(QUERIES.reservation_slot_counts, day, slot, None, None, resource_id)
    if counts["total"] >= total:
        return None
    row = await conn.fetchrow(QUERIES.waitlist_offer_next, freed_id, day, slot, hold_seconds, resource_id)
    return dict(row) if row else None


async def take_place(conn: "asyncpg.Connection", msg: TakeWaitlistPlace, day: date, resource_id: int,
                     closed: bool) -> Outcome:
    """Book the held place for its patient, on the resource it was freed on: the offer must be theirs, open and
    within its hold."""
    offer = await conn.fetchrow(QUERIES.waitlist_offer_lock, msg.offer_id)
    if offer is None or offer["wa_id"] != msg.wa_id or offer["slot_date"] != day or offer["resource_id"] != resource_id:
        return Outcome("missing", msg.offer_id)
    if offer["status"] != "open":
        return Outcome(offer["status"], msg.offer_id)
    if not offer["live"]:
        return Outcome("expired", msg.offer_id)  # the sweep will mark it and move on
    counts = await conn.fetchrow(QUERIES.reservation_slot_counts, day, offer["slot_time"], msg.reservation_type, None,
                                 resource_id)
    if closed or counts["total"] - 1 >= msg.total:  # its own hold is in the count
        await conn.execute(QUERIES.waitlist_offer_withdraw, msg.offer_id)
        return Outcome("vacation" if closed else "full", msg.offer_id)
    await conn.execute(QUERIES.reservation_customer_ensure, msg.wa_id, msg.customer_name)
    new_id = await conn.fetchval(QUERIES.reservation_insert_for_resource, msg.wa_id, day, offer["slot_time"],
                                 msg.reservation_type, resource_id)
    await conn.execute(QUERIES.waitlist_offer_accept, msg.offer_id, new_id)
    await conn.execute(QUERIES.waitlist_entry_booked, offer["entry_id"])
    return Outcome("created", new_id, ({"slot_time": offer["slot_time"]},))


async def settle_offer(conn: "asyncpg.Connection", msg: SettleWaitlistOffer, hold_seconds: float) -> Outcome:
    """Expire, decline or withdraw an offer, then offer its place on; `rows` holds the next offer made."""
    if msg.action == "expire":
        ended = await conn.fetch(QUERIES.waitlist_offer_expire, msg.ident)
    elif msg.action == "decline":
        ended = await conn.fetch(QUERIES.waitlist_offer_decline, msg.ident, msg.wa_id)
    else:
        if await conn.fetchval(QUERIES.waitlist_entry_remove, msg.ident) is None:
            return Outcome("missing", msg.ident)
        ended = await conn.fetch(QUERIES.waitlist_entry_withdraw_offers, msg.ident)
    made = []
    for row in ended:
        offer = await offer_freed_place(conn, row["freed_reservation_id"], row["slot_date"], row["slot_time"],
                                        msg.total, hold_seconds, row["resource_id"])
        if offer is not None:
            made.append(offer)
    if msg.action == "remove":
        return Outcome("removed", msg.ident, tuple(made))
    return Outcome("settled" if ended else "missing", msg.ident, tuple(made))
