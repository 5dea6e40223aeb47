"""Two deployments left on one Redis channel (REDIS_CHANNEL is one per deployment, but it defaults to the same
name): each drops the other's events instead of showing them on its dashboards; replicas of one deployment
and untagged publishers (an older process, the command line) still reach each other."""
from __future__ import annotations

import asyncio
import uuid

from runtime.bus import Event, RedisBus
from runtime.config import load_config
from runtime.events import publish
from tests.ops.support import running_services
from tests.support.database import create_test_database, drop_test_database


async def _started(redis_url: str, channel: str, origin: str | None) -> tuple[RedisBus, list[Event]]:
    bus = RedisBus(redis_url, channel, origin)
    seen: list[Event] = []
    bus.subscribe(seen.append)
    await bus.start()
    return bus, seen


async def _settle(*seen: list[Event], count: int) -> None:
    for _ in range(200):
        if all(len(s) >= count for s in seen):
            return
        await asyncio.sleep(0.01)


async def test_a_bus_drops_events_of_another_origin_and_takes_untagged_ones(redis_url):
    channel = f"mawid:test:{uuid.uuid4().hex}"
    buses = [await _started(redis_url, channel, origin) for origin in ("A", "A", "B", None)]
    (a1, a1_seen), (_, a2_seen), (_, b_seen), (legacy, legacy_seen) = buses
    try:
        await a1.publish(Event("conversation_typing", {"wa_id": "1"}, (), "2026-12-07T00:00:00Z", 1))
        await legacy.publish(Event("conversation_typing", {"wa_id": "2"}, (), "2026-12-07T00:00:00Z", 2))
        await _settle(a1_seen, a2_seen, legacy_seen, count=2)
        await asyncio.sleep(0.1)  # anything B would wrongly get has arrived by now
        assert [e.data["wa_id"] for e in a2_seen] == ["1", "2"]  # a replica of A, and the untagged one
        assert [e.data["wa_id"] for e in legacy_seen] == ["1", "2"]  # an older process takes everything
        assert [e.data["wa_id"] for e in b_seen] == ["2"]  # A's event is not B's
        assert buses[2][0].foreign_dropped == 1
    finally:
        for bus, _ in buses:
            await bus.close()


async def test_two_deployments_on_one_channel_do_not_see_each_others_events(env, redis_url):
    other_url = await create_test_database()
    channel = f"mawid:test:{uuid.uuid4().hex}"
    shared = {**env, "REDIS_URL": redis_url, "REDIS_CHANNEL": channel}
    try:
        async with running_services(load_config(shared)) as clinic, \
                running_services(load_config({**shared, "DATABASE_URL": other_url})) as other:
            assert clinic.bus.origin and other.bus.origin and clinic.bus.origin != other.bus.origin
            assert clinic.accounts.bus.origin == clinic.bus.origin  # account announcements are tagged alike
            clinic_seen, other_seen = [], []
            clinic.bus.subscribe(clinic_seen.append)
            other.bus.subscribe(other_seen.append)
            await publish(clinic, "conversation_typing", {"wa_id": "966500000001", "state": "start"},
                          ["966500000001"])
            await _settle(clinic_seen, count=1)
            await asyncio.sleep(0.2)
            assert [e.data["wa_id"] for e in clinic_seen] == ["966500000001"]
            assert other_seen == []
            assert other.bus.foreign_dropped == 1
    finally:
        await drop_test_database(other_url)
