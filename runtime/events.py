"""`publish`: the one way any component announces a change.

Whoever makes a change (an HTTP handler, an actor, an LLM tool, a job) calls
`await publish(services, type, data, affected_entities)` — after its
transaction committed. Under one lock shared by every process (a PostgreSQL
advisory lock) the event is
1. checked against the reservation de-duplication window (runtime/dedup.py),
2. appended to the event log, which gives it its global sequence number `seq`
   and keeps it for reconnecting clients to replay (docs/realtime.md),
3. persisted to `notification_events` when it is one of the six notification
   types, with the envelope's exact timestamp,
4. put on the bus, still under the lock, so every process receives events in
   sequence order.
Events of one process are batched (runtime/event_publisher.py). A failing
publish is logged and never fails the operation that caused it; when the event
log is unreachable the event is still delivered live, without `seq`.
"""
from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any, Iterable

from runtime.bus import Event
from runtime.db import QUERIES
from runtime.event_publisher import (  # noqa: F401  (re-exported: the constants other modules read)
    HISTORY_LIMIT,
    PERSISTED_TYPES,
    REPLAY_WINDOW,
    Publisher,
    append,
    envelope_time,
)

if TYPE_CHECKING:
    from runtime.services import Services

log = logging.getLogger("mawid.events")


async def persist(services: "Services", event: Event) -> None:
    """Store one notification row directly (imports and repairs; `publish` already persists)."""
    async with services.require_pool().acquire() as conn, conn.transaction():
        await conn.execute(QUERIES.insert_notification_event, event.type, envelope_time(event.timestamp), event.data)
        await conn.execute(QUERIES.prune_notification_events, HISTORY_LIMIT)


async def publish(
    services: "Services", event_type: str, data: dict[str, Any], affected_entities: Iterable[str] = ()
) -> Event | None:
    """Announce a change. Returns the event as sent (with `seq`), or None when it was suppressed."""
    event = Event(event_type, dict(data), tuple(str(e) for e in affected_entities if e))
    try:
        if services.pool is None:
            if services.bus is not None:
                await services.bus.publish(event)
            return event
        # Shielded: a caller cancelled mid-publish (its client went away) must not lose the event.
        return await asyncio.shield(Publisher.of(services).submit(event))
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
