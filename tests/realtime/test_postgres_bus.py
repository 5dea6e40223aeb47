"""The PostgreSQL LISTEN/NOTIFY bus (runtime/bus_postgres.py): two buses on one database stand for two worker
processes; each delivers every event once, in order, the publisher's own included."""
from __future__ import annotations

import asyncio
import json
import uuid

from runtime.bus import Event
from runtime.bus_postgres import MAX_PAYLOAD, PostgresBus
from runtime.event_publisher import append

SAFETY_NET = 30.0  # seconds before a missing delivery fails the test instead of hanging it (not a speed check)


async def _until(received: list, count: int) -> None:
    async with asyncio.timeout(SAFETY_NET):
        while len(received) < count:
            await asyncio.sleep(0.02)


async def test_every_bus_delivers_every_event_once_in_order(db_url, db):
    channel = f"mawid_test_{uuid.uuid4().hex}"
    one, two = PostgresBus(db_url, channel), PostgresBus(db_url, channel)
    await one.start()
    await two.start()
    heard_one: list[Event] = []
    heard_two: list[Event] = []
    one.subscribe(heard_one.append)
    two.subscribe(heard_two.append)
    try:
        # larger than a notification may carry: announced by its sequence number, read from the event log
        big = Event("conversation_new_message", {"wa_id": "966500000001", "message": "ب" * MAX_PAYLOAD})
        for kind in ("json", "jsonb"):  # as on the app's pool connections
            await db.set_type_codec(kind, encoder=json.dumps, decoder=json.loads, schema="pg_catalog")
        async with db.transaction():
            seq = await append(db, big)
        same = Event("conversation_typing", {"wa_id": "1", "typing": True}, timestamp="2026-01-01T00:00:00Z")
        sent = [Event("vacation_period_updated", {"n": 1}), same, same, Event(big.type, big.data, (), big.timestamp,
                                                                              seq),
                Event("vacation_period_updated", {"n": 2})]
        await one.publish_many(sent[:3])
        await two.publish_many(sent[3:])
        await _until(heard_one, 5)
        await _until(heard_two, 5)
        for heard in (heard_one, heard_two):
            assert [(e.type, e.data, e.seq) for e in heard] == [(e.type, e.data, e.seq) for e in sent]
        await one.publish(Event("vacation_period_updated", {"n": 3}))
        await _until(heard_two, 6)
        await _until(heard_one, 6)
        assert len(heard_one) == len(heard_two) == 6  # the publisher's own event came back once, not twice
    finally:
        await one.close()
        await two.close()


async def test_closing_as_a_notification_arrives_does_not_hang(db_url):
    """On Python 3.11 asyncio.wait_for swallowed the reader's cancel when a notification arrived in the same
    instant, and close() waited for the reader forever (a CI run timed out in a test that closed two buses)."""
    bus = PostgresBus(db_url, f"mawid_test_{uuid.uuid4().hex}")
    await bus.start()
    await asyncio.sleep(0.05)  # the reader now waits for its next notification
    payload = json.dumps({"n": 0, "event": Event("vacation_period_updated", {}).envelope()})
    bus._on_notification(None, 0, bus.channel, payload)  # what asyncpg calls as a notification comes in
    async with asyncio.timeout(SAFETY_NET):
        await bus.close()
