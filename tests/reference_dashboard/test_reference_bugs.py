"""Reference bugs Mawid reproduced until now, each through the real HTTP stack (docs/decisions.md)."""
from __future__ import annotations

from actors.app_config.defaults import ramadan_ranges

WA = "966501234567"


async def test_post_config_keeps_first_boot_defaults_for_missing_keys(admin_client):
    empty = await admin_client.post("/api/config", json={})
    assert empty.status == 200
    stored = await (await admin_client.get("/api/config")).json()
    assert stored["custom_calendar_ranges"] == ramadan_ranges() != []  # Ramadan hours keep applying
    assert stored["calendar_columns"] != []
    explicit = await admin_client.post("/api/config", json={"custom_calendar_ranges": []})
    assert (await explicit.json())["custom_calendar_ranges"] == []
    assert (await (await admin_client.get("/api/config")).json())["custom_calendar_ranges"] == []


async def test_notifications_limit_zero_is_none_and_negative_is_refused(staff_client):
    await staff_client.post(f"/conversations/{WA}", json={"role": "user", "message": "hello"})
    many = await (await staff_client.get("/notifications")).json()
    assert many["data"], "the setup produced no notification"
    none = await staff_client.get("/notifications", params={"limit": "0"})
    assert none.status == 200 and await none.json() == {"success": True, "data": []}
    negative = await staff_client.get("/notifications", params={"limit": "-1"})
    assert negative.status == 422


async def test_invalid_wa_ids_store_nothing_anywhere(staff_client, db):
    attempts = [
        ("POST", "/conversations/xyz", {"role": "user", "message": "hi"}),
        ("DELETE", "/conversations/xyz", None),
        ("PUT", "/customers/not-a-phone", {"name": "X"}),
        ("PUT", "/customers/not-a-phone", {"document": {"a": 1}}),
        ("POST", "/whatsapp/message", {"wa_id": "xyz", "text": "hi"}),
        ("POST", "/typing", {"wa_id": "xyz", "typing": True}),
        ("POST", "/whatsapp/location", {"wa_id": "xyz", "latitude": 1, "longitude": 2}),
        ("POST", "/whatsapp/template", {"wa_id": "xyz", "template_name": "t"}),
        ("POST", "/reserve", {"id": "xyz", "title": "X", "date": "2030-01-01", "time": "11:00", "type": 0}),
        ("POST", "/reservations/xyz/modify_id", {"new_wa_id": "not-a-phone"}),
    ]
    events_before = await db.fetchval("SELECT count(*) FROM realtime_events")
    for method, path, body in attempts:
        response = await staff_client.request(method, path, json=body)
        answer = await response.json()
        assert response.status == 400 or answer.get("success") is False, (method, path, response.status, answer)
        assert "Traceback" not in str(answer)
    assert await db.fetchval("SELECT count(*) FROM customers") == 0
    assert await db.fetchval("SELECT count(*) FROM conversation") == 0
    assert await db.fetchval("SELECT count(*) FROM realtime_events") == events_before


async def test_an_existing_customer_with_an_old_style_id_stays_reachable(staff_client, db):
    """Adopted data may hold ids today's rules refuse: they can still be cleared, not newly created."""
    await db.execute("INSERT INTO customers (wa_id, customer_name) VALUES ('000000000000', 'Legacy')")
    appended = await staff_client.post("/conversations/000000000000", json={"role": "secretary", "message": "x"})
    assert (await appended.json())["success"] is True
    cleared = await staff_client.delete("/conversations/000000000000")
    assert (await cleared.json())["data"] == {"deleted": 1}


async def test_age_that_is_not_a_number_gets_a_plain_message(staff_client, db):
    response = await staff_client.put(f"/customers/{WA}", json={"age": "abc"})
    assert response.status == 400
    assert await response.json() == {"success": False, "message": "Age must be a whole number between 0 and 120"}
    assert await db.fetchval("SELECT count(*) FROM customers") == 0


async def test_undo_cancel_without_an_id_is_a_validation_error(staff_client):
    for body in ({}, {"reservation_id": None}, {"reservation_id": " "}):
        response = await staff_client.post("/undo-cancel", json=body)
        assert response.status == 422
        answer = await response.json()
        assert answer["success"] is False and "reservation_id is required" in answer["message"]
        assert "None" not in answer["message"]


async def test_modify_id_to_itself_or_onto_another_customer_changes_nothing(staff_client, db):
    other = "966507654321"
    await db.execute("INSERT INTO customers (wa_id, customer_name) VALUES ($1, 'Sara'), ($2, 'Other')", WA, other)
    same = await (await staff_client.post(f"/reservations/{WA}/modify_id", json={"new_wa_id": WA})).json()
    assert same == {"success": False, "message": "The new wa_id is the same as the old wa_id."}
    onto = await (await staff_client.post(f"/reservations/{WA}/modify_id",
                                          json={"new_wa_id": other, "customer_name": "Sara"})).json()
    assert onto["success"] is False and "already uses wa_id 966507654321" in onto["message"]
    rows = await db.fetch("SELECT wa_id, customer_name FROM customers ORDER BY wa_id")
    assert [tuple(r) for r in rows] == [(WA, "Sara"), (other, "Other")]
