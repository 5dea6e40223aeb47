"""The conversation actor: appends, flags and profile writes, each announced on the bus."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from actors.conversation.messages import AppendMessage, SetFavorite


async def test_append_creates_customer_stores_local_time_and_publishes(conversation, events, db):
    when = datetime(2025, 3, 1, 21, 30, 5, tzinfo=timezone.utc)  # 00:30:05 next day in Riyadh
    item = await conversation("966501234567").ask(AppendMessage("user", "مرحبا", source="assistant", when=when))
    assert item["date"] == "2025-03-02" and item["time"] == "00:30:05"
    assert isinstance(item["id"], int)
    row = await db.fetchrow("SELECT customer_name FROM customers WHERE wa_id = '966501234567'")
    assert row is not None and row["customer_name"] is None
    [event] = [e for e in events if e.type == "conversation_new_message"]
    assert event.data == {
        "wa_id": "966501234567", "role": "user", "message": "مرحبا", "date": "2025-03-02", "time": "00:30:05",
        "_source": "assistant",
    }
    assert event.affected_entities == ("966501234567",)
    stored = await db.fetchval("SELECT count(*) FROM notification_events WHERE event_type = 'conversation_new_message'")
    assert stored == 1


async def test_append_method_is_callable_from_inside_the_actor(services, conversation):
    from actors.conversation.actor import ConversationActor

    # other actors' code (the assistant turn) calls actor.append directly on the instance
    actor = ConversationActor("12125550123", services)
    item = await actor.append("assistant", "hello")
    assert item["role"] == "assistant"
    async with services.pool.acquire() as conn:
        name = await conn.fetchval("SELECT customer_name FROM customers WHERE wa_id = '12125550123'")
    assert name == "Calendar AI Assistant"


async def test_favorite_on_missing_customer_is_refused(conversation, events):
    from actors.conversation.messages import CustomerRefusal

    try:
        await conversation("966501234567").ask(SetFavorite(True))
    except CustomerRefusal as refusal:
        assert refusal.body["success"] is False and refusal.status == 200
    else:
        raise AssertionError("expected a refusal")
    assert not events


async def test_delete_customer_removes_everything_and_announces(conversation, events, db):
    from actors.conversation.messages import DeleteCustomer

    await conversation("966501234567").ask(AppendMessage("user", "hi"))
    await db.execute("INSERT INTO reservations (wa_id, slot_date, slot_time, type) VALUES"
                     " ('966501234567', '2025-03-04', '11:00', 0)")
    assert await conversation("966501234567").ask(DeleteCustomer()) == 3
    assert await db.fetchval("SELECT count(*) FROM customers") == 0
    assert [e.type for e in events][-1] == "customer_deleted"
    assert await conversation("966501234567").ask(DeleteCustomer()) == 0


async def test_a_failing_message_leaves_the_actor_serving(conversation, db):
    import asyncpg

    # an empty role breaks the table's check inside the handler: the asker gets that error, nothing is stored
    with pytest.raises(asyncpg.CheckViolationError, match="conversation_role_check"):
        await conversation("966501234567").ask(AppendMessage("", "boom"))
    item = await conversation("966501234567").ask(AppendMessage("assistant", "still here"))
    assert item["message"] == "still here"
    assert [r["message"] for r in await db.fetch("SELECT message FROM conversation")] == ["still here"]
