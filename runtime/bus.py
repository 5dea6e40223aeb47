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
    # Global sequence number (docs/realtime.md); None for events that are not sequenced
    # (per-process metrics pushes, or when the event log was unreachable).
    seq: int | None = None

    def envelope(self) -> dict[str, Any]:
        body: dict[str, Any] = {"type": self.type, "timestamp": self.timestamp, "data": self.data}
        if self.affected_entities:
            body["affected_entities"] = list(self.affected_entities)
        if self.seq is not None:
            body["seq"] = self.seq
        return body

    @classmethod
    def from_envelope(cls, body: dict[str, Any]) -> "Event":
        seq = body.get("seq")
        return cls(body["type"], body.get("data") or {}, tuple(body.get("affected_entities") or ()),
                   body["timestamp"], seq if isinstance(seq, int) else None)


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

    async def publish_many(self, events: list[Event]) -> None:
        """Several events, delivered in list order."""
        for event in events:
            self._deliver(event)

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        self._subscribers.clear()


class RedisBus(LocalBus):
    def __init__(self, url: str, channel: str = CHANNEL) -> None:
        super().__init__()
        self.channel = channel
        import redis.asyncio as redis

        # The health check keeps an idle subscription verified, so a silently dropped connection is
        # noticed and re-established (redis-py re-subscribes the channel on reconnect).
        self._redis = redis.from_url(url, health_check_interval=15, socket_keepalive=True)
        self._pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        self._reader: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self._pubsub.subscribe(self.channel)
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
                try:
                    event = Event.from_envelope(json.loads(message["data"]))
                except (ValueError, KeyError, TypeError):
                    log.warning("unreadable event on %s; skipped", self.channel)
                    continue
                self._deliver(event)

    async def publish(self, event: Event) -> None:
        await self._redis.publish(self.channel, self._encode(event))

    async def publish_many(self, events: list[Event]) -> None:
        # One round trip, in order: a pipeline without MULTI keeps the commands' order.
        async with self._redis.pipeline(transaction=False) as pipe:
            for event in events:
                pipe.publish(self.channel, self._encode(event))
            await pipe.execute()

    @staticmethod
    def _encode(event: Event) -> str:
        return json.dumps(event.envelope(), ensure_ascii=False, default=str)

    async def close(self) -> None:
        if self._reader:
            self._reader.cancel()
            await asyncio.gather(self._reader, return_exceptions=True)
        await self._pubsub.aclose()
        await self._redis.aclose()
        await super().close()


def create_bus(redis_url: str | None, channel: str = CHANNEL) -> LocalBus:
    return RedisBus(redis_url, channel) if redis_url else LocalBus()
