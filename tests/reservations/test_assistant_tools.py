"""The read tools of the assistant: availability, search, a customer's bookings, the current date."""
from __future__ import annotations

from actors.reservation import operations
from tests.reservations.conftest import add_reservation

WA = "966501234567"


async def test_search_without_time(services):
    result = await operations.search_available_appointments(services, days_forward=3)
    days = [(a["gregorian_date"], [s["time_slot"] for s in a["time_slots"]]) for a in result["data"]["appointments"]]
    assert days == [(d, ["11:00 AM", "1:00 PM", "3:00 PM"]) for d in
                    ("2025-06-01", "2025-06-02", "2025-06-03", "2025-06-04")]


async def test_search_closest_slot_falls_back_when_full(services, db):
    for i in range(5):
        await add_reservation(db, f"96650111000{i}", "2025-06-02", "13:00")
    result = await operations.search_available_appointments(services, start_date="2025-06-02", time_slot="1 PM",
                                                             days_forward=1)
    assert result["data"]["appointments"] == [
        {"gregorian_date": "2025-06-02", "hijri_date": "1446-12-06", "time_slot": "11:00 AM", "is_exact": False},
        {"gregorian_date": "2025-06-03", "hijri_date": "1446-12-07", "time_slot": "1:00 PM", "is_exact": True},
    ]


async def test_search_honours_days_backward_and_skips_vacations(services, db):
    await db.execute("INSERT INTO vacation_periods (start_date, end_date) VALUES ('2025-06-04', '2025-06-04')")
    result = await operations.search_available_appointments(services, start_date="2025-06-05", time_slot="14:00",
                                                            days_forward=2, days_backward=3)
    assert [a["gregorian_date"] for a in result["data"]["appointments"]] == [
        "2025-06-02", "2025-06-03", "2025-06-05", "2025-06-07"]  # 06-04 on vacation, 06-06 a Friday
    assert result["data"]["appointments"][-1]["time_slot"] == "4:00 PM"


async def test_search_vacation_info_is_serialisable(services, db):
    await db.execute("INSERT INTO vacation_periods (start_date, end_date) VALUES ('2025-06-10', '2025-06-12')")
    result = await operations.search_available_appointments(services)
    assert result["data"]["vacation_info"]["status"] == "upcoming"
    assert result["data"]["vacation_start_gregorian"] == "2025-06-10"
    assert (await operations.search_available_appointments(services, time_slot="later"))["message"].startswith(
        "Invalid date format: ")


async def test_search_starts_after_a_current_vacation(services, db):
    await db.execute("INSERT INTO vacation_periods (start_date, end_date) VALUES ('2025-05-30', '2025-06-02')")
    result = await operations.search_available_appointments(services, days_forward=0)
    assert [a["gregorian_date"] for a in result["data"]["appointments"]] == ["2025-06-03"]


async def test_available_slots_errors(services, db):
    assert (await operations.get_available_time_slots(services, "someday"))["message"].startswith(
        "Invalid date format: ")
    assert (await operations.get_available_time_slots(services, "2025-05-01"))["message"] == (
        "Cannot reserve in the past.")
    for i in range(5):
        for hour in ("11:00", "13:00", "15:00"):
            await add_reservation(db, f"9665011{hour[:2]}00{i}", "2025-06-02", hour)
    assert (await operations.get_available_time_slots(services, "2025-06-02"))["message"] == (
        "All slots are fully booked for this date. Please choose another date.")
    assert (await operations.get_available_time_slots(services, "2025-06-02", max_reservations=9))["success"] is False
    assert (await operations.get_available_time_slots(services, "1446-12-07", hijri=True))["data"][
        "gregorian_date"] == "2025-06-03"


async def test_customer_reservations(services, db):
    await add_reservation(db, WA, "2025-05-20", "11:00")
    await add_reservation(db, WA, "2025-06-02", "13:00", 1)
    await add_reservation(db, WA, "2025-06-03", "13:00", status="cancelled")
    upcoming = await operations.get_customer_reservations(services, WA)
    assert upcoming == {"success": True, "data": [{"date": "2025-06-02", "time_slot": "13:00",
                                                   "customer_name": "Sara", "type": 1, "status": "active",
                                                   "is_future": True}]}
    everything = await operations.get_customer_reservations(services, "+" + WA, include_past=True)
    assert [(r["date"], r["is_future"]) for r in everything["data"]] == [("2025-05-20", False), ("2025-06-02", True)]
    assert (await operations.get_customer_reservations(services, "42"))["success"] is False


async def test_current_datetime(services, db):
    await db.execute("INSERT INTO vacation_periods (start_date, end_date) VALUES ('2025-06-01', '2025-06-03')")
    data = (await operations.get_current_datetime(services))["data"]
    assert {k: data[k] for k in ("gregorian_date", "makkah_time", "hijri_date", "day_name", "is_ramadan")} == {
        "gregorian_date": "2025-06-01", "makkah_time": "12:30 PM", "hijri_date": "1446-12-05", "day_name": "Sun",
        "is_ramadan": False}
    assert data["vacation_info"]["status"] == "current" and data["vacation_end_gregorian"] == "2025-06-03"
