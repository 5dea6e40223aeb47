"""The per-process publisher: sequences queued events in batches under the global lock.

Publishing one event at a time costs a lock, a transaction and an unlock each
(a dozen database round trips); under load that capped a process at a few
hundred events per second and kept pool connections waiting on the lock. Here
every `publish` of a process joins one queue; a single task drains it, taking
the cross-process advisory lock once per batch: one transaction appends the
batch (each event still checked against the de-duplication window in order,
seeing the ones before it), then the batch goes on the bus in sequence order,
then the lock is released. The task holds one pool connection while there is
work and ends when the queue is empty.
"""
from __future__ import annotations

import asyncio
import logging
from collections import deque
from dataclasses import replace
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from runtime.bus import Event, utc_timestamp
from runtime.db import QUERIES, holding_session_state
from runtime.dedup import dedup_params

if TYPE_CHECKING:
    import asyncpg

    from runtime.services import Services

log = logging.getLogger("mawid.events")

PERSISTED_TYPES = frozenset({
    "reservation_created", "reservation_updated", "reservation_reinstated", "reservation_cancelled",
    "conversation_new_message", "vacation_period_updated",
})
HISTORY_LIMIT = 100
REPLAY_WINDOW = 10_000  # events kept in the log for reconnecting clients
PRUNE_EVERY = 500  # prune the log each time the sequence passes a multiple of this
MAX_BATCH = 200
EXTRAS_KEY = "events.publisher"

Pending = tuple[Event, "asyncio.Future[Event | None]"]


def envelope_time(timestamp: str) -> datetime:
    return datetime.strptime(timestamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)


async def append(conn: "asyncpg.Connection", event: Event) -> int | None:
    """Sequence and record one event (caller holds the lock, inside a transaction); None if suppressed."""
    key, state, priority = dedup_params(event.type, event.data)
    return await conn.fetchval(
        QUERIES.realtime_append_event, event.type, event.envelope(), key, state, priority,
        event.type in PERSISTED_TYPES, envelope_time(event.timestamp), event.data,
    )


class Publisher:
    def __init__(self, services: "Services") -> None:
        self.services = services
        self.queue: deque[Pending] = deque()
        self.task: asyncio.Task[None] | None = None

    @classmethod
    def of(cls, services: "Services") -> "Publisher":
        publisher = services.extras.get(EXTRAS_KEY)
        if publisher is None:
            publisher = services.extras[EXTRAS_KEY] = cls(services)
        return publisher

    def submit(self, event: Event) -> "asyncio.Future[Event | None]":
        future: asyncio.Future[Event | None] = asyncio.get_running_loop().create_future()
        self.queue.append((event, future))
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self._drain(), name="event-publisher")
        return future

    async def _drain(self) -> None:
        # The outer loop also picks up events queued while the connection was being released:
        # `submit` starts no new task while this one runs.
        while self.queue:
            try:
                async with self.services.require_pool().acquire() as conn:
                    while self.queue:
                        batch = [self.queue.popleft() for _ in range(min(len(self.queue), MAX_BATCH))]
                        try:
                            await self._publish(conn, batch)
                        except BaseException:
                            await asyncio.shield(self._unsequenced(batch))  # nobody waits forever
                            raise
            except Exception:
                log.exception("event log unreachable; delivering without sequence numbers")
                # What is queued now is still delivered live, so nobody waits on a broken database.
                await self._unsequenced([self.queue.popleft() for _ in range(len(self.queue))])

    async def _publish(self, conn: "asyncpg.Connection", batch: list[Pending]) -> None:
        with holding_session_state(conn):
            await conn.execute(QUERIES.realtime_publish_lock)
            try:
                results = await self._sequence(conn, batch)
            finally:
                await conn.execute(QUERIES.realtime_publish_unlock)
        for (_, future), result in zip(batch, results):
            if not future.done():
                future.set_result(result)

    async def _sequence(self, conn: "asyncpg.Connection", batch: list[Pending]) -> list[Event | None]:
        """Under the lock: append the batch to the log, then put it on the bus in sequence order."""
        stamp = utc_timestamp()  # under the lock: timestamps never go backwards along the sequence
        stamped = [(replace(event, timestamp=stamp), future) for event, future in batch]
        try:
            results = await self._append_batch(conn, stamped)
        except Exception:
            log.exception("event log failed; delivering a batch without sequence numbers")
            await self._unsequenced(stamped)
            return [event for event, _ in stamped]
        accepted = [event for event in results if event is not None]
        try:
            if accepted and self.services.bus is not None:
                await self.services.bus.publish_many(accepted)
        except Exception:
            log.exception("bus publish failed; processes catch up from the event log")
        return results

    async def _append_batch(self, conn: "asyncpg.Connection", batch: list[Pending]) -> list[Event | None]:
        results: list[Event | None] = []
        async with conn.transaction():
            await conn.execute(QUERIES.realtime_relaxed_commit)
            for event, _ in batch:
                seq = await append(conn, event)
                results.append(None if seq is None else replace(event, seq=seq))
            sequenced = [e.seq for e in results if e is not None and e.seq is not None]
            if any(e is not None and e.type in PERSISTED_TYPES for e in results):
                await conn.execute(QUERIES.prune_notification_events, HISTORY_LIMIT)
            if sequenced and sequenced[-1] // PRUNE_EVERY != (sequenced[0] - 1) // PRUNE_EVERY:
                await conn.execute(QUERIES.realtime_prune_events, REPLAY_WINDOW, sequenced[-1])
        return results

    async def _unsequenced(self, batch: list[Pending]) -> None:
        events = [event for event, _ in batch]
        try:
            if self.services.bus is not None:
                await self.services.bus.publish_many(events)
        except Exception:
            log.exception("could not deliver events")
        for event, future in batch:
            if not future.done():
                future.set_result(event)


def pending_count(services: "Services") -> int:
    publisher: Any = services.extras.get(EXTRAS_KEY)
    return len(publisher.queue) if publisher is not None else 0
