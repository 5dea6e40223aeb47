"""The waitlist is the clinic's (the default resource's): a place freed by another resource's cancellation
is not offered, one freed by the default resource's is; another resource's bookings never count as holds."""
from __future__ import annotations

from actors.reservation import operations
from tests.reservations.conftest import add_customer, add_reservation
from tests.resources.conftest import add_resource


async def test_only_the_default_resources_freed_places_are_offered(admin_client, services, db):
    omar = (await add_resource(admin_client, name_ar="د. عمر", name_en="Dr. Omar", capacity=1))["id"]
    clinic_booking = await add_reservation(db, "966500000001", "2025-06-02", "11:00")
    omar_booking = await add_reservation(db, "966500000002", "2025-06-02", "11:00")
    await db.execute("UPDATE reservations SET resource_id = $1 WHERE id = $2", omar, omar_booking)
    await add_customer(db, "966500000003")
    await db.execute("INSERT INTO waitlist_entries (wa_id, slot_date) VALUES ('966500000003', '2025-06-02')")

    cancelled = await operations.cancel_reservation(services, "966500000002", reservation_id_to_cancel=omar_booking)
    assert cancelled["success"]
    assert await db.fetchval("SELECT count(*) FROM waitlist_offers") == 0

    cancelled = await operations.cancel_reservation(services, "966500000001", reservation_id_to_cancel=clinic_booking)
    assert cancelled["success"]
    offers = await db.fetch("SELECT wa_id, freed_reservation_id FROM waitlist_offers")
    assert [(o["wa_id"], o["freed_reservation_id"]) for o in offers] == [("966500000003", clinic_booking)]
    # the held place counts in the clinic's slot, not in Dr. Omar's (capacity 1, free again)
    booked = await operations.reserve_time_slot(services, "966500000004", "Lina", "2025-06-02", "11:00", 0,
                                                resource="Dr. Omar")
    assert booked["success"] and booked["data"]["resource_id"] == omar, booked
