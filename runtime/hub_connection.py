"""One WebSocket connection of the hub: its filter, its bounded queue and the task writing it.

Also the wire helpers shared by the hub and the commands: JSON encoding (UTF-8,
Arabic unescaped), direct replies, and a pre-built text frame so a fan-out
encodes an event once for every client.
"""
from __future__ import annotations

import asyncio
import json
import logging
import struct
from collections import deque
from typing import TYPE_CHECKING, Any

from aiohttp import WSCloseCode, web

from runtime.bus import Event, utc_timestamp

if TYPE_CHECKING:
    from runtime.hub import Hub

log = logging.getLogger("mawid.hub")

CLOSE_REPLACED = WSCloseCode.OK  # the reference's code: the replaced tab must not come back (Quirk Q11)
CLOSE_SLOW = WSCloseCode.TRY_AGAIN_LATER  # 1013: queue overflow, the dashboard reconnects and catches up
CLOSE_STUCK = WSCloseCode.INTERNAL_ERROR  # 1011: one write blocked past the timeout
CLOSE_SHUTDOWN = WSCloseCode.GOING_AWAY  # 1001: this process stops, reconnect elsewhere


FAST_PATH_BUFFER = 64 * 1024  # bytes already waiting in the transport above which frames go to the queue


def encode(message: dict[str, Any]) -> str:
    return json.dumps(message, ensure_ascii=False, default=str)


def text_frame(text: str) -> bytes:
    """One final, unmasked, uncompressed WebSocket text frame (RFC 6455 §5.2)."""
    payload = text.encode("utf-8")
    size = len(payload)
    if size < 126:
        header = struct.pack("!BB", 0x81, size)
    elif size < 65536:
        header = struct.pack("!BBH", 0x81, 126, size)
    else:
        header = struct.pack("!BBQ", 0x81, 127, size)
    return header + payload


def reply(reply_type: str, data: Any = None, error: str | None = None, **extra: Any) -> dict[str, Any]:
    """A direct reply: `{"type", "timestamp"}` plus `data` and/or top-level `error` (spec 40 §3.2)."""
    body: dict[str, Any] = {"type": reply_type, "timestamp": utc_timestamp()}
    if data is not None:
        body["data"] = data
    if error is not None:
        body["error"] = error
    body.update(extra)
    return body


# Broadcast types the reference never sends: only connections that subscribe receive them, since the
# reference dashboard turns every frame type it does not know into a notification.
OPT_IN_TYPES = frozenset({"config_updated", "metrics_updated", "reservation_attendance", "reservation_confirmed",
                          "resource_created", "resource_updated"})


def _string_set(value: Any) -> frozenset[str] | None:
    # Only a non-empty list of strings filters (Quirk Q15); anything else means "accept all".
    if not isinstance(value, list):
        return None
    items = frozenset(v for v in value if isinstance(v, str))
    return items or None


class Connection:
    """One WebSocket: its filter, its bounded queue of encoded frames and the task writing them."""

    def __init__(self, hub: "Hub", ws: web.WebSocketResponse, request: web.Request, tab: str | None,
                 user: Any) -> None:
        self.hub = hub
        self.ws = ws
        self.transport = request.transport
        self.tab = tab
        self.user = user
        self.claims: Any = None  # the access token's claims (runtime.auth.Claims); None for a trusted network
        self.update_types: frozenset[str] | None = None
        self.entity_ids: frozenset[str] | None = None
        self.opted_in: frozenset[str] = frozenset()  # of OPT_IN_TYPES, what this client subscribed to
        self.queue: deque[str] = deque()
        self.holding: list[Event] | None = None  # events arriving while a replay is being sent
        self.floor = 0  # sequence numbers up to here were already sent by a replay
        self.closed = False
        self.close_code: int = WSCloseCode.OK  # set by the hub when it drops the connection
        self.write_started: float | None = None
        self._wakeup: asyncio.Future[None] | None = None
        self.writer = asyncio.create_task(self._write_loop(), name="ws-writer")

    def set_filter(self, filters: dict[str, Any]) -> None:
        # camelCase wins when both spellings exist and it is non-empty (spec 40 §4.2).
        types = filters.get("updateTypes") or filters.get("update_types")
        entities = filters.get("entityIds") or filters.get("entity_ids")
        self.update_types = _string_set(types)
        self.entity_ids = _string_set(entities)

    def subscribe(self, types: Any) -> frozenset[str]:
        """Adds the opt-in types asked for (others are not subscribable); returns all subscribed."""
        asked = _string_set(types) or frozenset()
        self.opted_in = self.opted_in | (asked & OPT_IN_TYPES)
        return self.opted_in

    def accepts(self, event: Event) -> bool:
        if event.type in OPT_IN_TYPES and event.type not in self.opted_in:
            return False
        if self.update_types is not None and event.type not in self.update_types:
            return False
        if self.entity_ids is not None and event.affected_entities:
            return any(entity in self.entity_ids for entity in event.affected_entities)
        return True

    def send(self, text: str, frame: bytes | None = None) -> bool:
        """Send one text frame now if the socket takes it, else queue it; overflow drops this client.

        The fast path writes the pre-built frame straight to the transport when nothing is
        queued or being written and the kernel is keeping up: no task switch per client, so a
        fan-out to thousands of sockets costs one write each. Otherwise the frame waits in
        the bounded queue for this connection's writer task. Never blocks the caller.
        """
        if self.closed:
            return False
        transport = self.transport
        if (not self.queue and self.write_started is None and transport is not None
                and not transport.is_closing() and not self.ws.closed
                and transport.get_write_buffer_size() < FAST_PATH_BUFFER):
            transport.write(frame if frame is not None else text_frame(text))
            return True
        if len(self.queue) >= self.hub.queue_limit:
            self.hub.drop(self, CLOSE_SLOW, "send queue overflow")
            return False
        self.queue.append(text)
        waiter = self._wakeup
        if waiter is not None and not waiter.done():
            waiter.set_result(None)
        return True

    def send_json(self, message: dict[str, Any]) -> bool:
        return self.send(encode(message))

    def deliver(self, event: Event, text: str, frame: bytes) -> None:
        if self.holding is not None:
            self.holding.append(event)
        elif (event.seq is None or event.seq > self.floor) and self.accepts(event):
            self.send(text, frame)

    async def _write_loop(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while not self.closed:
                if not self.queue:
                    self._wakeup = loop.create_future()
                    await self._wakeup
                    self._wakeup = None
                    continue
                text = self.queue.popleft()
                self.write_started = loop.time()
                await self.ws.send_str(text)
                self.write_started = None
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the peer went away mid-write
            log.debug("websocket write failed: %s", exc)
            self.hub.drop(self, CLOSE_STUCK, "write failed")
