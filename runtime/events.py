"""`publish`: the one way any component announces a change.

Whoever makes a change (an HTTP handler, an actor, an LLM tool, a job) calls
`await publish(services, type, data, affected_entities)`. Under one lock shared
by every process (a PostgreSQL advisory lock) the event is
1. checked against the reservation de-duplication window (runtime/dedup.py),
2. appended to the event log, which gives it its global sequence number `seq`
   and keeps it for reconnecting clients to replay (docs/realtime.md),
3. persisted to `notification_events` when it is one of the six notification
   types, with the envelope's exact timestamp,
4. put on the bus, still under the lock, so every process receives events in
   sequence order.
A failing publish is logged and never fails the operation that caused it; when
the event log is unreachable the event is still delivered live, without `seq`.
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Iterable

from runtime.bus import Event, utc_timestamp
from runtime.db import QUERIES
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
PRUNE_EVERY = 500  # prune the log once every this many sequence numbers
_LOCK_KEY = "events.publish_lock"


def envelope_time(timestamp: str) -> datetime:
    return datetime.strptime(timestamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)


async def persist(services: "Services", event: Event) -> None:
    async with services.require_pool().acquire() as conn, conn.transaction():
        await _persist_notification(conn, event)


async def _persist_notification(conn: "asyncpg.Connection", event: Event) -> None:
    await conn.execute(QUERIES.insert_notification_event, event.type, envelope_time(event.timestamp), event.data)
    await conn.execute(QUERIES.prune_notification_events, HISTORY_LIMIT)


async def _append(conn: "asyncpg.Connection", event: Event) -> int | None:
    """Sequence and record the event; None when the de-duplication window suppresses it."""
    key, state, priority = dedup_params(event.type, event.data)
    async with conn.transaction():
        seq = await conn.fetchval(QUERIES.realtime_append_event, event.type, event.envelope(), key, state, priority)
        if seq is None:
            return None
        if event.type in PERSISTED_TYPES:
            try:
                async with conn.transaction():  # a savepoint: history failing must not unsequence the event
                    await _persist_notification(conn, event)
            except Exception:
                log.exception("could not persist notification", extra={"event_type": event.type})
        if seq % PRUNE_EVERY == 0:
            await conn.execute(QUERIES.realtime_prune_events, REPLAY_WINDOW, seq)
    return seq


def _process_lock(services: "Services") -> asyncio.Lock:
    """Publishers of one process queue here, not on the database lock: one pool connection at most."""
    lock = services.extras.get(_LOCK_KEY)
    if lock is None:
        lock = services.extras[_LOCK_KEY] = asyncio.Lock()
    return lock


async def _sequence_and_send(services: "Services", event: Event) -> Event | None:
    if services.pool is None:
        return await _send_unsequenced(services.bus, event)
    async with _process_lock(services):
        return await _sequence_and_send_locked(services, event)


async def _sequence_and_send_locked(services: "Services", event: Event) -> Event | None:
    pool, bus = services.pool, services.bus
    try:
        conn_cm = pool.acquire()
        conn = await conn_cm.__aenter__()
    except Exception:
        log.exception("event log unreachable; delivering without a sequence number", extra={"event_type": event.type})
        return await _send_unsequenced(bus, event)
    try:
        await conn.execute(QUERIES.realtime_publish_lock)
        try:
            # Stamped under the lock, so timestamps never go backwards along the sequence.
            event = replace(event, timestamp=utc_timestamp())
            try:
                seq = await _append(conn, event)
            except Exception:
                log.exception("event log failed; delivering without a sequence number",
                              extra={"event_type": event.type})
                return await _send_unsequenced(bus, event)
            if seq is None:
                log.debug("reservation event suppressed by the de-duplication window",
                          extra={"event_type": event.type})
                return None
            event = replace(event, seq=seq)
            if bus is not None:
                await bus.publish(event)
        finally:
            await conn.execute(QUERIES.realtime_publish_unlock)
    finally:
        await conn_cm.__aexit__(None, None, None)
    return event


async def _send_unsequenced(bus: Any, event: Event) -> Event:
    if bus is not None:
        await bus.publish(event)
    return event


async def publish(
    services: "Services", event_type: str, data: dict[str, Any], affected_entities: Iterable[str] = ()
) -> Event | None:
    """Announce a change. Returns the event as sent (with `seq`), or None when it was suppressed."""
    event = Event(event_type, dict(data), tuple(str(e) for e in affected_entities if e))
    try:
        # Shielded: a caller cancelled mid-publish (client gone) must not lose the event or the lock.
        return await asyncio.shield(_sequence_and_send(services, event))
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("could not publish event", extra={"event_type": event.type})
        return event


def publish_threadsafe(
    services: "Services", loop: asyncio.AbstractEventLoop, event_type: str, data: dict[str, Any],
    affected_entities: Iterable[str] = (),
) -> "asyncio.Future[Event | None]":
    """For code running in a worker thread: hand the event to the service's loop (spec 40 §7.3)."""
    return asyncio.run_coroutine_threadsafe(publish(services, event_type, data, affected_entities), loop)
