"""`publish`: the one way any component announces a change.

Whoever makes a change (an HTTP handler, an actor, an LLM tool, a job) calls
`await publish(services, type, data, affected_entities)`. The six notification
types are persisted to `notification_events` with the envelope's exact
timestamp, then the event goes out on the bus to every process's hub.
A failing publish is logged and never fails the operation that caused it.
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Iterable

from runtime.bus import Event
from runtime.db import QUERIES

if TYPE_CHECKING:
    from runtime.services import Services

log = logging.getLogger("mawid.events")

PERSISTED_TYPES = frozenset({
    "reservation_created", "reservation_updated", "reservation_reinstated", "reservation_cancelled",
    "conversation_new_message", "vacation_period_updated",
})
HISTORY_LIMIT = 100


def envelope_time(timestamp: str) -> datetime:
    return datetime.strptime(timestamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)


async def persist(services: "Services", event: Event) -> None:
    async with services.require_pool().acquire() as conn, conn.transaction():
        await conn.execute(QUERIES.insert_notification_event, event.type, envelope_time(event.timestamp), event.data)
        await conn.execute(QUERIES.prune_notification_events, HISTORY_LIMIT)


async def publish(
    services: "Services", event_type: str, data: dict[str, Any], affected_entities: Iterable[str] = ()
) -> Event | None:
    event = Event(event_type, dict(data), tuple(str(e) for e in affected_entities if e))
    if event.type in PERSISTED_TYPES:
        try:
            await persist(services, event)
        except Exception:
            log.exception("could not persist notification", extra={"event_type": event.type})
    try:
        if services.bus is not None:
            await services.bus.publish(event)
    except Exception:
        log.exception("could not publish event", extra={"event_type": event.type})
    return event
