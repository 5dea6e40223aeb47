"""The event bus: every change is published here and fanned out to subscribers.

Two implementations share one interface. `LocalBus` delivers in-process.
`RedisBus` publishes on a Redis channel and delivers what it reads back, so an
event published on any process reaches the subscribers of every process
exactly once (including its own, via Redis, never twice).
"""
from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable

log = logging.getLogger("mawid.bus")

Subscriber = Callable[["Event"], None]
CHANNEL = "mawid:events"


def utc_timestamp() -> str:
    """The reference's envelope timestamp: UTC, second precision, `Z` suffix."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Event:
    type: str
    data: dict[str, Any]
    affected_entities: tuple[str, ...] = ()
    timestamp: str = field(default_factory=utc_timestamp)

    def envelope(self) -> dict[str, Any]:
        body: dict[str, Any] = {"type": self.type, "timestamp": self.timestamp, "data": self.data}
        if self.affected_entities:
            body["affected_entities"] = list(self.affected_entities)
        return body

    @classmethod
    def from_envelope(cls, body: dict[str, Any]) -> "Event":
        return cls(body["type"], body.get("data") or {}, tuple(body.get("affected_entities") or ()), body["timestamp"])


class LocalBus:
    def __init__(self) -> None:
        self._subscribers: list[Subscriber] = []

    def subscribe(self, subscriber: Subscriber) -> Callable[[], None]:
        """Subscribers are called synchronously and must not block (queue the event)."""
        self._subscribers.append(subscriber)
        return lambda: self._subscribers.remove(subscriber) if subscriber in self._subscribers else None

    def _deliver(self, event: Event) -> None:
        for subscriber in list(self._subscribers):
            try:
                subscriber(event)
            except Exception:
                log.exception("event subscriber failed", extra={"event_type": event.type})

    async def publish(self, event: Event) -> None:
        self._deliver(event)

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        self._subscribers.clear()


class RedisBus(LocalBus):
    def __init__(self, url: str) -> None:
        super().__init__()
        import redis.asyncio as redis

        self._redis = redis.from_url(url)
        self._pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        self._reader: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self._pubsub.subscribe(CHANNEL)
        self._reader = asyncio.create_task(self._read_loop(), name="redis-bus-reader")

    async def _read_loop(self) -> None:
        while True:
            try:
                message = await self._pubsub.get_message(timeout=1.0)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("redis bus read failed; retrying")
                await asyncio.sleep(1.0)
                continue
            if message and message.get("type") == "message":
                self._deliver(Event.from_envelope(json.loads(message["data"])))

    async def publish(self, event: Event) -> None:
        await self._redis.publish(CHANNEL, json.dumps(event.envelope(), ensure_ascii=False))

    async def close(self) -> None:
        if self._reader:
            self._reader.cancel()
            await asyncio.gather(self._reader, return_exceptions=True)
        await self._pubsub.aclose()
        await self._redis.aclose()
        await super().close()


def create_bus(redis_url: str | None) -> LocalBus:
    return RedisBus(redis_url) if redis_url else LocalBus()
