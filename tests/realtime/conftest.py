"""Real WebSocket clients against a real server (aiohttp's test server on loopback)."""
from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
import pytest

import handlers.health
import handlers.notifications
import handlers.ws as ws_module
from runtime.app import base_app
from runtime.routes import Role, register
from runtime.services import SERVICES

RECEIVE_TIMEOUT = 10.0  # a safety net against hangs, not an assertion about speed


class Client:
    """A WebSocket client with helpers to wait for a given message type."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.received: list[dict[str, Any]] = []

    async def send(self, message: Any) -> None:
        await self.ws.send_str(message if isinstance(message, str) else json.dumps(message))

    async def next(self) -> dict[str, Any]:
        msg = await self.ws.receive(timeout=RECEIVE_TIMEOUT)
        if msg.type is not aiohttp.WSMsgType.TEXT:
            raise AssertionError(f"expected a text frame, got {msg.type} {msg.data!r} {msg.extra!r}")
        body = json.loads(msg.data)
        self.received.append(body)
        return body

    async def until(self, type_: str, skip: tuple[str, ...] = ("metrics_updated",)) -> dict[str, Any]:
        """The next message of this type; other types are kept in `received`."""
        while True:
            body = await self.next()
            if body["type"] == type_:
                return body

    async def ask(self, message: Any, reply_type: str) -> dict[str, Any]:
        await self.send(message)
        return await self.until(reply_type)

    async def close(self) -> None:
        await self.ws.close()


def realtime_app(config):
    """The core plus the realtime features only, so other features' work in progress cannot break these tests."""
    app = base_app(config)
    for module in (handlers.health, handlers.notifications, ws_module):
        register(app, list(getattr(module, "ROUTES", ())))
        if hasattr(module, "setup"):
            module.setup(app)
    return app


@pytest.fixture
def app(config):
    return realtime_app(config)


@pytest.fixture(autouse=True)
def quiet_metrics(monkeypatch):
    """No 5-second metrics pushes in between (a dedicated test turns them on)."""
    monkeypatch.setattr(ws_module, "METRICS_PERIOD", 3600.0)


@pytest.fixture
async def server(client):
    """The running test server (aiohttp's TestClient wraps a real TCP server)."""
    return client


@pytest.fixture
def hub(app):
    return app[SERVICES].extras[ws_module.HUB_KEY]


@pytest.fixture
def services(app, server):
    """The started app's services (pool, bus, hub)."""
    return app[SERVICES]


@pytest.fixture
async def connect(server, token_for):
    """`await connect(Role.STAFF, tab="t1", since=3)` -> Client."""
    opened: list[Client] = []

    async def open_(role: Role | None = Role.STAFF, **params: Any) -> Client:
        query = {k: str(v) for k, v in params.items() if v is not None}
        if role is not None:
            _, token = await token_for(role)
            query["token"] = token
        ws = await server.session.ws_connect(server.make_url("/ws"), params=query, autoping=True)
        client = Client(ws)
        opened.append(client)
        return client

    yield open_
    for client in opened:
        if not client.ws.closed:
            await client.ws.close()


async def drain_until(client: Client, predicate, limit: int = 10_000) -> list[dict[str, Any]]:
    got = []
    for _ in range(limit):
        body = await client.next()
        got.append(body)
        if predicate(body):
            return got
    raise AssertionError("predicate never satisfied")


async def settle() -> None:
    await asyncio.sleep(0)
