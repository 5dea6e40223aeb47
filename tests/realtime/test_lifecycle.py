"""Connection lifecycle: dead peers found by the heartbeat, shutdown closes with a code that reconnects."""
from __future__ import annotations

import asyncio

import aiohttp

import handlers.ws as ws_module
from runtime.routes import Role
from tests.support.servers import ServerProcess


async def test_a_peer_that_never_answers_pings_is_dropped(monkeypatch, aiohttp_client, app, token_for):
    monkeypatch.setattr(ws_module, "HEARTBEAT_SECONDS", 0.2)
    server = await aiohttp_client(app)
    hub = app[ws_module.SERVICES].extras[ws_module.HUB_KEY]
    _, token = await token_for(Role.VIEWER)
    # autoping off: protocol pings reach us and are never answered, like a vanished peer
    ws = await server.session.ws_connect(server.make_url("/ws"), params={"token": token}, autoping=False)
    while True:
        msg = await ws.receive(timeout=10)
        if msg.type not in (aiohttp.WSMsgType.PING, aiohttp.WSMsgType.PONG):
            break
    assert msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR)
    if msg.type is aiohttp.WSMsgType.CLOSE:
        assert msg.data != 1000
    while hub.connections:  # the handler unregisters as it unwinds
        await asyncio.sleep(0.01)


async def test_shutdown_closes_sockets_with_1001_so_dashboards_reconnect(env, token_for):
    server = ServerProcess(env).start()
    try:
        _, token = await token_for(Role.VIEWER)
        async with aiohttp.ClientSession() as session:
            ws = await session.ws_connect(server.url + "/ws", params={"token": token, "tab": "x"})
            await ws.send_json({"type": "ping"})
            assert (await ws.receive_json(timeout=10))["type"] == "pong"
            stopping = asyncio.create_task(asyncio.to_thread(server.stop))
            msg = await ws.receive(timeout=30)
            assert msg.type is aiohttp.WSMsgType.CLOSE and msg.data == 1001
            assert await stopping == 0
    finally:
        server.stop()
