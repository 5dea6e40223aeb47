"""`GET /resources/analytics`: bookings, cancellations, open slots, places and utilisation per resource,
counted by hand for one week."""
from __future__ import annotations

from tests.reservations.conftest import add_reservation
from tests.resources.conftest import add_resource


async def test_a_week_per_resource(admin_client, viewer_client, db):
    lina = await add_resource(admin_client, name_ar="د. لينا", name_en="Dr. Lina", capacity=1, working_days=[1, 2],
                              working_hours={"start_time": "09:00", "end_time": "13:00"}, slot_duration_minutes=30)
    await db.execute("INSERT INTO vacation_periods (start_date, end_date) VALUES ('2025-06-03', '2025-06-03')")
    for n, (day, slot, status) in enumerate((("2025-06-02", "09:00", "active"), ("2025-06-02", "09:30", "active"),
                                             ("2025-06-02", "10:00", "cancelled"))):
        rid = await add_reservation(db, f"96650000010{n}", day, slot, status=status)
        await db.execute("UPDATE reservations SET resource_id = $1 WHERE id = $2", lina["id"], rid)
    for n in range(3):
        await add_reservation(db, f"96650000020{n}", "2025-06-01", "11:00")
    await add_reservation(db, "966500000300", "2025-06-08", "11:00")  # after the window
    response = await viewer_client.get("/resources/analytics?from_date=2025-06-01&to_date=2025-06-07")
    assert response.status == 200
    rows = {r["name_en"]: r for r in (await response.json())["data"]}
    # the clinic: Sun-Thu 3 slots, Friday closed, Saturday 3 slots, Tuesday a vacation -> 15 slots x 6 places
    assert rows["Clinic"] == {
        "resource_id": 1, "name_en": "Clinic", "name_ar": "العيادة", "active": True, "bookings": 3, "cancelled": 0,
        "open_slots": 15, "places": 90, "utilisation": round(3 / 90, 4), "attended": 0, "no_shows": 0,
        "no_show_rate": None}
    # Dr. Lina: Monday and Tuesday 09:00-13:00 in 30 minutes, capacity 1; Tuesday is the clinic's vacation
    assert {k: rows["Dr. Lina"][k] for k in ("bookings", "cancelled", "open_slots", "places", "utilisation")} == {
        "bookings": 2, "cancelled": 1, "open_slots": 8, "places": 8, "utilisation": 0.25}
    for bad in ("from_date=2025-06-07&to_date=2025-06-01", "from_date=2025-01-01&to_date=2026-06-01",
                "from_date=nonsense&to_date=2025-06-01", "to_date=2025-06-01"):
        assert (await viewer_client.get(f"/resources/analytics?{bad}")).status == 422, bad
