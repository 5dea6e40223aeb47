"""Recovery paths: events lost on the bus with nothing after them, a write stuck past its timeout."""
from __future__ import annotations

import aiohttp

import handlers.ws as ws_module
from runtime.bus import Event
from runtime.event_publisher import append
from runtime.events import publish
from runtime.routes import Role
from runtime.services import SERVICES


async def test_a_lost_last_event_is_delivered_from_the_log(monkeypatch, aiohttp_client, app, token_for):
    monkeypatch.setattr(ws_module, "SWEEP_PERIOD", 0.02)
    monkeypatch.setattr(ws_module, "LOG_CHECK_PERIOD", 0.02)
    server = await aiohttp_client(app)
    services = app[SERVICES]
    _, token = await token_for(Role.VIEWER)
    ws = await server.session.ws_connect(server.make_url("/ws"), params={"token": token})
    first = await publish(services, "conversation_typing", {"wa_id": "1", "state": "start"}, ["1"])
    async with services.require_pool().acquire() as conn:  # logged, never on the bus, nothing follows
        lost = await append(conn, Event("conversation_typing", {"wa_id": "2", "state": "stop"}, ("2",)))
    got = []
    while len(got) < 2:
        body = await ws.receive_json(timeout=10)
        if body["type"] == "conversation_typing":
            got.append(body)
    assert [m["seq"] for m in got] == [first.seq, lost]
    assert got[1]["data"] == {"wa_id": "2", "state": "stop"}
    await ws.close()


async def test_a_write_stuck_past_the_timeout_drops_only_that_client(monkeypatch, aiohttp_client, app, token_for):
    monkeypatch.setattr(ws_module, "QUEUE_LIMIT", 100_000)  # never overflows: only the timeout can drop it
    monkeypatch.setattr(ws_module, "WRITE_TIMEOUT", 0.2)
    monkeypatch.setattr(ws_module, "SWEEP_PERIOD", 0.02)
    server = await aiohttp_client(app)
    services = app[SERVICES]
    hub = services.extras[ws_module.HUB_KEY]
    _, token = await token_for(Role.VIEWER)
    stuck = await server.session.ws_connect(server.make_url("/ws"), params={"token": token, "tab": "stuck"})
    fast = await server.session.ws_connect(server.make_url("/ws"), params={"token": token, "tab": "fast"})
    blob = "y" * 100_000
    sent = 0
    while hub.dropped == 0:
        assert sent < 2000, "the stuck client was never dropped"
        await publish(services, "customer_document_updated", {"wa_id": str(sent), "pad": blob}, [str(sent)])
        body = await fast.receive_json(timeout=10)
        assert body["data"]["wa_id"] == str(sent)
        sent += 1
    assert [c.tab for c in hub.connections] == ["fast"]
    while True:
        msg = await stuck.receive(timeout=10)
        if msg.type is not aiohttp.WSMsgType.TEXT:
            break
    if msg.type is aiohttp.WSMsgType.CLOSE:
        assert msg.data == 1011
    await fast.close()


async def test_too_much_missed_asks_for_a_resync_instead_of_flooding(monkeypatch, aiohttp_client, app, token_for):
    monkeypatch.setattr(ws_module, "QUEUE_LIMIT", 10)  # replays at most 5 events
    server = await aiohttp_client(app)
    services = app[SERVICES]
    events = [await publish(services, "conversation_typing", {"wa_id": str(i), "state": "start"}, [str(i)])
              for i in range(8)]
    _, token = await token_for(Role.VIEWER)
    behind = await server.session.ws_connect(server.make_url("/ws"), params={"token": token, "since": events[0].seq})
    body = await behind.receive_json(timeout=10)
    assert body["type"] == "resync" and body["data"] == {"reason": "too_many", "seq": events[-1].seq}
    close = await server.session.ws_connect(server.make_url("/ws"), params={"token": token, "since": events[3].seq})
    assert [(await close.receive_json(timeout=10))["seq"] for _ in range(4)] == [e.seq for e in events[4:]]
    await behind.close()
    await close.close()
