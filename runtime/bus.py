"""The event bus: every change is published here and fanned out to subscribers.

Two implementations share one interface. `LocalBus` delivers in-process.
`RedisBus` publishes on a Redis channel and delivers what it reads back, so an
event published on any process reaches the subscribers of every process
exactly once (including its own, via Redis, never twice).

When Redis is unreachable the `RedisBus` degrades instead of failing: events
published by this process are delivered to its own subscribers directly (its
WebSocket clients keep receiving them live), cross-process fan-out is marked
degraded (`/readyz`, the `realtime_bus_degraded` gauge), and other processes
pick the events up from the shared event log (docs/realtime.md, docs/resilience.md).
While degraded, publishes do not try Redis at all; the reader's periodic PING (sent
while healthy too, so a stalled Redis that answers nothing is noticed) detects the return.
"""
from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable

from aioprometheus import Counter, Gauge

from runtime.metrics import REGISTRY

log = logging.getLogger("mawid.bus")

BUS_DEGRADED = Gauge("realtime_bus_degraded",
                     "1 while cross-process fan-out through Redis is unavailable (events stay in-process)",
                     registry=REGISTRY)
BUS_LOCAL_FALLBACK = Counter("realtime_bus_local_fallback_total",
                             "Events delivered in-process only because Redis was unreachable", registry=REGISTRY)
# Bounds every Redis round trip: a stalled Redis must not hold the publish lock or the publisher forever.
REDIS_SOCKET_TIMEOUT = 5.0
# A stalled Redis (process stopped, host frozen: connections accepted, nothing answered) breaks no socket,
# so a subscription only sees silence; a PING this often is what notices it (within interval + timeout).
PROBE_INTERVAL = 5.0

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

    def health(self) -> str:
        """`ok`, or why cross-process fan-out is degraded."""
        return "ok"

    async def close(self) -> None:
        self._subscribers.clear()


class RedisBus(LocalBus):
    """`origin` names this deployment's event log (QUERIES.realtime_origin): it goes out with each event, and an
    event from another origin — another deployment left on the same channel — is dropped, never shown to this
    one's dashboards. An event without one (a process of an older version, a command line) is taken."""

    def __init__(self, url: str, channel: str = CHANNEL, origin: str | None = None) -> None:
        super().__init__()
        self.channel = channel
        self.origin = origin
        self.foreign_dropped = 0
        import redis.asyncio as redis

        # The health check keeps an idle subscription verified, so a silently dropped connection is
        # noticed and re-established (redis-py re-subscribes the channel on reconnect).
        self._redis = redis.from_url(url, health_check_interval=15, socket_keepalive=True,
                                     socket_timeout=REDIS_SOCKET_TIMEOUT,
                                     socket_connect_timeout=REDIS_SOCKET_TIMEOUT)
        self._pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        self._reader: asyncio.Task[None] | None = None
        self.degraded_reason: str | None = None

    def health(self) -> str:
        return "ok" if self.degraded_reason is None else f"degraded: {self.degraded_reason}"

    def _degrade(self, exc: BaseException) -> None:
        reason = f"redis unreachable ({type(exc).__name__})"
        if self.degraded_reason is None:
            log.warning("event bus degraded: %s; events stay in this process until Redis is back", exc)
        self.degraded_reason = reason
        BUS_DEGRADED.set({}, 1)

    def _recovered(self) -> None:
        if self.degraded_reason is not None:
            log.warning("event bus recovered: cross-process fan-out through Redis again")
            self.degraded_reason = None
            BUS_DEGRADED.set({}, 0)

    async def start(self) -> None:
        BUS_DEGRADED.set({}, 0)
        try:
            await self._pubsub.subscribe(self.channel)
        except Exception as exc:  # start degraded; the reader subscribes once Redis answers
            self._degrade(exc)
        self._reader = asyncio.create_task(self._read_loop(), name="redis-bus-reader")

    async def _read_loop(self) -> None:
        loop = asyncio.get_running_loop()
        next_probe = loop.time() + PROBE_INTERVAL
        while True:
            try:
                if not self._pubsub.subscribed:
                    await self._pubsub.subscribe(self.channel)
                message = await self._pubsub.get_message(timeout=1.0)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._degrade(exc)
                await asyncio.sleep(1.0)
                continue
            if message and message.get("type") == "message":
                self._deliver_message(message)
            if self.degraded_reason is not None or loop.time() >= next_probe:
                try:
                    await self._redis.ping()  # reading an idle socket proves little; a round trip does
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    self._degrade(exc)
                    await asyncio.sleep(1.0)
                else:
                    self._recovered()
                next_probe = loop.time() + PROBE_INTERVAL

    def _deliver_message(self, message: dict[str, Any]) -> None:
        try:
            body = json.loads(message["data"])
            event = Event.from_envelope(body)
        except (ValueError, KeyError, TypeError):
            log.warning("unreadable event on %s; skipped", self.channel)
            return
        origin = body.get("origin")
        if origin is not None and self.origin is not None and origin != self.origin:
            if not self.foreign_dropped:
                log.warning("events of another deployment (%s) on %s are dropped: give each deployment its own "
                            "REDIS_CHANNEL", origin, self.channel)
            self.foreign_dropped += 1
            return
        self._deliver(event)

    async def publish(self, event: Event) -> None:
        await self.publish_many([event])

    async def publish_many(self, events: list[Event]) -> None:
        if self.degraded_reason is not None:
            # Known unreachable: do not wait out a timeout per batch while holding the publish lock (a stalled
            # Redis would cost every publish of every process 5 s); the reader's probe notices its return.
            self._deliver_locally(events)
            return
        # One round trip, in order: a pipeline without MULTI keeps the commands' order.
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                for event in events:
                    pipe.publish(self.channel, self._encode(event))
                await pipe.execute()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            # Redis is gone: this process's own subscribers still get the events now. Should the
            # publish have reached Redis after all, the hub delivers a sequence number only once.
            self._degrade(exc)
            self._deliver_locally(events)

    def _deliver_locally(self, events: list[Event]) -> None:
        BUS_LOCAL_FALLBACK.add({}, len(events)) if len(events) > 1 else BUS_LOCAL_FALLBACK.inc({})
        for event in events:
            self._deliver(event)

    def _encode(self, event: Event) -> str:
        body = event.envelope()
        if self.origin is not None:
            body = {**body, "origin": self.origin}
        return json.dumps(body, ensure_ascii=False, default=str)

    async def close(self) -> None:
        if self._reader:
            self._reader.cancel()
            await asyncio.gather(self._reader, return_exceptions=True)
        await self._pubsub.aclose()
        await self._redis.aclose()
        await super().close()


def create_bus(redis_url: str | None, channel: str = CHANNEL, origin: str | None = None) -> LocalBus:
    return RedisBus(redis_url, channel, origin) if redis_url else LocalBus()
