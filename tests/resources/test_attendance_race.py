"""Attendance racing a move or a cancel: a booking moved or cancelled while being marked answers 409 and keeps no
mark. The race is made real and deterministic: the test holds the booking's (resource, day) lock, another process
starts the move (or cancel) and queues on it, then the mark (which has already read the booking where it was)
queues behind; released, the change commits first and the mark finds the booking gone from its (resource, day)."""
from __future__ import annotations

import asyncio
import importlib
from datetime import date

import asyncpg
import pytest

from actors.reservation import operations
from actors.reservation.actor import slot_lock_key
from actors.reservation.context import CLOCK_KEY
from runtime.routes import register
from tests.ops.support import running_services
from tests.reservations.conftest import add_reservation
from tests.resources.conftest import add_resource
from tests.support.waiting import eventually

TODAY, FUTURE = "2025-06-01", "2025-06-02"  # the example clock: Sunday 2025-06-01 12:30
PATIENT = "966500000001"


@pytest.fixture
def app(app):
    register(app, list(importlib.import_module("handlers.attendance").ROUTES))
    return app


async def _mark(client, rid, value="attended"):
    response = await client.post(f"/reservations/{rid}/attendance", json={"attendance": value})
    return response.status, await response.json()


async def _waiting_on(db, resource_id: int, day: str) -> int:
    first, second = slot_lock_key(resource_id, date.fromisoformat(day))
    return await db.fetchval("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                             " AND classid::bigint = $1 AND objid::bigint = $2", first, second)


@pytest.mark.parametrize("change", ["moved_day", "moved_resource", "cancelled"])
async def test_a_booking_moved_or_cancelled_while_being_marked_is_409_and_keeps_no_mark(
        change, admin_client, services, clock, events, config, db_url, db):
    rid = await add_reservation(db, PATIENT, TODAY, "15:00")
    other = (await add_resource(admin_client, name_ar="د. لينا", name_en="Dr. Lina"))["id"]
    holder = await asyncpg.connect(db_url)
    try:
        async with running_services(config) as elsewhere:  # another process: its own actors and pool
            elsewhere.extras[CLOCK_KEY] = clock
            holding = holder.transaction()
            await holding.start()
            await holder.execute("SELECT pg_advisory_xact_lock($1::int, $2::int)",
                                 *slot_lock_key(1, date.fromisoformat(TODAY)))
            if change == "cancelled":
                changing = asyncio.create_task(operations.cancel_reservation(
                    elsewhere, PATIENT, reservation_id_to_cancel=rid, source="frontend"))
            else:
                changing = asyncio.create_task(operations.modify_reservation(
                    elsewhere, PATIENT, new_date=FUTURE if change == "moved_day" else TODAY, new_time_slot="15:00",
                    reservation_id_to_modify=rid, source="frontend",
                    resource="Dr. Lina" if change == "moved_resource" else None))

            async def queued(count: int):
                return await _waiting_on(db, 1, TODAY) >= count

            await eventually(lambda: queued(1), within=20, what=f"the {change} waiting for the day's lock")
            marking = asyncio.create_task(_mark(admin_client, rid))
            await eventually(lambda: queued(2), within=20, what="the mark waiting behind it")
            await holding.rollback()  # releases the lock: the change goes first, then the mark
            changed = await changing
            status, answer = await marking
    finally:
        await holder.close()
    assert changed["success"], changed
    assert (status, answer["success"], answer["reason"]) == (409, False, "changed"), answer
    row = await db.fetchrow("SELECT status, slot_date, resource_id, attendance, attendance_at FROM reservations"
                            " WHERE id = $1", rid)
    assert (row["attendance"], row["attendance_at"]) == (None, None)
    expected = {"moved_day": ("active", FUTURE, 1), "moved_resource": ("active", TODAY, other),
                "cancelled": ("cancelled", TODAY, 1)}[change]
    assert (row["status"], row["slot_date"].isoformat(), row["resource_id"]) == expected
    assert not [e for e in events if e.type == "reservation_attendance"]


async def test_many_concurrent_marks_and_changes_never_leave_a_mark_on_a_changed_booking(
        admin_client, services, clock, db):
    moved = [await add_reservation(db, f"96650000011{n}", TODAY, f"{13 + n}:00") for n in range(4)]
    cancelled = [await add_reservation(db, f"96650000012{n}", TODAY, f"{13 + n}:30") for n in range(4)]

    async def move(n, rid):
        return await admin_client.post(f"/reservations/96650000011{n}/modify", json={
            "new_date": FUTURE, "new_time_slot": ("11:00", "13:00", "15:00", "15:00")[n],
            "reservation_id_to_modify": rid, "_call_source": "frontend"})

    async def cancel(n, rid):
        return await admin_client.post(f"/reservations/96650000012{n}/cancel", json={"reservation_id_to_cancel": rid})

    changes = [move(n, rid) for n, rid in enumerate(moved)] + [cancel(n, rid) for n, rid in enumerate(cancelled)]
    marks = [_mark(admin_client, rid, value) for rid in moved + cancelled for value in ("attended", "no_show")]
    outcomes = await asyncio.gather(*changes, *marks)
    for response in outcomes[:len(changes)]:
        assert (await response.json())["success"]
    for status, answer in outcomes[len(changes):]:
        # before the change: recorded (then cleared by it); after its read: 409; after the change: 422 cancelled
        assert status in (200, 409, 422), answer
        if status == 200:
            assert answer["data"]["date"] == TODAY
        elif status == 422:
            assert answer["reason"] == "cancelled"
    rows = await db.fetch("SELECT id, status, slot_date, attendance, attendance_at FROM reservations"
                          " WHERE id = ANY($1::int[])", moved + cancelled)
    assert {r["id"]: (r["attendance"], r["attendance_at"]) for r in rows} == {
        rid: (None, None) for rid in moved + cancelled}
    assert {r["id"] for r in rows if r["slot_date"].isoformat() == FUTURE} == set(moved)
    assert {r["id"] for r in rows if r["status"] == "cancelled"} == set(cancelled)
