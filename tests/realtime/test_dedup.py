"""The reservation de-duplication window (spec 40 §7.2), fixed so real changes are never dropped."""
from __future__ import annotations

import asyncio

import pytest

from runtime.dedup import dedup_key, dedup_params, dedup_state
from runtime.events import publish
from runtime.routes import Role

WA = "966501234567"
SLOT = {"id": 7, "wa_id": WA, "date": "2030-03-04", "time_slot": "11:00", "type": 0, "customer_name": "Sara"}


@pytest.mark.parametrize("data,key", [
    ({"id": 7}, "id:7"), ({"id": "7"}, "id:7"), ({"id": None, "wa_id": "1", "date": "2030-01-01"},
                                                 "wa:1|d:2030-01-01|t:None"),
    ({"wa_id": "1"}, "wa:1|d:None|t:None"),
])
def test_keys_follow_the_reference(data, key):
    assert dedup_key(data) == key


def test_state_ignores_the_source_and_the_original_data():
    created = dedup_state("reservation_created", {**SLOT, "_source": "assistant"})
    updated = dedup_state("reservation_updated", {**SLOT, "status": "active", "_source": "frontend",
                                                  "original_data": {"date": "2030-03-01"}})
    assert created == updated
    assert dedup_state("reservation_cancelled", SLOT) != created
    assert dedup_params("conversation_typing", {}) == (None, None, None)


async def _events(services):
    async with services.require_pool().acquire() as conn:
        return [r["event_type"] for r in await conn.fetch("SELECT event_type FROM realtime_events ORDER BY seq")]


async def test_undo_right_after_create_is_delivered_and_persisted(connect, services, db):
    c = await connect(Role.VIEWER)
    assert await publish(services, "reservation_created", {**SLOT, "_source": "assistant"}, [WA])
    undo = await publish(services, "reservation_cancelled",
                         {"id": 7, "wa_id": WA, "date": SLOT["date"], "time_slot": "11:00", "_source": "undo"}, [WA])
    assert undo is not None
    await c.until("reservation_created")
    assert (await c.until("reservation_cancelled"))["data"]["_source"] == "undo"
    assert await db.fetchval("SELECT count(*) FROM notification_events") == 2


async def test_two_quick_moves_both_pass(services):
    assert await publish(services, "reservation_updated", {**SLOT, "time_slot": "12:00"}, [WA])
    assert await publish(services, "reservation_updated", {**SLOT, "time_slot": "13:00"}, [WA])


async def test_redundant_events_in_the_window_are_suppressed_and_not_persisted(services, db):
    assert await publish(services, "reservation_created", {**SLOT, "_source": "assistant"}, [WA])
    assert await publish(services, "reservation_created", {**SLOT, "_source": "assistant"}, [WA]) is None
    # the "created + updated" burst of one action: same resulting state, lower priority
    assert await publish(services, "reservation_updated", {**SLOT, "status": "active", "_source": "assistant",
                                                           "original_data": {}}, [WA]) is None
    assert await _events(services) == ["reservation_created"]
    assert await db.fetchval("SELECT count(*) FROM notification_events") == 1
    # higher priority always passes (a reinstatement after a cancel)
    assert await publish(services, "reservation_cancelled", {"id": 7, "wa_id": WA}, [WA])
    assert await publish(services, "reservation_reinstated", {**SLOT, "_source": "undo"}, [WA])


async def test_the_window_is_one_second(services, db):
    assert await publish(services, "reservation_created", dict(SLOT), [WA])
    await db.execute("UPDATE realtime_events SET created_at = created_at - interval '1.5 seconds'")
    assert await publish(services, "reservation_created", dict(SLOT), [WA])


async def test_concurrent_duplicates_are_accepted_once(services):
    results = await asyncio.gather(*(publish(services, "reservation_created", dict(SLOT), [WA]) for _ in range(12)))
    assert sum(r is not None for r in results) == 1
    assert await _events(services) == ["reservation_created"]
