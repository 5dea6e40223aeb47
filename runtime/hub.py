"""The realtime hub: one per process, fanning events out to its WebSocket connections.

Each connection owns a bounded send queue and one writer task, so a slow or dead
client only ever fills its own queue: when the queue overflows, or one write
stays stuck longer than the write timeout, that client is closed with a code the
dashboard reconnects after (1013 / 1011, never 1000) and everyone else carries on.
The hub receives every event from the bus (local or Redis), encodes it once and
offers the same text to each connection whose filter accepts it. Everything runs
on the event loop, so the registry needs no lock.
"""
from __future__ import annotations

import asyncio
import json
import logging
from collections import deque
from typing import Any, Awaitable, Callable, Iterable

from aiohttp import WSCloseCode, web

from runtime.bus import Event, utc_timestamp

log = logging.getLogger("mawid.hub")

FetchMissing = Callable[[int, int], Awaitable[list[dict[str, Any]]]]

CLOSE_REPLACED = WSCloseCode.OK  # the reference's code: the replaced tab must not come back (Quirk Q11)
CLOSE_SLOW = WSCloseCode.TRY_AGAIN_LATER  # 1013: queue overflow, the dashboard reconnects and catches up
CLOSE_STUCK = WSCloseCode.INTERNAL_ERROR  # 1011: one write blocked past the timeout
CLOSE_SHUTDOWN = WSCloseCode.GOING_AWAY  # 1001: this process stops, reconnect elsewhere


def encode(message: dict[str, Any]) -> str:
    return json.dumps(message, ensure_ascii=False, default=str)


def reply(reply_type: str, data: Any = None, error: str | None = None, **extra: Any) -> dict[str, Any]:
    """A direct reply: `{"type", "timestamp"}` plus `data` and/or top-level `error` (spec 40 §3.2)."""
    body: dict[str, Any] = {"type": reply_type, "timestamp": utc_timestamp()}
    if data is not None:
        body["data"] = data
    if error is not None:
        body["error"] = error
    body.update(extra)
    return body


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
        self.update_types: frozenset[str] | None = None
        self.entity_ids: frozenset[str] | None = None
        self.queue: deque[str] = deque()
        self.holding: list[Event] | None = None  # events arriving while a replay is being sent
        self.floor = 0  # sequence numbers up to here were already sent by a replay
        self.closed = False
        self.write_started: float | None = None
        self._wakeup: asyncio.Future[None] | None = None
        self.writer = asyncio.create_task(self._write_loop(), name="ws-writer")

    def set_filter(self, filters: dict[str, Any]) -> None:
        # camelCase wins when both spellings exist and it is non-empty (spec 40 §4.2).
        types = filters.get("updateTypes") or filters.get("update_types")
        entities = filters.get("entityIds") or filters.get("entity_ids")
        self.update_types = _string_set(types)
        self.entity_ids = _string_set(entities)

    def accepts(self, event: Event) -> bool:
        if self.update_types is not None and event.type not in self.update_types:
            return False
        if self.entity_ids is not None and event.affected_entities:
            return any(entity in self.entity_ids for entity in event.affected_entities)
        return True

    def send(self, text: str) -> bool:
        """Queue one frame; overflowing the queue drops this client (never blocks the caller)."""
        if self.closed:
            return False
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

    def deliver(self, event: Event, text: str) -> None:
        if self.holding is not None:
            self.holding.append(event)
        elif (event.seq is None or event.seq > self.floor) and self.accepts(event):
            self.send(text)

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


class Hub:
    def __init__(self, *, queue_limit: int = 1024, write_timeout: float = 10.0) -> None:
        self.queue_limit = queue_limit
        self.write_timeout = write_timeout
        self.connections: dict[Connection, None] = {}  # insertion-ordered set
        self.tabs: dict[str, Connection] = {}
        self.last_seq = 0
        self._recent: deque[int] = deque(maxlen=4096)
        self._recent_set: set[int] = set()
        self._tasks: set[asyncio.Task[Any]] = set()
        self.dropped = 0
        # Reads logged events (after, before) from the shared log: set by the owner of the database.
        self.fetch_missing: FetchMissing | None = None
        self._filling: list[Event] | None = None  # events held while a gap is being filled
        self.gaps_filled = 0

    # -- registry -----------------------------------------------------------------------------

    def connect(self, ws: web.WebSocketResponse, request: web.Request, tab: str | None, user: Any) -> Connection:
        conn = Connection(self, ws, request, tab or None, user)
        if conn.tab is not None:
            previous = self.tabs.get(conn.tab)
            if previous is not None and previous is not conn:
                self.drop(previous, CLOSE_REPLACED, "replaced by a newer connection of this tab")
            self.tabs[conn.tab] = conn
        self.connections[conn] = None
        return conn

    def disconnect(self, conn: Connection) -> None:
        conn.closed = True
        self.connections.pop(conn, None)
        if conn.tab is not None and self.tabs.get(conn.tab) is conn:
            del self.tabs[conn.tab]
        if not conn.writer.done():
            conn.writer.cancel()

    def drop(self, conn: Connection, code: int, reason: str) -> None:
        """Unregister and close one connection in the background; never waits on the peer."""
        if conn.closed:
            return
        if code != CLOSE_REPLACED:
            self.dropped += 1
            log.info("dropping websocket client: %s", reason, extra={"tab": conn.tab, "code": int(code)})
        self.disconnect(conn)
        self._spawn(self._close(conn, code, reason))

    async def _close(self, conn: Connection, code: int, reason: str) -> None:
        try:
            async with asyncio.timeout(2.0):
                await conn.ws.close(code=code, message=reason.encode())
        except (Exception, asyncio.CancelledError):
            pass
        finally:
            if conn.transport is not None and not conn.transport.is_closing():
                conn.transport.abort()

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- fan-out ------------------------------------------------------------------------------

    def dispatch(self, event: Event) -> None:
        """Bus subscriber: offer the event to every connection (synchronous, never blocks).

        A jump in sequence numbers means this process missed events on the bus (a Redis
        reconnect, a publisher that died between logging and publishing): later events are
        held while the missing ones are read from the shared log, so clients still receive
        every event, in order.
        """
        if event.seq is not None:
            if event.seq in self._recent_set:
                return  # the same sequence number twice: deliver once
            if self._filling is not None:
                self._filling.append(event)
                return
            if self.last_seq and event.seq > self.last_seq + 1 and self.fetch_missing is not None:
                self._filling = [event]
                self._spawn(self._fill(self.last_seq, event.seq))
                return
            self._remember(event.seq)
        self._fan_out(event)

    def _remember(self, seq: int) -> None:
        if len(self._recent) == self._recent.maxlen:
            self._recent_set.discard(self._recent[0])
        self._recent.append(seq)
        self._recent_set.add(seq)
        self.last_seq = max(self.last_seq, seq)

    async def _fill(self, after: int, before: int) -> None:
        try:
            missing = await self.fetch_missing(after, before) if self.fetch_missing else []
        except Exception:
            log.exception("could not read missed events from the log")
            missing = []
        held, self._filling = self._filling or [], None
        for body in missing:
            event = Event.from_envelope(body)
            if event.seq is not None and event.seq not in self._recent_set:
                self._remember(event.seq)
                self._fan_out(event)
                self.gaps_filled += 1
        # Numbers still absent were never committed (a rolled-back publish): nothing to wait for.
        self.last_seq = max(self.last_seq, before - 1)
        for event in held:
            self.dispatch(event)

    def _fan_out(self, event: Event) -> None:
        if not self.connections:
            return
        text = encode(event.envelope())
        for conn in list(self.connections):
            conn.deliver(event, text)

    def replay(self, conn: Connection, envelopes: Iterable[dict[str, Any]]) -> None:
        """Send logged events, then release what arrived meanwhile, each sequence number once."""
        sent_up_to = 0
        for body in envelopes:
            event = Event.from_envelope(body)
            sent_up_to = max(sent_up_to, event.seq or 0)
            if conn.accepts(event):
                conn.send(encode(body))
        self.release(conn, sent_up_to)

    def release(self, conn: Connection, sent_up_to: int) -> None:
        held, conn.holding = conn.holding or [], None
        conn.floor = max(conn.floor, sent_up_to)
        for event in held:
            if event.seq is None or event.seq > sent_up_to:
                if conn.accepts(event):
                    conn.send_json(event.envelope())

    # -- housekeeping -------------------------------------------------------------------------

    def sweep(self, now: float) -> None:
        """Drop connections whose current write has been stuck past the timeout."""
        for conn in list(self.connections):
            started = conn.write_started
            if started is not None and now - started > self.write_timeout:
                self.drop(conn, CLOSE_STUCK, "write timed out")

    async def close_all(self, code: int = CLOSE_SHUTDOWN, reason: str = "server shutting down") -> None:
        for conn in list(self.connections):
            self.drop(conn, code, reason)
        if self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def stats(self) -> dict[str, int]:
        return {"connections": len(self.connections), "tabs": len(self.tabs), "dropped": self.dropped,
                "last_seq": self.last_seq}
