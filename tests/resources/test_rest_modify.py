"""REST modify moves a booking to another resource, on the reference route and on the dashboard's proxy route: the
target's capacity and schedule are checked under the (resource, day) locks, and a resource that cannot take the
booking (unknown, switched off, not taking its type) is a 422; without `resource` nothing changes."""
from __future__ import annotations

from tests.reservations.conftest import add_reservation
from tests.resources.conftest import add_resource

MONDAY = "2025-06-02"
WA = "966500000001"


async def _modify(client, body, path=f"/reservations/{WA}/modify"):
    response = await client.post(path, json={"_call_source": "frontend", **body})
    return response.status, await response.json()


async def test_the_reference_route_moves_to_a_resource_and_refuses_one_that_cannot_take_it(admin_client, services,
                                                                                          events, db):
    omar = (await add_resource(admin_client, name_ar="د. عمر", name_en="Dr. Omar", capacity=1))["id"]
    checkups_only = (await add_resource(admin_client, name_ar="د. لينا", name_en="Dr. Lina",
                                        reservation_types=[0]))["id"]
    away = (await add_resource(admin_client, name_ar="د. سامي", name_en="Dr. Sami", active=False))["id"]
    rid = await add_reservation(db, WA, MONDAY, "11:00", kind=1)

    for resource, reason in ((999, "resource_not_found"), ("Dr. Nobody", "resource_not_found"),
                             (away, "resource_not_found"), ("Dr. Lina", "resource_type_not_taken"),
                             (checkups_only, "resource_type_not_taken")):
        status, answer = await _modify(admin_client, {"reservation_id_to_modify": rid, "resource": resource})
        assert (status, answer["success"], answer["reason"]) == (422, False, reason), (resource, answer)
        assert answer["message"]
    assert await db.fetchval("SELECT resource_id FROM reservations WHERE id = $1", rid) == 1

    # Omar's 11:00 is full (capacity 1): a business refusal, 200 as the reference answers it
    other = await add_reservation(db, "966500000002", MONDAY, "11:00")
    await db.execute("UPDATE reservations SET resource_id = $1 WHERE id = $2", omar, other)
    status, answer = await _modify(admin_client, {"reservation_id_to_modify": rid, "resource": omar})
    assert (status, answer["success"]) == (200, False) and "reason" not in answer

    status, answer = await _modify(admin_client, {"reservation_id_to_modify": rid, "resource": str(omar),
                                                  "new_time_slot": "13:00"})
    assert status == 200 and answer["success"] and answer["data"]["resource_id"] == omar, answer
    assert events[-1].type == "reservation_updated" and events[-1].data["resource_id"] == omar
    row = await db.fetchrow("SELECT resource_id, slot_time, type FROM reservations WHERE id = $1", rid)
    assert (row["resource_id"], row["slot_time"].strftime("%H:%M"), row["type"]) == (omar, "13:00", 1)

    # without `resource` the booking keeps its (new) resource
    status, answer = await _modify(admin_client, {"reservation_id_to_modify": rid, "new_time_slot": "15:00"})
    assert status == 200 and answer["success"]
    assert await db.fetchval("SELECT resource_id FROM reservations WHERE id = $1", rid) == omar


async def test_the_dashboard_proxy_route_takes_a_resource_too(admin_client, services, db):
    omar = (await add_resource(admin_client, name_ar="د. عمر", name_en="Dr. Omar", capacity=1))["id"]
    rid = await add_reservation(db, WA, MONDAY, "11:00")
    base = {"id": WA, "date": MONDAY, "time": "11:00", "reservationId": rid}
    status, answer = await _modify(admin_client, {**base, "resource": "Dr. Nobody"}, "/modify-reservation")
    assert (status, answer["reason"]) == (422, "resource_not_found")
    status, answer = await _modify(admin_client, {**base, "resource": "Dr. Omar"}, "/api/modify-reservation")
    assert status == 200 and answer["success"] and answer["data"]["resource_id"] == omar, answer
    assert await db.fetchval("SELECT resource_id FROM reservations WHERE id = $1", rid) == omar
    # the proxy shape without a resource keeps it
    status, answer = await _modify(admin_client, {**base, "time": "13:00"}, "/modify-reservation")
    assert status == 200 and answer["success"] and answer["data"]["resource_id"] == omar
