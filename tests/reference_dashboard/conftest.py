"""The reference's Next.js dashboard, replayed frame by frame and request by request.

Read from its source (`app/frontend`): it sends no credentials at all — the browser `fetch`es the
backend on another origin without cookies, and opens `/ws?tab=<sessionStorage id>` — so it works
only from `TRUSTED_NETWORKS`. On connect it sends `get_snapshot` (no `set_filter`: it configures
none), then `get_notifications {limit: 100}`, then `ping` every 25 s. A cancel from the calendar's
context menu is a WS `cancel_reservation {wa_id, date, ar}` that resolves as soon as it is sent;
the calendar refetches `GET /reservations?future=…&from_date=…&to_date=…&include_cancelled=…` at
once. A drag-and-drop move is a WS `modify_reservation` awaited for its ack or matching event.
"""
from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
import pytest

from actors.reservation.context import CLOCK_KEY
from runtime.services import SERVICES
from tests.reservations.conftest import EXAMPLE_NOW

DASHBOARD_ORIGIN = "http://localhost:3000"
REST_HEADERS = {"Content-Type": "application/json", "Origin": DASHBOARD_ORIGIN}
RECEIVE_TIMEOUT = 10.0  # a safety net against hangs, not an assertion about speed


@pytest.fixture
def env(env):
    return {**env, "TRUSTED_NETWORKS": "127.0.0.1/32"}


@pytest.fixture
def clock(app):
    """The business clock of spec 20 §13 (Sunday 2025-06-01 12:30, Riyadh): known open slots."""
    app[SERVICES].extras[CLOCK_KEY] = lambda: EXAMPLE_NOW


class DashboardSocket:
    """The dashboard's one WebSocket, opened and greeted the way its connection handler does."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.received: list[dict[str, Any]] = []

    async def send(self, message: dict[str, Any]) -> None:
        await self.ws.send_str(json.dumps(message))

    async def next(self) -> dict[str, Any]:
        frame = await self.ws.receive(timeout=RECEIVE_TIMEOUT)
        assert frame.type is aiohttp.WSMsgType.TEXT, (frame.type, frame.data)
        body = json.loads(frame.data)
        self.received.append(body)
        return body

    async def until(self, *types: str) -> dict[str, Any]:
        while True:
            body = await self.next()
            if body["type"] in types:
                return body


@pytest.fixture
async def dashboard(client):
    """`await dashboard(tab)` -> an open, greeted DashboardSocket (no token, no cookie)."""
    opened: list[DashboardSocket] = []

    async def open_(tab: str = "k3j9x1-lq8z0a") -> DashboardSocket:
        ws = await client.session.ws_connect(client.make_url("/ws"), params={"tab": tab},
                                             headers={"Origin": DASHBOARD_ORIGIN})
        socket = DashboardSocket(ws)
        opened.append(socket)
        await socket.send({"type": "get_snapshot"})
        await socket.until("snapshot")
        await socket.send({"type": "get_notifications", "data": {"limit": 100}})
        await socket.until("notifications_history")
        return socket

    yield open_
    for socket in opened:
        await socket.ws.close()


class RawHttp:
    """HTTP/1.1 requests written byte by byte on their own connections, so the order in which two
    requests reach the server is the order they were written (as a browser's two fetches are)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port

    async def open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        return await asyncio.open_connection(self.host, self.port)

    @staticmethod
    async def write(writer: asyncio.StreamWriter, method: str, target: str, body: Any = None) -> None:
        payload = b"" if body is None else json.dumps(body).encode()
        head = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1", "Connection: close",
                *(f"{name}: {value}" for name, value in REST_HEADERS.items()), f"Content-Length: {len(payload)}"]
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + payload)
        await writer.drain()

    @staticmethod
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> tuple[int, Any]:
        raw = await asyncio.wait_for(reader.read(), RECEIVE_TIMEOUT)
        writer.close()
        head, _, body = raw.partition(b"\r\n\r\n")
        return int(head.split(b" ", 2)[1]), json.loads(body)


@pytest.fixture
def raw_http(client):
    return RawHttp(client.host, client.port)
