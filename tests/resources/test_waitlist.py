"""The waitlist per resource: an entry waits for one resource or any; a place freed on a resource is offered to
the first patient waiting for it or for any (whose visit type it takes), held on that resource only, passed on
along that resource's waiters, and an accepted offer books there."""
from __future__ import annotations

import importlib
from datetime import date

import pytest

from actors.reservation import operations
from actors.waitlist import offers
from runtime.routes import register
from tests.reservations.conftest import add_customer, add_reservation
from tests.resources.conftest import add_resource

MONDAY = "2025-06-02"
MONDAY_DATE = date.fromisoformat(MONDAY)


@pytest.fixture
def app(app):
    register(app, list(importlib.import_module("handlers.waitlist").ROUTES))
    return app


async def _wait(db, wa_id: str, resource_id: int | None, kind: int = 0) -> int:
    await add_customer(db, wa_id)
    return await db.fetchval("INSERT INTO waitlist_entries (wa_id, slot_date, resource_id, reservation_type)"
                             " VALUES ($1, $2, $3, $4) RETURNING id", wa_id, MONDAY_DATE, resource_id, kind)


async def _open_offers(db) -> list[tuple[str, int]]:
    return [(r["wa_id"], r["resource_id"]) for r in await db.fetch(
        "SELECT wa_id, resource_id FROM waitlist_offers WHERE status = 'open' ORDER BY id")]


async def _free_on(services, resource: str) -> list[str]:
    found = await operations.get_available_time_slots(services, MONDAY, resource=resource)
    assert found["success"], found
    return [s if isinstance(s, str) else s["time_slot"] for s in found["data"]["time_slots"]]


async def test_a_place_freed_on_a_resource_goes_to_its_waiters_and_is_booked_there(admin_client, services, db):
    lina = (await add_resource(admin_client, name_ar="د. لينا", name_en="Dr. Lina", capacity=1))["id"]
    omar = (await add_resource(admin_client, name_ar="د. عمر", name_en="Dr. Omar", capacity=1))["id"]
    booked = await add_reservation(db, "966500000001", MONDAY, "11:00")
    await db.execute("UPDATE reservations SET resource_id = $1 WHERE id = $2", omar, booked)
    await _wait(db, "966500000002", lina)   # first in line, but for Dr. Lina
    await _wait(db, "966500000003", None)   # any doctor
    await _wait(db, "966500000004", omar)   # Dr. Omar

    assert (await operations.cancel_reservation(services, "966500000001", reservation_id_to_cancel=booked))["success"]
    assert await _open_offers(db) == [("966500000003", omar)]
    # the held place fills Omar's 11:00 (capacity 1), and only his
    assert "11:00 AM" not in await _free_on(services, "Dr. Omar")
    assert "11:00 AM" in await _free_on(services, "Dr. Lina")
    taken = await operations.reserve_time_slot(services, "966500000009", "Huda", MONDAY, "11:00", 0,
                                               resource="Dr. Omar")
    assert taken["success"] is False

    offer = await db.fetchval("SELECT id FROM waitlist_offers WHERE status = 'open'")
    await offers.decline(services, "966500000003", offer, "en")
    assert await _open_offers(db) == [("966500000004", omar)]  # passed on along Omar's waiters, not to Lina's

    offer = await db.fetchval("SELECT id FROM waitlist_offers WHERE status = 'open'")
    reply = await offers.accept(services, "966500000004", offer, "en")
    made = await db.fetchrow("SELECT id, resource_id, slot_time FROM reservations WHERE wa_id = '966500000004'")
    assert made is not None, reply
    assert reply == "Your appointment with Dr. Omar is booked: 2025-06-02 at 11:00 AM. See you then!"
    assert (made["resource_id"], made["slot_time"].strftime("%H:%M")) == (omar, "11:00")
    assert await db.fetchval("SELECT booked_reservation_id FROM waitlist_offers WHERE id = $1", offer) == made["id"]
    assert await _open_offers(db) == []


async def test_a_resource_offers_only_the_visit_types_it_takes_and_removing_passes_the_place_on(
        admin_client, staff_client, services, db):
    lina = (await add_resource(admin_client, name_ar="د. لينا", name_en="Dr. Lina", capacity=1,
                               reservation_types=[0]))["id"]
    booked = await add_reservation(db, "966500000001", MONDAY, "11:00")
    await db.execute("UPDATE reservations SET resource_id = $1 WHERE id = $2", lina, booked)
    await _wait(db, "966500000002", None, kind=1)  # a follow-up: Dr. Lina takes check-ups only
    first = await _wait(db, "966500000003", None)
    await _wait(db, "966500000004", lina)
    assert (await operations.cancel_reservation(services, "966500000001", reservation_id_to_cancel=booked))["success"]
    assert await _open_offers(db) == [("966500000003", lina)]
    removed = await staff_client.delete(f"/waitlist/{first}")
    assert removed.status == 200
    assert await _open_offers(db) == [("966500000004", lina)]


async def test_staff_add_an_entry_for_a_resource(admin_client, staff_client, viewer_client, services, db):
    lina = (await add_resource(admin_client, name_ar="د. لينا", name_en="Dr. Lina", reservation_types=[0]))["id"]
    away = (await add_resource(admin_client, name_ar="د. سامي", name_en="Dr. Sami", active=False))["id"]
    for resource, kind in ((999, 0), (away, 0), (lina, 1)):
        refused = await staff_client.post("/waitlist", json={"wa_id": "966500000002", "date": MONDAY,
                                                             "resource_id": resource, "reservation_type": kind})
        assert refused.status == 422 and "resource_id" in (await refused.json())["message"], resource
    added = await staff_client.post("/waitlist", json={"wa_id": "966500000002", "date": MONDAY, "resource_id": lina})
    assert added.status == 201
    listed = await (await viewer_client.get("/waitlist", params={"from": MONDAY, "to": MONDAY})).json()
    assert [(e["wa_id"], e["resource_id"]) for e in listed["data"]] == [("966500000002", lina)]
    assert await db.fetchval("SELECT resource_id FROM waitlist_entries") == lina


async def test_an_expired_hold_passes_the_place_on_along_the_same_resource(admin_client, services, db):
    omar = (await add_resource(admin_client, name_ar="د. عمر", name_en="Dr. Omar", capacity=1))["id"]
    booked = await add_reservation(db, "966500000001", MONDAY, "11:00")
    await db.execute("UPDATE reservations SET resource_id = $1 WHERE id = $2", omar, booked)
    await _wait(db, "966500000002", None)
    await _wait(db, "966500000003", 1)  # the clinic's own resource: not Omar's place
    await _wait(db, "966500000004", omar)
    assert (await operations.cancel_reservation(services, "966500000001", reservation_id_to_cancel=booked))["success"]
    assert await _open_offers(db) == [("966500000002", omar)]
    await db.execute("UPDATE waitlist_offers SET expires_at = now() - interval '1 second' WHERE status = 'open'")
    swept = await offers.sweep(services)
    assert swept["expired"] == 1
    assert await _open_offers(db) == [("966500000004", omar)]
