"""ReservationActor: one per (resource, calendar day) (key `<resource id>:YYYY-MM-DD`); every write to that
resource's day goes through it.

Placement never matters for correctness: each write is one PostgreSQL transaction that takes
`pg_advisory_xact_lock` for every (resource, day) it touches, in one fixed order (resource id, then date), so
two cross-day or cross-resource moves cannot deadlock, and re-counts the slot inside the lock. The actor only
spares the database the queueing when all writers of a (resource, day) live in one process.
"""
from __future__ import annotations

from datetime import date

from actors.reservation.messages import (
    BookSlot,
    CancelBookings,
    ConfirmBooking,
    MoveBooking,
    Outcome,
    RecordAttendance,
    ReinstateBooking,
    SettleWaitlistOffer,
    TakeWaitlistPlace,
)
from actors.reservation.resources import DEFAULT_RESOURCE_ID
from actors.reservation.waitlist_places import offer_freed_place, settle_offer, take_place
from runtime.actor_system import Actor
from runtime.db import QUERIES

WAITLIST_WAKE_KEY = "waitlist_wake"  # services.extras: a callable that wakes this process's waitlist sweep
LOCK_NAMESPACE = 0x4D415744  # "MAWD": keeps our day keys apart from other advisory locks


def slot_lock_key(resource_id: int, day: date) -> tuple[int, int]:
    """The default resource keeps the key the whole day had before resources existed."""
    return LOCK_NAMESPACE + resource_id - DEFAULT_RESOURCE_ID, day.toordinal()


def day_lock_key(day: date) -> tuple[int, int]:
    return slot_lock_key(DEFAULT_RESOURCE_ID, day)


async def lock_resource_days(conn, *pairs: tuple[int, date]) -> None:
    for resource_id, day in sorted(set(pairs)):
        await conn.execute(QUERIES.reservation_lock_day, *slot_lock_key(resource_id, day))


async def closed_status(conn, day: date, resource_id: int) -> str | None:
    """Checked inside the write transaction, so a booking cannot slip past a concurrent vacation update
    (clinic or resource: both writers hold the exclusive vacation lock)."""
    await conn.execute(QUERIES.vacation_lock_shared)
    row = await conn.fetchrow(QUERIES.resources_day_closed, day, resource_id)
    if row["clinic"]:
        return "vacation"
    return "resource_off" if row["resource"] else None


def parse_key(key: str) -> tuple[int, date]:
    resource, _, day = key.partition(":")
    return int(resource), date.fromisoformat(day)


class ReservationActor(Actor):
    actor_type = "reservation_day"
    mailbox_size = 5000

    @property
    def pool(self):
        return self.context.require_pool()

    async def on_book_slot(self, msg: BookSlot) -> Outcome:
        resource = msg.resource_id
        async with self.pool.acquire() as conn, conn.transaction():
            await lock_resource_days(conn, (resource, msg.slot_date))
            closed = await closed_status(conn, msg.slot_date, resource)
            if closed:
                return Outcome(closed)
            counts = await conn.fetchrow(QUERIES.reservation_slot_counts, msg.slot_date, msg.slot_time,
                                         msg.reservation_type, None, resource)
            full = counts["total"] >= msg.total
            type_full = counts["same_type"] >= msg.per_type
            if full or type_full:
                return Outcome("full" if full else "type_full")  # nothing written, not even the customer
            await conn.execute(QUERIES.reservation_customer_ensure, msg.wa_id, msg.customer_name)
            cancelled = await conn.fetchval(QUERIES.reservation_cancelled_in_slot, msg.wa_id, msg.slot_date,
                                            msg.slot_time, resource)
            if cancelled is not None:
                await conn.fetchval(QUERIES.reservation_reactivate, cancelled, msg.reservation_type)
                return Outcome("reinstated", cancelled)
            new_id = await conn.fetchval(QUERIES.reservation_insert_for_resource, msg.wa_id, msg.slot_date,
                                         msg.slot_time, msg.reservation_type, resource)
            return Outcome("created", new_id)

    async def on_move_booking(self, msg: MoveBooking) -> Outcome:
        async with self.pool.acquire() as conn, conn.transaction():
            await lock_resource_days(conn, (msg.from_resource, msg.from_date), (msg.to_resource, msg.to_date))
            current = await conn.fetchrow(QUERIES.reservation_by_id, msg.reservation_id)
            if (current is None or current["wa_id"] != msg.wa_id or current["slot_date"] != msg.from_date
                    or current["resource_id"] != msg.from_resource):
                return Outcome("missing", msg.reservation_id)  # changed under us: the caller reports it
            if (msg.to_date, msg.to_resource) != (msg.from_date, msg.from_resource):
                closed = await closed_status(conn, msg.to_date, msg.to_resource)
                if closed:
                    return Outcome(closed)
            if msg.check_total or msg.check_type:
                counts = await conn.fetchrow(QUERIES.reservation_slot_counts, msg.to_date, msg.to_time,
                                             msg.reservation_type, msg.reservation_id, msg.to_resource)
                if msg.check_total and counts["total"] >= msg.total:
                    return Outcome("full")
                if msg.check_type and counts["same_type"] >= msg.per_type:
                    return Outcome("type_full")
            if msg.new_name is not None:
                await conn.fetchval(QUERIES.reservation_customer_rename, msg.wa_id, msg.new_name)
            moved = await conn.fetchval(QUERIES.reservation_move, msg.reservation_id, msg.to_date, msg.to_time,
                                        msg.reservation_type, msg.to_resource)
            return Outcome("moved" if moved is not None else "missing", msg.reservation_id)

    async def on_cancel_bookings(self, msg: CancelBookings) -> Outcome:
        async with self.pool.acquire() as conn, conn.transaction():
            await lock_resource_days(conn, parse_key(self.key))
            rows = await conn.fetch(QUERIES.reservation_cancel_ids, list(msg.reservation_ids))
            # Each freed place goes to the waitlist in this same transaction: a crash cannot lose it.
            offers = [await offer_freed_place(conn, row["id"], row["slot_date"], row["slot_time"], msg.offer_total,
                                              self.context.config.waitlist_hold_seconds, row["resource_id"])
                      for row in rows] if msg.offer_total else []
        if any(offers):
            wake = self.context.extras.get(WAITLIST_WAKE_KEY)
            if wake is not None:
                wake()  # send it now; the sweep of any process would send it otherwise
        return Outcome("cancelled" if rows else "not_cancelled", rows=tuple(dict(r) for r in rows))

    async def on_confirm_booking(self, msg: ConfirmBooking) -> Outcome:
        resource, day = parse_key(self.key)
        async with self.pool.acquire() as conn, conn.transaction():
            await lock_resource_days(conn, (resource, day))  # not confirmed while being moved or cancelled
            row = await conn.fetchrow(QUERIES.reservation_confirm, msg.reservation_id, day)
        return Outcome("confirmed", msg.reservation_id, (dict(row),)) if row else Outcome("missing", msg.reservation_id)

    async def on_record_attendance(self, msg: RecordAttendance) -> Outcome:
        resource, day = parse_key(self.key)
        async with self.pool.acquire() as conn, conn.transaction():
            await lock_resource_days(conn, (resource, day))  # not recorded while being moved or cancelled
            row = await conn.fetchrow(QUERIES.attendance_record, msg.reservation_id, day, msg.attendance, resource)
        return Outcome("recorded", msg.reservation_id, (dict(row),)) if row else Outcome("missing", msg.reservation_id)

    # A waitlist offer is handled by the actor of the (resource, day) whose place it holds.
    async def on_take_waitlist_place(self, msg: TakeWaitlistPlace) -> Outcome:
        resource, day = parse_key(self.key)
        async with self.pool.acquire() as conn, conn.transaction():
            await lock_resource_days(conn, (resource, day))
            return await take_place(conn, msg, day, resource, await closed_status(conn, day, resource) is not None)

    async def on_settle_waitlist_offer(self, msg: SettleWaitlistOffer) -> Outcome:
        async with self.pool.acquire() as conn, conn.transaction():
            await lock_resource_days(conn, parse_key(self.key))
            return await settle_offer(conn, msg, self.context.config.waitlist_hold_seconds)

    async def on_reinstate_booking(self, msg: ReinstateBooking) -> Outcome:
        async with self.pool.acquire() as conn, conn.transaction():
            resource, day = parse_key(self.key)
            await lock_resource_days(conn, (resource, day))
            row = await conn.fetchrow(QUERIES.reservation_by_id, msg.reservation_id)
            if (row is None or row["status"] != "cancelled" or row["slot_date"] != day
                    or row["resource_id"] != resource):
                return Outcome("not_cancelled", msg.reservation_id)
            closed = await closed_status(conn, day, resource)
            if closed:
                return Outcome(closed)
            counts = await conn.fetchrow(QUERIES.reservation_slot_counts, day, row["slot_time"],
                                         msg.reservation_type, msg.reservation_id, resource)
            if counts["total"] >= msg.total:
                return Outcome("full")
            if counts["same_type"] >= msg.per_type:
                return Outcome("type_full")
            done = await conn.fetchval(QUERIES.reservation_reactivate, msg.reservation_id, None)
            return Outcome("reinstated" if done is not None else "not_cancelled", msg.reservation_id)


def day_ref(services, day: date, resource_id: int = DEFAULT_RESOURCE_ID):
    return services.actors.ref(ReservationActor, f"{resource_id}:{day.isoformat()}")
