"""`/customers/*`: names, profile reads and writes, flags, per-customer stats — and every write's event."""
from __future__ import annotations

import asyncio
import json
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WA = "966501234567"


def today() -> date:
    return datetime.now(ZoneInfo("Asia/Riyadh")).date()


async def test_names_always_include_the_system_agent(viewer_client, db):
    empty = await (await viewer_client.get("/customers/names")).json()
    assert empty["data"] == {"12125550123": {"wa_id": "12125550123", "customer_name": "Calendar AI Assistant",
                                             "is_blocked": False, "is_favorite": False}}
    await db.execute("INSERT INTO customers (wa_id, customer_name, is_favorite) VALUES ($1, 'أحمد محمد', true)", WA)
    await db.execute("INSERT INTO customers (wa_id, customer_name) VALUES ('12125550123', '')")
    await db.execute("INSERT INTO customers (wa_id) VALUES ('201012345678')")
    body = await (await viewer_client.get("/customers/names")).json()
    assert list(body["data"]) == ["12125550123", "201012345678", WA]
    assert body["data"]["12125550123"]["customer_name"] == "Calendar AI Assistant"
    assert body["data"][WA] == {"wa_id": WA, "customer_name": "أحمد محمد", "is_blocked": False, "is_favorite": True}


async def test_get_customer_effective_age(viewer_client, db):
    recorded = today() - timedelta(days=800)
    await db.execute(
        "INSERT INTO customers (wa_id, customer_name, age, age_recorded_at, document)"
        " VALUES ($1, 'Sara', 30, $2, $3::jsonb)",
        WA, recorded, json.dumps({"type": "tldraw", "snapshot": {}}))
    body = await (await viewer_client.get(f"/customers/{WA}")).json()
    assert body == {"success": True, "data": {
        "wa_id": WA, "name": "Sara", "age": 32, "age_recorded_at": recorded.isoformat(),
        "document": {"type": "tldraw", "snapshot": {}}}}
    assert await (await viewer_client.get("/customers/000000000000")).json() == {"success": True, "data": None}


async def test_put_name_age_document(staff_client, db, events):
    response = await staff_client.put(f"/customers/{WA}", json={"age": 41, "_call_source": "frontend"})
    assert response.status == 200
    assert await response.json() == {"success": True, "name": None,
                                     "age": {"wa_id": WA, "age": 41, "age_recorded_at": today().isoformat()},
                                     "document": None}
    renamed = await (await staff_client.put(
        f"/customers/{WA}", json={"name": "  Sara  ", "document": {"elements": []}})).json()
    # quirk 4 fixed: the real old name is reported, with wa_id
    assert renamed == {"success": True, "name": {"old_name": None, "new_name": "Sara", "wa_id": WA}, "age": None,
                       "document": {"elements": []}}
    same = await (await staff_client.put(f"/customers/{WA}", json={"name": "Sara"})).json()
    assert same["name"] == {"old_name": "Sara", "new_name": "Sara"}
    changed = await (await staff_client.put(f"/customers/{WA}", json={"name": "\\u0633\\u0627\\u0631\\u0629"})).json()
    assert changed["name"] == {"old_name": "Sara", "new_name": "سارة", "wa_id": WA}
    cleared = await (await staff_client.put(f"/customers/{WA}", json={"age": None})).json()
    assert cleared["age"] == {"wa_id": WA, "age": None, "age_recorded_at": None}
    doc_only = await (await staff_client.put(
        f"/customers/{WA}", json={"document": {"a": 1}, "_call_source": "frontend"})).json()
    assert doc_only == {"success": True, "document": {"a": 1}}
    row = await db.fetchrow("SELECT customer_name, age, age_recorded_at, document FROM customers WHERE wa_id = $1", WA)
    assert {**row, "document": json.loads(row["document"])} == {
        "customer_name": "سارة", "age": None, "age_recorded_at": None, "document": {"a": 1}}
    seen = [(e.type, e.data) for e in events]
    assert ("customer_document_updated", {"wa_id": WA, "_source": "frontend"}) in seen
    assert ("customer_document_updated", {"wa_id": WA, "_source": "assistant"}) in seen
    assert ("customer_updated", {"wa_id": WA, "phone": WA, "customer_name": "سارة", "_source": "assistant"}) in seen
    assert all(e.affected_entities == (WA,) for e in events)
    empty = await staff_client.put(f"/customers/{WA}", json={})
    assert await empty.json() == {"success": True, "name": None, "age": None, "document": None}


async def test_put_refusals_write_nothing(staff_client, db, events):
    cases = [
        ("abc", {"name": "Sara"}, "Phone number length is invalid (should be between 8-15 digits)."),
        ("966000000000", {"age": 30}, "Invalid phone number format."),
        ("000000000000", {"document": {}}, "Invalid phone number: (0) Could not interpret numbers after plus-sign."),
        (WA, {"name": "   "}, "Customer name has to be provided."),
        (WA, {"age": 121}, "Age must be between 0 and 120"),
        (WA, {"age": "abc"}, "Age must be a whole number between 0 and 120"),
        (WA, {"age": [3]}, "Age must be a whole number between 0 and 120"),
        (WA, {"name": "Sara", "age": -1}, "Age must be between 0 and 120"),
    ]
    for wa_id, payload, message in cases:
        response = await staff_client.put(f"/customers/{wa_id}", json=payload)
        body = await response.json()
        assert response.status == 400 and body["success"] is False, (wa_id, payload)
        if message:
            assert body["message"] == message
    arabic = await (await staff_client.put("/customers/abc", json={"name": "x", "ar": True})).json()
    assert arabic["message"].startswith("طول رقم الهاتف")
    assert (await staff_client.put(f"/customers/{WA}", json={"name": 5})).status == 422
    not_object = await staff_client.put(f"/customers/{WA}", data=b"[]", headers={"Content-Type": "application/json"})
    assert not_object.status == 422
    # quirk 5 fixed: no side-effect rows, no events
    assert await db.fetchval("SELECT count(*) FROM customers") == 0
    assert events == []


async def test_favorite_and_block(staff_client, viewer_client, db, events):
    missing = await (await staff_client.post(f"/customers/{WA}/favorite", json={"favorite": True})).json()
    assert missing == {"success": False, "message": (
        "Customer with phone number not found. The phone number may have been changed already.")}
    await db.execute("INSERT INTO customers (wa_id) VALUES ($1)", WA)
    fav = await (await staff_client.post(f"/customers/{WA}/favorite", json={"favorite": True})).json()
    assert fav == {"success": True, "data": {"wa_id": WA, "is_favorite": True}}
    blocked = await (await staff_client.post(f"/customers/{WA}/block", json={})).json()  # default true
    assert blocked == {"success": True, "data": {"wa_id": WA, "is_blocked": True}}
    unblocked = await (await staff_client.post(f"/customers/{WA}/block", json={"blocked": False})).json()
    assert unblocked["data"]["is_blocked"] is False
    again = await (await staff_client.post(f"/customers/{WA}/block", json={"blocked": False})).json()
    assert again["success"] is True
    for bad in ({"favorite": "false"}, {"favorite": 0}, {"favorite": None}):
        assert (await staff_client.post(f"/customers/{WA}/favorite", json=bad)).status == 422  # quirk 3
    assert (await viewer_client.post(f"/customers/{WA}/favorite", json={"favorite": False})).status == 403
    assert [(e.type, e.data) for e in events] == [
        ("customer_favorite_updated", {"wa_id": WA, "is_favorite": True, "_source": "backend"}),
        ("customer_block_updated", {"wa_id": WA, "is_blocked": True, "_source": "backend"}),
        ("customer_block_updated", {"wa_id": WA, "is_blocked": False, "_source": "backend"}),
        ("customer_block_updated", {"wa_id": WA, "is_blocked": False, "_source": "backend"}),
    ]
    assert dict(await db.fetchrow("SELECT is_favorite, is_blocked FROM customers WHERE wa_id = $1", WA)) == {
        "is_favorite": True, "is_blocked": False}


async def test_customer_stats(viewer_client, db):
    assert (await (await viewer_client.get("/customers/abc/stats")).json()) == {
        "success": False, "message": "Phone number length is invalid (should be between 8-15 digits)."}
    missing = await viewer_client.get("/customers/966500000001/stats")
    assert missing.status == 404 and (await missing.json())["success"] is False
    await db.execute("INSERT INTO customers (wa_id, customer_name) VALUES ($1, 'Sara')", WA)
    empty = await (await viewer_client.get(f"/customers/{WA}/stats")).json()
    assert empty["data"]["first_message"] is None and empty["data"]["last_message"] is None
    for day, clock in ((date(2025, 3, 2), time(9)), (date(2025, 3, 1), time(10)), (None, None)):
        await db.execute("INSERT INTO conversation (wa_id, role, message, local_date, local_time)"
                         " VALUES ($1, 'tool', 'x', $2, $3)", WA, day, clock)
    await db.execute("INSERT INTO reservations (wa_id, slot_date, slot_time, type, status, cancelled_at)"
                     " VALUES ($1, '2025-03-05', '11:00', 1, 'cancelled', now()),"
                     " ($1, '2025-03-04', '13:00', 0, 'active', NULL)", WA)
    data = (await (await viewer_client.get(f"/customers/{WA}/stats")).json())["data"]
    assert data["message_count"] == 3 and data["reservation_count"] == 2
    assert data["first_message"] == {"date": "2025-03-01", "time": "10:00:00"}
    assert data["last_message"] == {"date": None, "time": None}  # NULL dates sort first descending
    assert [(r["date"], r["time_slot"], r["type"], r["status"], r["cancelled"]) for r in data["reservations"]] == [
        ("2025-03-04", "13:00", 0, "active", False), ("2025-03-05", "11:00", 1, "cancelled", True)]
    assert set(data["reservations"][0]) == {"id", "date", "time_slot", "type", "status", "cancelled"}


async def test_concurrent_writes_to_one_customer_stay_consistent(staff_client, db, events):
    """Name, age, document and favorite race over HTTP; the actor applies them one at a time."""
    http = staff_client
    await db.execute("INSERT INTO customers (wa_id) VALUES ($1)", WA)
    writes = []
    for i in range(10):
        writes += [
            http.put(f"/customers/{WA}", json={"name": f"Name {i}"}),
            http.put(f"/customers/{WA}", json={"age": 20 + i}),
            http.put(f"/customers/{WA}", json={"document": {"version": i}}),
            http.post(f"/customers/{WA}/favorite", json={"favorite": i % 2 == 0}),
            http.post(f"/conversations/{WA}", json={"role": "user", "message": f"m{i}"}),
        ]
    responses = await asyncio.gather(*writes)
    assert [r.status for r in responses] == [200] * len(writes)
    row = await db.fetchrow(
        "SELECT customer_name, age, age_recorded_at, document, is_favorite FROM customers WHERE wa_id = $1", WA)
    # every column holds one of the written values, and the age and its date were written together
    assert row["customer_name"] in {f"Name {i}" for i in range(10)}
    assert 20 <= row["age"] <= 29 and row["age_recorded_at"] == today()
    assert json.loads(row["document"]) in [{"version": i} for i in range(10)]
    assert await db.fetchval("SELECT count(*) FROM conversation WHERE wa_id = $1", WA) == 10
    # the last event of each kind matches the stored state: events were published in the order applied
    last = {}
    for event in events:
        last[event.type] = event.data
    assert last["customer_favorite_updated"]["is_favorite"] == row["is_favorite"]
    assert last["customer_updated"]["customer_name"] == row["customer_name"]
    assert len([e for e in events if e.type == "conversation_new_message"]) == 10
