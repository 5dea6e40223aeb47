"""`/resources`: the default resource exists, admins add and edit, others read, bad input is a 422 naming
the field, and every write is announced."""
from __future__ import annotations

from tests.resources.conftest import add_resource

LINA = {"name_ar": "د. لينا", "name_en": "Dr. Lina", "capacity": 1, "slot_duration_minutes": 30,
        "working_hours": {"start_time": "09:00", "end_time": "13:00"}, "working_days": [1, 0, 1],
        "vacations": [{"start": "2025-06-10", "end": "2025-06-12", "title": "Conference"}]}


async def test_the_default_resource_has_the_clinics_schedule(admin_client):
    response = await admin_client.get("/resources")
    assert response.status == 200
    [default] = (await response.json())["data"]
    assert default == {
        "id": 1, "name_ar": "العيادة", "name_en": "Clinic", "active": True, "position": 0, "is_default": True,
        "reservation_types": None, "working_days": None, "working_hours": None, "day_specific_hours": [],
        "slot_duration_minutes": None, "capacity": None, "vacations": []}


async def test_admins_add_and_edit_resources_and_each_write_is_announced(admin_client, services, events):
    created = await add_resource(admin_client, **LINA)
    assert created["id"] >= 2 and created["working_days"] == [0, 1] and created["capacity"] == 1
    assert created["vacations"] == [{"start": "2025-06-10", "end": "2025-06-12", "title": "Conference"}]
    response = await admin_client.patch(f"/resources/{created['id']}", json={"active": False, "position": 3})
    edited = (await response.json())["data"]
    assert response.status == 200 and edited == {**created, "active": False, "position": 3}
    assert [(e.type, e.data["resource"]["id"]) for e in events if e.type.startswith("resource_")] == [
        ("resource_created", created["id"]), ("resource_updated", created["id"])]
    one = await admin_client.get(f"/resources/{created['id']}")
    assert (await one.json())["data"] == edited


async def test_viewers_read_but_only_admins_write(viewer_client, token_for):
    from runtime.routes import Role

    assert (await viewer_client.get("/resources")).status == 200
    assert (await viewer_client.post("/resources", json=LINA)).status == 403
    _, staff = await token_for(Role.STAFF)
    response = await viewer_client.patch("/resources/1", json={"active": False},
                                         headers={"Authorization": f"Bearer {staff}"})
    assert response.status == 403


async def test_bad_input_is_a_422_naming_the_field_and_writes_nothing(admin_client, db):
    cases = [
        ({**LINA, "capacity": 0}, "body.capacity"),
        ({**LINA, "working_hours": {"start_time": "13:00", "end_time": "09:00"}}, "body.working_hours"),
        ({**LINA, "working_days": [7]}, "body.working_days"),
        ({**LINA, "name_en": "  "}, "body.name_en"),
        ({**LINA, "vacations": [{"start": "2025-06-12", "end": "2025-06-10"}]}, "body.vacations.0"),
        ({**LINA, "reservation_types": [2]}, "body.reservation_types.0"),
        ({**LINA, "colour": "red"}, "body.colour"),
    ]
    for body, field in cases:
        response = await admin_client.post("/resources", json=body)
        answer = await response.json()
        assert response.status == 422 and answer["message"].startswith(field), (body, answer)
    response = await admin_client.patch("/resources/1", json={"slot_duration_minutes": 1})
    assert response.status == 422 and (await response.json())["message"].startswith("body.slot_duration_minutes")
    assert await db.fetchval("SELECT count(*) FROM resources WHERE id > 1") == 0
    assert await db.fetchval("SELECT count(*) FROM resources WHERE slot_duration_minutes IS NOT NULL") == 0
    for missing in ("/resources/99", "/resources/abc"):
        assert (await admin_client.get(missing)).status == 404
        assert (await admin_client.patch(missing, json={"active": False})).status == 404
