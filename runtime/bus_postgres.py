"""The event bus over PostgreSQL LISTEN/NOTIFY: several server processes without Redis.

`serve --workers N` runs N processes on one port. Without Redis they still need every event to reach every
process's WebSocket clients, whichever process made the change; the database they share carries it. Like the
Redis bus, an event published here is delivered to the subscribers of every process, its own included, once:
through the channel, never directly.

A notification's payload is limited (8000 bytes): a larger sequenced event is announced by its sequence
number alone, and each process reads it from the event log, in order with the others (one reader per
process handles notifications one at a time). While the listening connection is down, this process's own
events are delivered to its own subscribers directly, and the hub catches up on the others from the event
log (runtime/hub.py), as with the Redis bus.
"""
from __future__ import annotations

import asyncio
import itertools
import json
import logging
from typing import Any

import asyncpg

from runtime.bus import BUS_DEGRADED, Event, LocalBus
from runtime.db import QUERIES

log = logging.getLogger("mawid.bus")

CHANNEL = "mawid_events"
MAX_PAYLOAD = 7900  # bytes: PostgreSQL refuses notification payloads of 8000 bytes and more
RECONNECT_DELAY = 1.0
SEND_CONNECT_TIMEOUT = 2.0  # under the publish lock: a database that does not answer must not hold it long


class PostgresBus(LocalBus):
    def __init__(self, database_url: str, channel: str = CHANNEL) -> None:
        super().__init__()
        self.database_url = database_url
        self.channel = channel
        self.degraded_reason: str | None = None
        self._sender: asyncpg.Connection | None = None
        self._send_lock = asyncio.Lock()
        self._inbox: asyncio.Queue[str] = asyncio.Queue()
        self._listener: asyncpg.Connection | None = None
        self._reader: asyncio.Task[None] | None = None
        self._numbers = itertools.count()  # identical payloads in one statement would be folded into one

    def health(self) -> str:
        return "ok" if self.degraded_reason is None else f"degraded: {self.degraded_reason}"

    async def start(self) -> None:
        BUS_DEGRADED.set({}, 0)
        await self._listen()
        self._reader = asyncio.create_task(self._read_loop(), name="postgres-bus-reader")

    async def _listen(self) -> bool:
        try:
            self._listener = await asyncpg.connect(self.database_url, timeout=10)
            await self._listener.add_listener(self.channel, self._on_notification)
        except (TimeoutError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            self._degrade(exc)
            return False
        if self.degraded_reason is not None:
            self._recovered()
        return True

    def _recovered(self) -> None:
        log.warning("event bus recovered: cross-process fan-out through PostgreSQL again")
        self.degraded_reason = None
        BUS_DEGRADED.set({}, 0)

    def _degrade(self, exc: BaseException) -> None:
        if self.degraded_reason is None:
            log.warning("event bus degraded: %s; events stay in this process until PostgreSQL is back", exc)
        self.degraded_reason = f"postgres unreachable ({type(exc).__name__})"
        BUS_DEGRADED.set({}, 1)

    def _on_notification(self, connection: Any, pid: int, channel: str, payload: str) -> None:
        self._inbox.put_nowait(payload)

    async def _read_loop(self) -> None:
        while True:
            if self._listener is None or self._listener.is_closed():
                if not await self._listen():
                    await asyncio.sleep(RECONNECT_DELAY)
                    continue
            try:
                # asyncio.timeout, not wait_for: on Python 3.11 wait_for swallows a cancel that lands as the item
                # arrives, and close() then waited for this loop forever
                async with asyncio.timeout(RECONNECT_DELAY):
                    payload = await self._inbox.get()
            except TimeoutError:
                continue  # look at the connection again
            try:
                event = await self._decode(payload)
            except (ValueError, KeyError, TypeError):
                log.warning("unreadable event on %s; skipped", self.channel)
                continue
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                self._degrade(exc)  # the hub reads the event from the log once it notices the gap
                continue
            if event is not None:
                self._deliver(event)

    async def _decode(self, payload: str) -> Event | None:
        body = json.loads(payload)["event"]
        if "envelope_of" not in body:
            return Event.from_envelope(body)
        seq = int(body["envelope_of"])
        rows = await self._listener.fetch(QUERIES.realtime_events_between, seq - 1, seq + 1)
        if not rows:
            return None  # pruned already: a client that needs it gets a resync
        envelope = rows[0]["envelope"]  # jsonb: text on this bare connection (no codec)
        return Event.from_envelope({**(json.loads(envelope) if isinstance(envelope, str) else envelope), "seq": seq})

    def _payload(self, event: Event) -> str | None:
        text = json.dumps({"n": next(self._numbers), "event": event.envelope()}, ensure_ascii=False, default=str)
        if len(text.encode("utf-8")) <= MAX_PAYLOAD:
            return text
        if event.seq is None:
            return None
        return json.dumps({"n": next(self._numbers), "event": {"envelope_of": event.seq}})

    async def publish(self, event: Event) -> None:
        await self.publish_many([event])

    async def publish_many(self, events: list[Event]) -> None:
        payloads = [self._payload(event) for event in events]
        listening = self._listener is not None and not self._listener.is_closed()
        if None in payloads or not listening:
            # An unsequenced event too large to notify, or this process would not hear it back: its own
            # clients get the batch now; other processes read sequenced events from the log.
            for event in events:
                self._deliver(event)
            return
        try:
            async with self._send_lock:
                if self._sender is None or self._sender.is_closed():
                    self._sender = await asyncpg.connect(self.database_url, timeout=SEND_CONNECT_TIMEOUT)
                # One statement, one transaction: delivered together, in order, once it commits.
                await self._sender.execute(QUERIES.realtime_notify_many, self.channel, payloads)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self._degrade(exc)
            for event in events:
                self._deliver(event)
            return
        if self.degraded_reason is not None:
            self._recovered()

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            await asyncio.gather(self._reader, return_exceptions=True)
        for conn in (self._listener, self._sender):
            if conn is not None and not conn.is_closed():
                await conn.close()
        await super().close()
