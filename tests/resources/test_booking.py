"""Bookings belong to resources: per-resource capacity and schedule, "any resource" spreads load (least
booked that day, then order), cross-resource moves, cancel and undo per resource, the resource named in
answers, events and the listing once there are several — and not before."""
from __future__ import annotations

from actors.reservation import operations
from tests.reservations.conftest import add_reservation
from tests.resources.conftest import add_resource, switch_off_default

MONDAY, TUESDAY = "2025-06-02", "2025-06-03"


async def _two_doctors(admin_client):
    await switch_off_default(admin_client)
    lina = await add_resource(admin_client, name_ar="د. لينا", name_en="Dr. Lina", capacity=1, position=1,
                              slot_duration_minutes=30, working_hours={"start_time": "09:00", "end_time": "13:00"},
                              vacations=[{"start": TUESDAY, "end": TUESDAY}])
    omar = await add_resource(admin_client, name_ar="د. عمر", name_en="Dr. Omar", capacity=2, position=2)
    return lina["id"], omar["id"]


async def _reserve(admin_client, wa_id: str, day: str, slot: str, **extra) -> dict:
    response = await admin_client.post("/reserve", json={
        "wa_id": wa_id, "customer_name": f"C{wa_id[-3:]}", "date_str": day, "time_slot": slot,
        "reservation_type": 0, **extra})
    assert response.status == 200
    return await response.json()


async def test_one_resource_answers_and_announces_without_resource_fields(admin_client, services, events, db):
    made = await _reserve(admin_client, "966500000001", MONDAY, "11:00")
    assert made == {"success": True, "message": "Reservation successful.", "data": {
        "reservation_id": made["data"]["reservation_id"], "gregorian_date": MONDAY,
        "hijri_date": made["data"]["hijri_date"], "time_slot": "11:00 AM", "type": 0}}
    assert "resource_id" not in events[-1].data and "resource" not in events[-1].data
    listing = await (await admin_client.get("/reservations?from_date=2025-06-01")).json()
    assert set(listing["data"]["966500000001"][0]) == {"id", "date", "time_slot", "type", "cancelled",
                                                      "has_document"}
    assert await db.fetchval("SELECT resource_id FROM reservations") == 1
    # naming the only resource, or "any", books the same way
    named = await _reserve(admin_client, "966500000002", MONDAY, "11:00", resource="Clinic")
    anyone = await _reserve(admin_client, "966500000003", MONDAY, "11:00", resource="any")
    assert named["success"] and anyone["success"] and "resource" not in named["data"]


async def test_a_named_resource_has_its_own_hours_slot_length_and_capacity(admin_client, services, db):
    lina, omar = await _two_doctors(admin_client)
    slots = await operations.get_available_time_slots(services, MONDAY, resource="Dr. Lina")
    assert slots["data"]["time_slots"] == ["9:00 AM", "9:30 AM", "10:00 AM", "10:30 AM", "11:00 AM", "11:30 AM",
                                           "12:00 PM", "12:30 PM"]
    first = await _reserve(admin_client, "966500000001", MONDAY, "09:30", resource="Dr. Lina")
    assert first["success"] and first["data"]["resource_id"] == lina and first["data"]["resource"] == "Dr. Lina"
    assert first["message"] == "Reservation successful. (Dr. Lina)"
    second = await _reserve(admin_client, "966500000002", MONDAY, "09:30", resource="lina")
    assert second["success"] is False and second["message"].startswith(  # her capacity is 1
        "Reservation failed. The selected time slot (9:30 AM) is not available. Available slots: 9:00 AM, 10:00 AM")
    off_hours = await _reserve(admin_client, "966500000003", MONDAY, "15:00", resource=lina)
    assert off_hours["success"] is False and off_hours["message"].startswith(
        "Reservation failed. The selected time slot (3:00 PM) is not available.")
    day_off = await _reserve(admin_client, "966500000004", TUESDAY, "11:00", resource="Dr. Lina", ar=True)
    assert day_off == {"success": False, "message": "د. لينا غير متاح في هذا اليوم."}
    unknown = await _reserve(admin_client, "966500000005", MONDAY, "11:00", resource="Dr. Who")
    assert unknown == {"success": False, "message": "No such doctor or room: Dr. Who. Available: Dr. Lina, Dr. Omar"}
    switched_off = await _reserve(admin_client, "966500000006", MONDAY, "11:00", resource="Clinic")
    assert switched_off["success"] is False and switched_off["message"].startswith("No such doctor or room")
    rows = await db.fetch("SELECT resource_id, slot_time::text FROM reservations WHERE status = 'active'")
    assert [(r["resource_id"], r["slot_time"]) for r in rows] == [(lina, "09:30:00")]
    assert omar


async def test_any_resource_picks_the_least_booked_that_day_then_the_order(admin_client, services, db):
    lina, omar = await _two_doctors(admin_client)
    await _reserve(admin_client, "966500000001", MONDAY, "09:00", resource="Dr. Lina")  # Lina: 1 that day
    picks = []
    for n in range(2, 6):
        made = await _reserve(admin_client, f"96650000000{n}", MONDAY, "11:00")
        picks.append(made["data"]["resource"] if made["success"] else made["message"])
    # Omar (0 booked) < Lina (1); then both 1, Lina first by position; then Omar (1 < 2); then all full.
    assert picks[:3] == ["Dr. Omar", "Dr. Lina", "Dr. Omar"]
    assert picks[3].startswith("Reservation failed. The selected time slot (11:00 AM) is not available.")
    day_off = await _reserve(admin_client, "966500000009", TUESDAY, "11:00")  # Lina's day off: Omar takes it
    assert day_off["data"]["resource_id"] == omar
    counts = await db.fetch("SELECT resource_id, slot_time::text AS t, count(*) AS n FROM reservations"
                            " WHERE status = 'active' AND slot_date = '2025-06-02' GROUP BY 1, 2 ORDER BY 1, 2")
    assert [tuple(r) for r in counts] == [(lina, "09:00:00", 1), (lina, "11:00:00", 1), (omar, "11:00:00", 2)]


async def test_availability_without_a_resource_is_the_union_and_lists_each(admin_client, services):
    lina, omar = await _two_doctors(admin_client)
    result = await operations.get_available_time_slots(services, MONDAY)
    data = result["data"]
    assert data["time_slots"][:3] == ["9:00 AM", "9:30 AM", "10:00 AM"] and "3:00 PM" in data["time_slots"]
    assert [(r["resource_id"], r["resource"]) for r in data["resources"]] == [(lina, "Dr. Lina"), (omar, "Dr. Omar")]
    assert data["resources"][1]["time_slots"] == ["11:00 AM", "1:00 PM", "3:00 PM"]
    search = await operations.search_available_appointments(services, start_date=TUESDAY, days_forward=0,
                                                            resource="Dr. Omar")
    [tuesday] = search["data"]["appointments"]
    assert [s["time_slot"] for s in tuesday["time_slots"]] == ["11:00 AM", "1:00 PM", "3:00 PM"]


async def test_moves_between_resources_check_the_target_and_cancel_undo_follow_the_booking(
        admin_client, services, events, db):
    lina, omar = await _two_doctors(admin_client)
    made = await _reserve(admin_client, "966500000001", MONDAY, "11:00", resource="Dr. Lina")
    rid = made["data"]["reservation_id"]
    await _reserve(admin_client, "966500000002", MONDAY, "11:00", resource="Dr. Omar", _call_source="frontend")
    await _reserve(admin_client, "966500000003", MONDAY, "11:00", resource="Dr. Omar", _call_source="frontend")
    full = await admin_client.post("/reservations/966500000001/modify", json={
        "resource": "Dr. Omar", "reservation_id_to_modify": rid, "_call_source": "frontend"})
    assert (await full.json())["success"] is False  # Omar's 11:00 holds his capacity (2)
    moved = await admin_client.post("/reservations/966500000001/modify", json={
        "resource": omar, "new_time_slot": "13:00", "reservation_id_to_modify": rid, "_call_source": "frontend"})
    answer = await moved.json()
    assert answer["success"] and answer["data"]["resource_id"] == omar and answer["data"]["time_slot"] == "1:00 PM"
    assert events[-1].type == "reservation_updated" and events[-1].data["resource"] == "Dr. Omar"
    assert await db.fetchval("SELECT resource_id FROM reservations WHERE id = $1", rid) == omar
    cancelled = await admin_client.post("/reservations/966500000001/cancel", json={"reservation_id_to_cancel": rid})
    assert (await cancelled.json())["success"] and events[-1].data["resource_id"] == omar
    # Omar's 13:00 fills up meanwhile: the undo is refused, then allowed once there is room
    others = [await add_reservation(db, f"96650000001{n}", MONDAY, "13:00") for n in range(2)]
    await db.execute("UPDATE reservations SET resource_id = $1 WHERE id = ANY($2::int[])", omar, others)
    refused = await operations.undo_cancel_reservation_by_id(services, rid)
    assert refused["success"] is False
    await db.execute("UPDATE reservations SET resource_id = $1 WHERE id = $2", lina, others[0])
    undone = await operations.undo_cancel_reservation_by_id(services, rid)
    assert undone["success"] and undone["data"]["resource"] == "Dr. Omar"


async def test_the_listing_names_the_resource_and_filters_by_it(admin_client, services):
    lina, omar = await _two_doctors(admin_client)
    await _reserve(admin_client, "966500000001", MONDAY, "09:00", resource="Dr. Lina")
    await _reserve(admin_client, "966500000002", MONDAY, "11:00", resource="Dr. Omar")
    everything = (await (await admin_client.get("/reservations?from_date=2025-06-01")).json())["data"]
    assert {w: [e["resource_id"] for e in entries] for w, entries in everything.items()} == {
        "966500000001": [lina], "966500000002": [omar]}
    only_omar = (await (await admin_client.get(f"/reservations?from_date=2025-06-01&resource_id={omar}")).json())
    assert list(only_omar["data"]) == ["966500000002"]
    mine = await operations.get_customer_reservations(services, "966500000001")
    assert mine["data"][0]["resource"] == "Dr. Lina"


async def test_modify_with_any_resource_keeps_the_bookings_own(admin_client, services, db):
    lina, omar = await _two_doctors(admin_client)
    made = await _reserve(admin_client, "966500000001", MONDAY, "11:00", resource="Dr. Omar")
    rid = made["data"]["reservation_id"]
    moved = await operations.modify_reservation(services, "966500000001", new_time_slot="13:00", resource="any",
                                                reservation_id_to_modify=rid, source="frontend")
    assert moved["success"] and moved["data"]["resource_id"] == omar
    assert await db.fetchval("SELECT resource_id FROM reservations WHERE id = $1", rid) == omar


async def test_any_resource_books_a_slot_still_running_for_the_doctor_with_longer_slots(admin_client, services):
    # 12:30 today: Dr. Lina's 11:00 (30 minutes) is over, Dr. Omar's 11:00 (the clinic's two hours) is not —
    # it is offered for "any", so booking it with "any" must land with him, not be refused as past
    lina, omar = await _two_doctors(admin_client)
    today = "2025-06-01"
    offered = await operations.get_available_time_slots(services, today)
    assert "11:00 AM" in offered["data"]["time_slots"]
    made = await _reserve(admin_client, "966500000001", today, "11:00", resource="any")
    assert made["success"] and made["data"]["resource_id"] == omar, made
    over = await _reserve(admin_client, "966500000002", today, "11:00", resource="Dr. Lina")
    assert over["success"] is False and over["message"] == "Cannot reserve in the past."
