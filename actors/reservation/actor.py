"""ReservationActor: one per calendar day (key `YYYY-MM-DD`); every write to that day goes through it.

Placement never matters for correctness: each write is one PostgreSQL
transaction that takes `pg_advisory_xact_lock` for every day it touches (lower
date first, so two cross-day moves cannot deadlock) and re-counts the slot
inside the lock. The actor only spares the database the queueing when all
writers of a day live in one process.
"""
from __future__ import annotations

from datetime import date

from actors.reservation.messages import (
    BookSlot,
    CancelBookings,
    ConfirmBooking,
    MoveBooking,
    Outcome,
    ReinstateBooking,
    SettleWaitlistOffer,
    TakeWaitlistPlace,
)
from actors.reservation.waitlist_places import offer_freed_place, settle_offer, take_place
from runtime.actor_system import Actor
from runtime.db import QUERIES

WAITLIST_WAKE_KEY = "waitlist_wake"  # services.extras: a callable that wakes this process's waitlist sweep
LOCK_NAMESPACE = 0x4D415744  # "MAWD": keeps our day keys apart from other advisory locks


def day_lock_key(day: date) -> tuple[int, int]:
    return LOCK_NAMESPACE, day.toordinal()


async def lock_days(conn, *days: date) -> None:
    for day in sorted(set(days)):
        await conn.execute(QUERIES.reservation_lock_day, *day_lock_key(day))


async def closed_for_vacation(conn, day: date) -> bool:
    """Checked inside the write transaction, so a booking cannot slip past a concurrent vacation update."""
    await conn.execute(QUERIES.vacation_lock_shared)
    return bool(await conn.fetchval(QUERIES.vacation_day_closed, day))


class ReservationActor(Actor):
    actor_type = "reservation_day"
    mailbox_size = 5000

    @property
    def pool(self):
        return self.context.require_pool()

    async def on_book_slot(self, msg: BookSlot) -> Outcome:
        async with self.pool.acquire() as conn, conn.transaction():
            await lock_days(conn, msg.slot_date)
            if await closed_for_vacation(conn, msg.slot_date):
                return Outcome("vacation")
            counts = await conn.fetchrow(QUERIES.reservation_slot_counts, msg.slot_date, msg.slot_time,
                                         msg.reservation_type, None)
            full = counts["total"] >= msg.total
            type_full = counts["same_type"] >= msg.per_type
            if full or type_full:
                return Outcome("full" if full else "type_full")  # nothing written, not even the customer
            await conn.execute(QUERIES.reservation_customer_ensure, msg.wa_id, msg.customer_name)
            cancelled = await conn.fetchval(QUERIES.reservation_cancelled_in_slot, msg.wa_id, msg.slot_date,
                                            msg.slot_time)
            if cancelled is not None:
                await conn.fetchval(QUERIES.reservation_reactivate, cancelled, msg.reservation_type)
                return Outcome("reinstated", cancelled)
            new_id = await conn.fetchval(QUERIES.reservation_insert, msg.wa_id, msg.slot_date, msg.slot_time,
                                         msg.reservation_type)
            return Outcome("created", new_id)

    async def on_move_booking(self, msg: MoveBooking) -> Outcome:
        async with self.pool.acquire() as conn, conn.transaction():
            await lock_days(conn, msg.from_date, msg.to_date)
            current = await conn.fetchrow(QUERIES.reservation_by_id, msg.reservation_id)
            if current is None or current["wa_id"] != msg.wa_id or current["slot_date"] != msg.from_date:
                return Outcome("missing", msg.reservation_id)  # changed under us: the caller reports it
            if msg.to_date != msg.from_date and await closed_for_vacation(conn, msg.to_date):
                return Outcome("vacation")
            if msg.check_total or msg.check_type:
                counts = await conn.fetchrow(QUERIES.reservation_slot_counts, msg.to_date, msg.to_time,
                                             msg.reservation_type, msg.reservation_id)
                if msg.check_total and counts["total"] >= msg.total:
                    return Outcome("full")
                if msg.check_type and counts["same_type"] >= msg.per_type:
                    return Outcome("type_full")
            if msg.new_name is not None:
                await conn.fetchval(QUERIES.reservation_customer_rename, msg.wa_id, msg.new_name)
            moved = await conn.fetchval(QUERIES.reservation_move, msg.reservation_id, msg.to_date, msg.to_time,
                                        msg.reservation_type)
            return Outcome("moved" if moved is not None else "missing", msg.reservation_id)

    async def on_cancel_bookings(self, msg: CancelBookings) -> Outcome:
        async with self.pool.acquire() as conn, conn.transaction():
            await lock_days(conn, date.fromisoformat(self.key))
            rows = await conn.fetch(QUERIES.reservation_cancel_ids, list(msg.reservation_ids))
            # Each freed place goes to the waitlist in this same transaction: a crash cannot lose it.
            offers = [await offer_freed_place(conn, row["id"], row["slot_date"], row["slot_time"], msg.offer_total,
                                              self.context.config.waitlist_hold_seconds)
                      for row in rows] if msg.offer_total else []
        if any(offers):
            wake = self.context.extras.get(WAITLIST_WAKE_KEY)
            if wake is not None:
                wake()  # send it now; the sweep of any process would send it otherwise
        return Outcome("cancelled" if rows else "not_cancelled", rows=tuple(dict(r) for r in rows))

    async def on_confirm_booking(self, msg: ConfirmBooking) -> Outcome:
        async with self.pool.acquire() as conn, conn.transaction():
            await lock_days(conn, date.fromisoformat(self.key))  # not confirmed while being moved or cancelled
            row = await conn.fetchrow(QUERIES.reservation_confirm, msg.reservation_id, date.fromisoformat(self.key))
        return Outcome("confirmed", msg.reservation_id, (dict(row),)) if row else Outcome("missing", msg.reservation_id)

    async def on_take_waitlist_place(self, msg: TakeWaitlistPlace) -> Outcome:
        async with self.pool.acquire() as conn, conn.transaction():
            day = date.fromisoformat(self.key)
            await lock_days(conn, day)
            return await take_place(conn, msg, day, await closed_for_vacation(conn, day))

    async def on_settle_waitlist_offer(self, msg: SettleWaitlistOffer) -> Outcome:
        async with self.pool.acquire() as conn, conn.transaction():
            await lock_days(conn, date.fromisoformat(self.key))
            return await settle_offer(conn, msg, self.context.config.waitlist_hold_seconds)

    async def on_reinstate_booking(self, msg: ReinstateBooking) -> Outcome:
        async with self.pool.acquire() as conn, conn.transaction():
            day = date.fromisoformat(self.key)
            await lock_days(conn, day)
            row = await conn.fetchrow(QUERIES.reservation_by_id, msg.reservation_id)
            if row is None or row["status"] != "cancelled" or row["slot_date"] != day:
                return Outcome("not_cancelled", msg.reservation_id)
            if await closed_for_vacation(conn, day):
                return Outcome("vacation")
            counts = await conn.fetchrow(QUERIES.reservation_slot_counts, day, row["slot_time"],
                                         msg.reservation_type, msg.reservation_id)
            if counts["total"] >= msg.total:
                return Outcome("full")
            if counts["same_type"] >= msg.per_type:
                return Outcome("type_full")
            done = await conn.fetchval(QUERIES.reservation_reactivate, msg.reservation_id, None)
            return Outcome("reinstated" if done is not None else "not_cancelled", msg.reservation_id)


def day_ref(services, day: date):
    return services.actors.ref(ReservationActor, day.isoformat())
