"""Attendance: staff mark a booking of today or earlier attended or no-show (or clear the mark) through REST;
the marks are kept apart from the booking's status, so the reference's GET /reservations answer does not change;
/resources/analytics counts them per resource."""
from __future__ import annotations

import importlib

import pytest

from runtime.routes import register
from tests.reservations.conftest import add_reservation
from tests.resources.conftest import add_resource

PAST, TODAY, FUTURE = "2025-05-29", "2025-06-01", "2025-06-02"  # the example clock: Sunday 2025-06-01 12:30


@pytest.fixture
def app(app):
    register(app, list(importlib.import_module("handlers.attendance").ROUTES))
    return app


async def _mark(client, rid, value):
    response = await client.post(f"/reservations/{rid}/attendance", json={"attendance": value})
    return response.status, await response.json()


async def test_staff_mark_attended_no_show_and_clear(admin_client, viewer_client, services, events, db):
    came = await add_reservation(db, "966500000001", PAST, "11:00")
    today = await add_reservation(db, "966500000002", TODAY, "16:00")  # later today: may be marked already
    listing = await (await viewer_client.get(f"/reservations?future=false&from_date={PAST}&to_date={TODAY}")).json()

    status, answer = await _mark(admin_client, came, "attended")
    assert status == 200 and answer["data"]["attendance"] == "attended" and answer["data"]["attendance_at"]
    assert events[-1].type == "reservation_attendance" and events[-1].data["id"] == came
    assert events[-1].data["_source"] == "frontend"
    status, answer = await _mark(admin_client, today, "no_show")
    assert status == 200 and answer["data"] == {**answer["data"], "id": today, "date": TODAY, "time_slot": "16:00",
                                                 "resource_id": 1, "attendance": "no_show"}
    row = await db.fetchrow("SELECT status, attendance, attendance_at FROM reservations WHERE id = $1", today)
    assert (row["status"], row["attendance"]) == ("active", "no_show") and row["attendance_at"] is not None

    marks = await (await viewer_client.get(f"/reservations/attendance?from={PAST}&to={TODAY}")).json()
    assert [(m["id"], m["attendance"]) for m in marks["data"]] == [(came, "attended"), (today, "no_show")]
    # the reference's listing of the same range is byte for byte what it was before any mark
    again = await (await viewer_client.get(f"/reservations?future=false&from_date={PAST}&to_date={TODAY}")).json()
    assert again == listing

    status, answer = await _mark(admin_client, today, None)  # cleared
    assert status == 200 and answer["data"]["attendance"] is None and answer["data"]["attendance_at"] is None
    assert await db.fetchval("SELECT attendance FROM reservations WHERE id = $1", today) is None
    assert events[-1].data["attendance"] is None


async def test_unknown_bad_future_and_cancelled_bookings_are_refused(admin_client, viewer_client, services, db):
    past = await add_reservation(db, "966500000001", PAST, "11:00")
    future = await add_reservation(db, "966500000002", FUTURE, "11:00")
    cancelled = await add_reservation(db, "966500000003", PAST, "12:00", status="cancelled")
    for rid, value, status, reason in ((999999, "attended", 404, "not_found"), ("abc", "attended", 404, "not_found"),
                                       (future, "no_show", 422, "future"), (cancelled, "attended", 422, "cancelled")):
        got, answer = await _mark(admin_client, rid, value)
        assert (got, answer["success"], answer["reason"]) == (status, False, reason), (rid, answer)
        assert answer["message"]
    for body in ({"attendance": "late"}, {"attendance": 1}, {}, []):
        response = await admin_client.post(f"/reservations/{past}/attendance", json=body)
        assert response.status == 422 and "message" in await response.json(), body
    assert (await viewer_client.post(f"/reservations/{past}/attendance", json={"attendance": "attended"})).status == 403
    assert await db.fetchval("SELECT count(*) FROM reservations WHERE attendance IS NOT NULL") == 0
    assert (await viewer_client.get(f"/reservations/attendance?from={TODAY}&to={PAST}")).status == 422


async def test_moving_or_cancelling_a_marked_booking_clears_its_mark(admin_client, services, db):
    rid = await add_reservation(db, "966500000001", TODAY, "16:00")
    assert (await _mark(admin_client, rid, "attended"))[0] == 200
    renamed = await admin_client.post("/reservations/966500000001/modify", json={
        "new_name": "Sara B", "reservation_id_to_modify": rid, "_call_source": "frontend"})
    assert (await renamed.json())["success"]  # same slot: the mark stands
    assert await db.fetchval("SELECT attendance FROM reservations WHERE id = $1", rid) == "attended"
    moved = await admin_client.post("/reservations/966500000001/modify", json={
        "new_date": FUTURE, "new_time_slot": "11:00", "reservation_id_to_modify": rid, "_call_source": "frontend"})
    assert (await moved.json())["success"]
    assert await db.fetchval("SELECT attendance FROM reservations WHERE id = $1", rid) is None

    later = await add_reservation(db, "966500000002", TODAY, "16:00")  # later today: still cancellable
    assert (await _mark(admin_client, later, "no_show"))[0] == 200
    cancelled = await admin_client.post("/reservations/966500000002/cancel", json={"reservation_id_to_cancel": later})
    assert (await cancelled.json())["success"]
    row = await db.fetchrow("SELECT attendance, attendance_at FROM reservations WHERE id = $1", later)
    assert (row["attendance"], row["attendance_at"]) == (None, None)


async def test_analytics_count_attended_and_no_shows_per_resource(admin_client, viewer_client, services, db):
    lina = (await add_resource(admin_client, name_ar="د. لينا", name_en="Dr. Lina", capacity=1))["id"]
    clinic = [await add_reservation(db, f"96650000010{n}", PAST, "11:00") for n in range(3)]
    with_lina = [await add_reservation(db, f"96650000020{n}", PAST, "13:00") for n in range(2)]
    await db.execute("UPDATE reservations SET resource_id = $1 WHERE id = ANY($2::int[])", lina, with_lina)
    for rid, value in ((clinic[0], "attended"), (clinic[1], "attended"), (clinic[2], "no_show"),
                       (with_lina[0], "no_show")):
        assert (await _mark(admin_client, rid, value))[0] == 200
    response = await viewer_client.get(f"/resources/analytics?from_date={PAST}&to_date={TODAY}")
    rows = {r["resource_id"]: r for r in (await response.json())["data"]}
    assert {k: rows[1][k] for k in ("bookings", "attended", "no_shows", "no_show_rate")} == {
        "bookings": 3, "attended": 2, "no_shows": 1, "no_show_rate": round(1 / 3, 4)}
    assert {k: rows[lina][k] for k in ("bookings", "attended", "no_shows", "no_show_rate")} == {
        "bookings": 2, "attended": 0, "no_shows": 1, "no_show_rate": 1.0}
    # a cancelled booking is no longer counted, whatever its mark
    await db.execute("UPDATE reservations SET status = 'cancelled', cancelled_at = now() WHERE id = $1", with_lina[0])
    rows = {r["resource_id"]: r for r in (await (await viewer_client.get(
        f"/resources/analytics?from_date={PAST}&to_date={TODAY}")).json())["data"]}
    assert (rows[lina]["no_shows"], rows[lina]["no_show_rate"]) == (0, None)
