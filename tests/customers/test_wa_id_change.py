"""Changing a customer's WhatsApp id: one transaction, nothing lost (spec 30 §3.11, quirk 9)."""
from __future__ import annotations

import json
from datetime import date, time

from actors.conversation.wa_id_change import change_customer_wa_id

OLD, NEW = "966501234567", "966507654321"


async def seed_old(db, **columns):
    await db.execute(
        "INSERT INTO customers (wa_id, customer_name, age, age_recorded_at, document, is_blocked, is_favorite)"
        " VALUES ($1, 'Sara', 30, '2025-01-01', $2::jsonb, true, true)", OLD, json.dumps({"notes": 1}))
    await db.execute("INSERT INTO conversation (wa_id, role, message, local_date, local_time)"
                     " VALUES ($1, 'user', 'hi', '2025-03-01', '10:00')", OLD)
    ids = [await db.fetchval("INSERT INTO reservations (wa_id, slot_date, slot_time, type) VALUES ($1, $2, $3, $4)"
                             " RETURNING id", OLD, day, slot, kind)
           for day, slot, kind in ((date(2025, 3, 4), time(11), 0), (date(2025, 3, 9), time(13), 1))]
    return ids


async def test_move_to_a_new_id_keeps_everything(services, db, events):
    await seed_old(db)
    result = await change_customer_wa_id(services, "+966 50 123 4567", NEW)
    assert result == {"success": True, "message": "wa_id modified successfully.",
                      "data": {"wa_id": NEW, "customer_name": "Sara"}}
    row = await db.fetchrow("SELECT * FROM customers WHERE wa_id = $1", NEW)
    assert (row["customer_name"], row["age"], row["is_blocked"], row["is_favorite"]) == ("Sara", 30, True, True)
    assert json.loads(row["document"]) == {"notes": 1}
    assert row["last_user_message_at"] is not None
    assert await db.fetchval("SELECT count(*) FROM customers WHERE wa_id = $1", OLD) == 0
    assert await db.fetchval("SELECT count(*) FROM conversation WHERE wa_id = $1", NEW) == 1
    assert await db.fetchval("SELECT count(*) FROM reservations WHERE wa_id = $1", NEW) == 2
    updates = [e for e in events if e.type == "reservation_updated"]
    assert len(updates) == 2 and all(e.affected_entities == (NEW,) for e in updates)
    assert updates[0].data == {
        "id": updates[0].data["id"], "wa_id": NEW, "date": "2025-03-04", "time_slot": "11:00", "type": 0,
        "customer_name": "Sara", "_source": "modify_id",
        "original_data": {"wa_id": OLD, "date": "2025-03-04", "time_slot": "11:00", "type": 0, "customer_name": "Sara"},
    }
    [customer] = [e for e in events if e.type == "customer_updated"]
    assert customer.data == {"wa_id": NEW, "phone": NEW, "customer_name": "Sara", "_source": "backend"}


async def test_an_id_already_in_use_is_refused_and_nothing_changes(services, db, events):
    """The reference merged the two customers and overwrote the target's name: data loss. Refused."""
    await seed_old(db)
    await db.execute("INSERT INTO customers (wa_id, customer_name, is_favorite) VALUES ($1, 'Other', false)", NEW)
    before = [dict(r) for r in await db.fetch("SELECT * FROM customers ORDER BY wa_id")]
    result = await change_customer_wa_id(services, OLD, NEW, customer_name="Sara", source="assistant")
    assert result == {"success": False, "message": f"Another customer already uses wa_id {NEW}; nothing was "
                      "changed. Merging two customers is not done by changing an id."}
    assert [dict(r) for r in await db.fetch("SELECT * FROM customers ORDER BY wa_id")] == before
    assert await db.fetchval("SELECT count(*) FROM reservations WHERE wa_id = $1", OLD) == 2
    assert await db.fetchval("SELECT count(*) FROM conversation WHERE wa_id = $1", OLD) == 1
    assert events == []


async def test_quiet_sources_and_refusals(services, db, events):
    await seed_old(db)
    quiet = await change_customer_wa_id(services, OLD, NEW, source="frontend")
    assert quiet["success"] is True
    assert [e.type for e in events] == ["customer_updated"] and events[0].data["_source"] == "frontend"
    same = await change_customer_wa_id(services, NEW, "+" + NEW)
    # The reference answered success for this no-op; it is refused, plainly.
    assert same == {"success": False, "message": "The new wa_id is the same as the old wa_id."}
    missing = await change_customer_wa_id(services, OLD, "966500000009")
    assert missing["success"] is False and missing["message"].startswith("Customer with phone number not found")
    empty = await change_customer_wa_id(services, NEW, None)
    assert empty == {"success": False, "message": "Phone number length is invalid (should be between 8-15 digits)."}
    broken = await change_customer_wa_id(services, NEW, "966000")
    assert broken["success"] is False and "modify_customer_wa_id" in broken["message"]  # development mode detail
    assert await db.fetchval("SELECT count(*) FROM customers WHERE wa_id = $1", NEW) == 1
