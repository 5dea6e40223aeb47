"""Isolation, ordering and catch-up: slow clients, reconnect with the last sequence number, resync."""
from __future__ import annotations

import asyncio

import aiohttp

import handlers.ws as ws_module
from runtime.events import publish
from runtime.routes import Role


async def typing(services, i: int):
    return await publish(services, "conversation_typing", {"wa_id": str(i), "state": "start"}, [str(i)])


def sequenced(messages):
    return [m for m in messages if m.get("seq") is not None and m["type"] not in ("pong", "snapshot")]


async def test_reconnect_with_last_sequence_receives_exactly_what_was_missed(connect, services):
    first = await connect(Role.VIEWER, tab="t")
    for i in range(3):
        await typing(services, i)
    seen = [await first.until("conversation_typing") for _ in range(3)]
    last = seen[-1]["seq"]
    await first.close()

    missed = [await typing(services, i) for i in range(3, 8)]
    again = await connect(Role.VIEWER, tab="t", since=last)
    live = await typing(services, 8)
    got = []
    while not got or got[-1]["seq"] != live.seq:
        got.append(await again.until("conversation_typing"))
    assert [m["seq"] for m in got] == [e.seq for e in missed] + [live.seq]
    assert [m["data"]["wa_id"] for m in got] == [str(i) for i in range(3, 9)]
    # nothing twice: a ping behind everything shows no further events were queued
    await again.ask({"type": "ping"}, "pong")
    assert len(sequenced(again.received)) == 6


async def test_catch_up_races_with_live_publishing_and_delivers_each_event_once(connect, services):
    start = await typing(services, 0)

    async def producer():
        return [await typing(services, i) for i in range(1, 120)]

    producing = asyncio.create_task(producer())
    await asyncio.sleep(0)  # let the producer start: the replay and live events overlap
    c = await connect(Role.VIEWER, since=start.seq)
    events = await producing
    got = []
    while not got or got[-1]["seq"] != events[-1].seq:
        got.append(await c.until("conversation_typing"))
    assert [m["seq"] for m in got] == [e.seq for e in events]  # in order, no gap, no duplicate


async def test_resume_command_and_resync_when_too_old_or_unknown(connect, services, db):
    base = [await typing(services, i) for i in range(5)]
    c = await connect(Role.VIEWER)
    await c.send({"type": "resume", "since": base[2].seq})
    got = [await c.until("conversation_typing") for _ in range(2)]
    assert [m["seq"] for m in got] == [base[3].seq, base[4].seq]

    await db.execute("DELETE FROM realtime_events WHERE seq <= $1", base[3].seq)  # pruned beyond the window
    old = await connect(Role.VIEWER, since=base[0].seq)
    resync = await old.until("resync")
    assert resync["data"] == {"reason": "too_old", "seq": base[4].seq}

    future = await connect(Role.VIEWER, since=10**9)
    assert (await future.until("resync"))["data"]["reason"] == "unknown_sequence"
    fine = await connect(Role.VIEWER, since=base[3].seq)  # everything after it is still in the log
    assert (await fine.until("conversation_typing"))["seq"] == base[4].seq


async def test_slow_client_is_dropped_and_never_delays_a_fast_one(monkeypatch, aiohttp_client, app, token_for,
                                                                 services):
    monkeypatch.setattr(ws_module, "QUEUE_LIMIT", 8)
    server = await aiohttp_client(app)
    hub = app[ws_module.SERVICES].extras[ws_module.HUB_KEY]
    _, token = await token_for(Role.VIEWER)
    slow = await server.session.ws_connect(server.make_url("/ws"), params={"token": token, "tab": "slow"})
    fast = await server.session.ws_connect(server.make_url("/ws"), params={"token": token, "tab": "fast"})
    blob = "x" * 200_000
    total = 200
    received = 0
    for i in range(total):
        await publish(services, "customer_document_updated", {"wa_id": str(i), "pad": blob}, [str(i)])
        # the fast client reads as it goes; the slow one never reads
        while received <= i:
            body = await fast.receive_json(timeout=10)
            assert body["data"]["wa_id"] == str(received)
            received += 1
    assert received == total
    assert hub.dropped == 1 and [c.tab for c in hub.connections] == ["fast"]
    # the slow client finds its connection ended before all events, never with 1000 (it must reconnect)
    count = 0
    while True:
        msg = await slow.receive(timeout=10)
        if msg.type is not aiohttp.WSMsgType.TEXT:
            break
        count += 1
    assert count < total
    assert msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR)
    if msg.type is aiohttp.WSMsgType.CLOSE:
        assert msg.data == 1013
    await fast.close()


async def test_events_missed_on_the_bus_are_read_back_from_the_log_in_order(connect, services, hub):
    from runtime.bus import Event
    from runtime.event_publisher import append  # logging without publishing = a bus message that got lost

    c = await connect(Role.VIEWER)
    first = await typing(services, 1)
    async with services.require_pool().acquire() as conn:
        lost = [await append(conn, Event("conversation_typing", {"wa_id": str(i), "state": "start"}, (str(i),)))
                for i in (2, 3)]
    after = await typing(services, 4)
    got = [await c.until("conversation_typing") for _ in range(4)]
    assert [m["seq"] for m in got] == [first.seq, *lost, after.seq]
    assert [m["data"]["wa_id"] for m in got] == ["1", "2", "3", "4"]
    assert hub.gaps_filled == 2


async def test_a_reconnect_replays_the_opt_in_events_it_names_on_the_upgrade(connect, services):
    first = await connect(Role.VIEWER, tab="t")
    await first.ask({"type": "subscribe", "data": {"types": ["config_updated"]}}, "subscribe_ack")
    seen = await publish(services, "config_updated", {"id": 1})
    assert (await first.until("config_updated"))["seq"] == seen.seq
    await first.close()

    missed = await publish(services, "config_updated", {"id": 1})
    await typing(services, 1)
    named = await connect(Role.VIEWER, tab="t", since=seen.seq, subscribe="config_updated,not_a_type")
    assert (await named.until("config_updated"))["seq"] == missed.seq
    unnamed = await connect(Role.VIEWER, tab="u", since=seen.seq)  # opt-in still means opt-in
    await unnamed.until("conversation_typing")
    await unnamed.ask({"type": "ping"}, "pong")
    assert not [m for m in unnamed.received if m["type"] == "config_updated"]
    await named.ask({"type": "subscribe", "data": {"types": []}}, "subscribe_ack")  # kept, not reset
    again = await publish(services, "config_updated", {"id": 1})
    assert (await named.until("config_updated"))["seq"] == again.seq
