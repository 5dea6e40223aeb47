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
import logging
import time
from collections import deque
from typing import Any, Awaitable, Callable, Iterable

from aiohttp import web
from aioprometheus import Counter, Gauge, Histogram

from runtime.bus import Event
from runtime.hub_connection import (  # noqa: F401  (reply, encode: the wire helpers, re-exported)
    CLOSE_REPLACED,
    CLOSE_SHUTDOWN,
    CLOSE_SLOW,
    CLOSE_STUCK,
    Connection,
    encode,
    reply,
    text_frame,
)
from runtime.metrics import REGISTRY

log = logging.getLogger("mawid.hub")

FANOUT_SECONDS = Histogram(
    "realtime_fanout_seconds", "Time to hand one event to every connection of this process",
    registry=REGISTRY, buckets=[0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0],
)
CONNECTIONS = Gauge("realtime_connections", "Open WebSocket connections of this process", registry=REGISTRY)
DROPPED = Counter("realtime_clients_dropped_total", "WebSocket clients dropped, by reason", registry=REGISTRY)

FetchMissing = Callable[[int, int], Awaitable[list[dict[str, Any]]]]


def _tab_key(conn: Connection) -> tuple[str, str]:
    return str(getattr(conn.user, "id", "")), conn.tab or ""


class Hub:
    def __init__(self, *, queue_limit: int = 1024, write_timeout: float = 10.0) -> None:
        self.queue_limit = queue_limit
        self.write_timeout = write_timeout
        self.connections: dict[Connection, None] = {}  # insertion-ordered set
        # Tab ids are chosen by clients, so they are only unique within one account: another user's
        # socket can never be replaced by sending its tab id.
        self.tabs: dict[tuple[str, str], Connection] = {}
        self.last_seq = 0
        self._recent: deque[int] = deque(maxlen=4096)
        self._recent_set: set[int] = set()
        self._tasks: set[asyncio.Task[Any]] = set()
        self.dropped = 0
        # Reads logged events (after, before) from the shared log: set by the owner of the database.
        self.fetch_missing: FetchMissing | None = None
        self._filling: list[Event] | None = None  # events held while a gap is being filled
        self.gaps_filled = 0
        self.pending_newest = 0  # the log's newest seq at the previous check (handlers/ws.py)

    # -- registry -----------------------------------------------------------------------------

    def connect(self, ws: web.WebSocketResponse, request: web.Request, tab: str | None, user: Any) -> Connection:
        conn = Connection(self, ws, request, tab or None, user)
        if conn.tab is not None:
            key = _tab_key(conn)
            previous = self.tabs.get(key)
            if previous is not None and previous is not conn:
                self.drop(previous, CLOSE_REPLACED, "replaced by a newer connection of this tab")
            self.tabs[key] = conn
        self.connections[conn] = None
        CONNECTIONS.set({}, len(self.connections))
        return conn

    def disconnect(self, conn: Connection) -> None:
        conn.closed = True
        self.connections.pop(conn, None)
        CONNECTIONS.set({}, len(self.connections))
        if conn.tab is not None and self.tabs.get(_tab_key(conn)) is conn:
            del self.tabs[_tab_key(conn)]
        if not conn.writer.done():
            conn.writer.cancel()

    def drop(self, conn: Connection, code: int, reason: str) -> None:
        """Unregister and close one connection in the background; never waits on the peer."""
        if conn.closed:
            return
        conn.close_code = code  # should the socket's handler close it first, it uses this code
        if code != CLOSE_REPLACED:
            self.dropped += 1
            DROPPED.inc({"reason": reason})
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

    def catch_up(self, newest: int) -> None:
        """The log is ahead of what this process delivered (bus messages lost, nothing since):
        deliver the rest from the log, as for a gap."""
        if self._filling is None and self.fetch_missing is not None and newest > self.last_seq:
            self._filling = []
            self._spawn(self._fill(self.last_seq, newest + 1))

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
        started = time.perf_counter()
        text = encode(event.envelope())
        frame = text_frame(text)  # built once: server frames are unmasked, identical for every client
        for conn in list(self.connections):
            conn.deliver(event, text, frame)
        FANOUT_SECONDS.observe({}, time.perf_counter() - started)

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
