"""Spec 20 §13 worked examples, end to end (now = Sunday 2025-06-01 12:30 Riyadh, capacity 5/6).

Where Mawid applies a quirk fix the expectation says so; see docs/decisions.md.
"""
from __future__ import annotations

from datetime import date, datetime

from actors.reservation import operations
from actors.reservation.parsing import parse_gregorian
from tests.reservations.conftest import RIYADH, add_reservation, set_capacity

WA = "966501234567"


async def reserve(services, day, slot, kind=0, wa_id=WA, name="Sara", **kw):
    return await operations.reserve_time_slot(services, wa_id, name, day, slot, kind, **kw)


async def test_1_in_progress_slot_is_listed(services):
    result = await operations.get_available_time_slots(services, "2025-06-01")
    assert result == {"success": True, "data": {"gregorian_date": "2025-06-01", "hijri_date": "1446-12-05",
                                                "time_slots": ["11:00 AM", "1:00 PM", "3:00 PM"]}}


async def test_2_day_over_says_no_remaining_slots(services, clock):
    clock.now = datetime(2025, 6, 1, 17, 30, tzinfo=RIYADH)
    result = await operations.get_available_time_slots(services, "2025-06-01")
    # quirk 20: not "fully booked" when the day is simply over
    assert result == {"success": False, "message": "No remaining time slots today. Please choose another date."}


async def test_3_friday_is_closed(services):
    assert await reserve(services, "2025-06-06", "11:00") == {
        "success": False, "message": "The clinic is closed on this day."}


async def test_4_saturday_4pm(services, db):
    result = await reserve(services, "2025-06-07", "4 PM")
    assert result["success"] and result["data"]["time_slot"] == "4:00 PM"
    assert str(await db.fetchval("SELECT slot_time FROM reservations")) == "16:00:00"


async def test_5_slot_outside_schedule_lists_the_day(services):
    assert await reserve(services, "2025-06-02", "10 am") == {"success": False, "message": (
        "Reservation failed. The selected time slot (10:00 AM) is not available. "
        "Available slots: 11:00 AM, 1:00 PM, 3:00 PM")}


async def test_6_bare_number_is_an_hour(services):
    # quirk 1: "3" means 3 o'clock (15:00), not midnight
    result = await reserve(services, "2025-06-02", "3")
    assert result["success"] and result["data"]["time_slot"] == "3:00 PM"


async def test_7_unreadable_time_is_explained(services, db):
    # quirk 2: the reference answered message ""
    result = await reserve(services, "2025-06-02", "noon")
    assert result == {"success": False, "message": "Invalid time format: 'noon' is not a time"}
    assert await db.fetchval("SELECT count(*) FROM reservations") == 0


async def test_8_in_progress_booking_counts_as_upcoming(services, db):
    first = await reserve(services, "2025-06-01", "11:00")
    assert first["success"]
    # quirk 9: one definition of "upcoming" (slot not ended): a second reserve moves it, cancel works
    second = await reserve(services, "2025-06-02", "13:00")
    assert second["message"] == "Reservation modified successfully."
    assert second["data"]["reservation_id"] == first["data"]["reservation_id"]
    assert await db.fetchval("SELECT count(*) FROM reservations") == 1


async def test_9_hijri_ramadan_hours(services, clock):
    clock.now = datetime(2025, 3, 1, 9, 0, tzinfo=RIYADH)
    ok = await reserve(services, "1446-09-03", "12:00 PM", hijri=True)
    assert ok["success"] and ok["data"]["gregorian_date"] == "2025-03-03"
    refused = await reserve(services, "1446-09-03", "11:00 AM", hijri=True, wa_id="966501110000")
    assert refused == {"success": False, "message": (
        "Reservation failed. The selected time slot (11:00 AM) is not available. "
        "Available slots: 10:00 AM, 12:00 PM, 2:00 PM")}


def test_10_slash_date_is_day_first():
    assert parse_gregorian("03/04/2025", date(2025, 6, 1)) == date(2025, 4, 3)


async def test_11_assistant_reserve_moves_the_upcoming_booking(services, db, events):
    r1 = await add_reservation(db, WA, "2025-06-02", "11:00", 0)
    result = await reserve(services, "2025-06-03", "1 PM", kind=1)
    assert result["message"] == "Reservation modified successfully."
    assert result["data"]["reservation_id"] == r1
    assert result["data"]["original_data"] == {"wa_id": WA, "date": "2025-06-02", "time_slot": "11:00", "type": 0,
                                               "customer_name": "Sara", "status": "active"}
    row = await db.fetchrow("SELECT slot_date, slot_time, type FROM reservations WHERE id = $1", r1)
    assert (str(row["slot_date"]), str(row["slot_time"]), row["type"]) == ("2025-06-03", "13:00:00", 1)
    # quirk 7: the event says what happened
    assert [(e.type, e.data["id"]) for e in events] == [("reservation_updated", r1)]


async def _fill(db, day, slot, count, kind=0):
    return [await add_reservation(db, f"9665011100{i:02d}", day, slot, kind) for i in range(count)]


async def test_12_secretary_reserve_uses_secretary_capacity(services, db):
    await _fill(db, "2025-06-02", "13:00", 5)
    result = await reserve(services, "2025-06-02", "13:00", source="frontend")
    assert result["success"]  # quirk 6: the listing uses the caller's role (secretary: 6)
    refused = await reserve(services, "2025-06-02", "13:00", source="frontend", wa_id="966501119999")
    assert refused["success"] is False


async def test_13_secretary_modify_into_a_slot_of_five(services, db):
    await _fill(db, "2025-06-02", "13:00", 5)
    mine = await add_reservation(db, WA, "2025-06-03", "11:00")
    result = await operations.modify_reservation(services, WA, new_date="2025-06-02", new_time_slot="13:00",
                                                 reservation_id_to_modify=mine, source="frontend")
    assert result["success"], result
    assert await db.fetchval("SELECT count(*) FROM reservations WHERE slot_time = '13:00' AND status='active'") == 6


async def test_14_per_type_limit(services, db):
    await set_capacity(services, agent={"total_max": 5, "per_type_max": {"1": 2}})
    await _fill(db, "2025-06-02", "13:00", 2, kind=1)
    await add_reservation(db, "966501112222", "2025-06-02", "13:00", 0)
    result = await reserve(services, "2025-06-02", "13:00", kind=1)
    assert result == {"success": False, "message": "This time slot is fully booked. Please choose another slot."}
    assert await db.fetchval("SELECT count(*) FROM customers WHERE wa_id = $1", WA) == 0  # nothing half-written


async def test_15_reserving_a_cancelled_slot_again_reactivates_it(services, db, events):
    old = await add_reservation(db, WA, "2025-06-02", "13:00", 0, status="cancelled")
    result = await reserve(services, "2025-06-02", "13:00", kind=1)
    assert result["message"] == "Reservation successful." and result["data"]["reservation_id"] == old
    row = await db.fetchrow("SELECT status, type, cancelled_at FROM reservations WHERE id = $1", old)
    assert (row["status"], row["type"], row["cancelled_at"]) == ("active", 1, None)
    assert [e.type for e in events] == ["reservation_reinstated"]


async def test_16_cancel_all_cancels_only_upcoming(services, db, events):
    past = await add_reservation(db, WA, "2025-05-20", "11:00")
    future = await add_reservation(db, WA, "2025-06-02", "11:00")
    result = await operations.cancel_reservation(services, WA)
    # quirk 10: history is not rewritten, and every cancelled id is announced
    assert result == {"success": True, "message": "1 reservation(s) cancelled successfully.",
                      "data": {"cancelled_ids": [future]}}
    assert await db.fetchval("SELECT status FROM reservations WHERE id = $1", past) == "active"
    assert [(e.type, e.data.get("id")) for e in events] == [("reservation_cancelled", future)]


async def test_17_cancel_of_a_cancelled_id(services, db):
    rid = await add_reservation(db, WA, "2025-06-02", "11:00", status="cancelled")
    result = await operations.cancel_reservation(services, WA, reservation_id_to_cancel=rid)
    assert result == {"success": True, "message": f"Reservation with ID {rid} is already cancelled.",
                      "data": {"cancelled_ids": [rid]}}  # quirk 11: the id is filled in


async def test_18_vacation_message(services, db):
    await db.execute("INSERT INTO vacation_periods (start_date, end_date) VALUES ('2025-06-10', '2025-06-12')")
    assert await reserve(services, "2025-06-11", "11:00") == {"success": False, "message": (
        "🏖️:\n• Tuesday 2025-06-10 (1446-12-14 Hijri)\nTo:\n• Thursday 2025-06-12 (1446-12-16 Hijri)\n\n"
        "Clinic closed.")}


async def test_19_swapped_period_is_stored_in_order(staff_client, clock, db):
    await db.execute("INSERT INTO vacation_periods (start_date, end_date) VALUES ('2025-07-01', '2025-07-02')")
    resp = await staff_client.post("/update-vacation-periods",
                                   json={"periods": [{"start": "2025-06-12", "end": "2025-06-10"}]})
    assert resp.status == 200
    rows = await db.fetch("SELECT start_date, end_date FROM vacation_periods")
    assert [(str(r["start_date"]), str(r["end_date"])) for r in rows] == [("2025-06-10", "2025-06-12")]


async def test_20_invalid_period_is_rejected_and_nothing_is_lost(staff_client, clock, db):
    await db.execute("INSERT INTO vacation_periods (start_date, end_date) VALUES ('2025-07-01', '2025-07-02')")
    resp = await staff_client.post("/update-vacation-periods", json={"periods": [{"start": "bad", "end": "x"}]})
    assert resp.status == 400  # quirk 17: the reference wiped every vacation here
    body = await resp.json()
    assert body["success"] is False and body["message"] == "Failed to update vacation periods"
    assert "periods[0]" in body["detail"]
    assert await db.fetchval("SELECT count(*) FROM vacation_periods") == 1


async def test_21_empty_list_clears(staff_client, clock, db):
    await db.execute("INSERT INTO vacation_periods (start_date, end_date) VALUES ('2025-07-01', '2025-07-02')")
    resp = await staff_client.post("/update-vacation-periods", json={"periods": []})
    assert resp.status == 200 and (await resp.json())["success"] is True  # quirk 17: [] clears
    assert await db.fetchval("SELECT count(*) FROM vacation_periods") == 0


async def test_22_plus_prefixed_path_id_is_normalised(staff_client, clock, db):
    await add_reservation(db, WA, "2025-06-02", "11:00")
    resp = await staff_client.post(f"/reservations/+{WA}/modify", json={"new_time_slot": "1 PM"})
    body = await resp.json()
    assert body["success"] is True and body["data"]["time_slot"] == "1:00 PM"  # quirk 22


async def test_23_rename_a_finished_reservation_by_id(services, db):
    rid = await add_reservation(db, WA, "2025-05-20", "11:00")
    result = await operations.modify_reservation(services, WA, new_name="Sara Ali", reservation_id_to_modify=rid)
    assert result["success"] and result["message"] == "Reservation modified successfully."
    assert await db.fetchval("SELECT customer_name FROM customers WHERE wa_id = $1", WA) == "Sara Ali"


async def test_24_same_slot_in_other_words_is_no_change(services, db, events):
    await add_reservation(db, WA, "2025-06-02", "13:00")
    result = await operations.modify_reservation(services, WA, new_time_slot="1 PM")
    assert result["success"] is True and result["message"] == "No actual changes were made to the reservation."
    assert events == []
