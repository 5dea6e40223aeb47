"""Which accounts may act right now: a short per-process cache of each account's state, kept fresh.

Every authenticated request and WebSocket command needs the caller's current
role, whether it is still active and its session epoch (bumped by a password
change, a disable or a logout everywhere). Reading `users` on each request
would cost a query per request, so each process keeps what it read for
`ACCOUNT_CACHE_SECONDS`, and any change to an account is announced on a bus
channel of its own (Redis when REDIS_URL is set, so every process drops its
copy within milliseconds; in-process otherwise). The cache lifetime bounds how
stale a process can be when an announcement is lost (Redis down, a command-line
change without Redis). `serve --workers N` without Redis announces over PostgreSQL
LISTEN/NOTIFY instead, like the event bus.
"""
from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from dataclasses import dataclass
from typing import Callable

import asyncpg

from runtime.bus import Event, LocalBus
from runtime.db import DATABASE_UNAVAILABLE, QUERIES
from runtime.routes import Role

log = logging.getLogger("mawid.auth")

ACCOUNT_CHANGED = "account_changed"
CHANNEL_SUFFIX = ":accounts"  # kept off the realtime channel: dashboards must not see these
ACCOUNTS_PG_CHANNEL = "mawid_accounts"  # the same, over LISTEN/NOTIFY (`serve --workers N` without Redis)
MAX_ENTRIES = 10_000
STALE_LIMIT = 300.0  # seconds a copy may serve while the database is unreachable

Listener = Callable[[str], None]


@dataclass(frozen=True)
class AccountState:
    id: str
    email: str
    role: Role
    active: bool
    epoch: int

    def admits(self, epoch: int) -> bool:
        """A token carrying `epoch` still speaks for this account."""
        return self.active and self.epoch == epoch


def accounts_channel(events_channel: str) -> str:
    return events_channel + CHANNEL_SUFFIX


class AccountDirectory:
    def __init__(self, pool: asyncpg.Pool, ttl: float, bus: LocalBus | None = None) -> None:
        self._pool = pool
        self.ttl = ttl
        self.bus = bus
        self._entries: dict[str, tuple[AccountState | None, float]] = {}
        self._generation: dict[str, int] = {}  # bumped by each invalidation, so a lookup racing one is not kept
        self._inflight: dict[str, asyncio.Future[AccountState | None]] = {}
        self._listeners: list[Listener] = []
        self.lookups = 0  # database reads, for tests and the bench

    async def get(self, user_id: str, *, fresh: bool = False) -> AccountState | None:
        """The account's current state (None: no such account); from the cache unless `fresh`."""
        if not fresh:
            entry = self._entries.get(user_id)
            if entry is not None and time.monotonic() - entry[1] < self.ttl:
                return entry[0]
            pending = self._inflight.get(user_id)
            if pending is not None:  # one read per account however many requests arrive at once
                return await asyncio.shield(pending)
        try:
            return await self._read(user_id)
        except DATABASE_UNAVAILABLE:
            # PostgreSQL is down: nobody can change an account meanwhile, and a change announced before
            # dropped the copy, so the last copy read (if recent) still holds. Otherwise: 503 upstream.
            entry = self._entries.get(user_id)
            if entry is None or time.monotonic() - entry[1] > STALE_LIMIT:
                raise
            return entry[0]

    async def _read(self, user_id: str) -> AccountState | None:
        generation = self._generation.get(user_id, 0)
        future: asyncio.Future[AccountState | None] = asyncio.get_running_loop().create_future()
        self._inflight.setdefault(user_id, future)
        try:
            state = await self._fetch(user_id)
        except BaseException as exc:
            if not future.done():
                future.set_exception(exc)
                future.exception()  # retrieved: waiting requests re-raise it themselves
            raise
        finally:
            if self._inflight.get(user_id) is future:
                del self._inflight[user_id]
        if not future.done():
            future.set_result(state)
        if self._generation.get(user_id, 0) == generation:
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.pop(next(iter(self._entries)))
            self._entries[user_id] = (state, time.monotonic())
        return state

    async def _fetch(self, user_id: str) -> AccountState | None:
        try:
            parsed = uuid.UUID(user_id)
        except ValueError:
            return None
        self.lookups += 1
        row = await self._pool.fetchrow(QUERIES.account_session_state, parsed)
        if row is None:
            return None
        return AccountState(str(row["id"]), row["email"], Role.parse(row["role"]), row["is_active"],
                            row["session_epoch"])

    def forget(self, user_id: str) -> None:
        """Drop this process's copy and tell listeners (open WebSockets) to re-check the account."""
        self._entries.pop(user_id, None)
        self._inflight.pop(user_id, None)  # callers arriving from now on must not join a read begun before
        self._generation[user_id] = self._generation.get(user_id, 0) + 1
        for listener in list(self._listeners):
            try:
                listener(user_id)
            except Exception:
                log.exception("account change listener failed")

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def on_event(self, event: Event) -> None:
        """Bus subscriber: another process (or this one, via Redis) changed an account."""
        user_id = event.data.get("user_id") if event.type == ACCOUNT_CHANGED else None
        if isinstance(user_id, str):
            self.forget(user_id)

    async def announce(self, user_id: str) -> None:
        """After a committed change: this process forgets at once, the others when the bus delivers."""
        self.forget(user_id)
        if self.bus is not None:
            try:
                await self.bus.publish(change_event(user_id))
            except Exception:  # the cache lifetime still bounds how long other processes are stale
                log.warning("could not announce an account change", exc_info=True)


def change_event(user_id: str) -> Event:
    return Event(ACCOUNT_CHANGED, {"user_id": user_id})


async def announce_from_outside(redis_url: str | None, events_channel: str, user_id: str) -> bool:
    """For processes without a directory (the command line): publish the change on Redis, if configured."""
    if not redis_url:
        return False
    import redis.asyncio as redis

    client = redis.from_url(redis_url, socket_timeout=5.0, socket_connect_timeout=5.0)
    try:
        await client.publish(accounts_channel(events_channel),
                             json.dumps(change_event(user_id).envelope(), ensure_ascii=False))
        return True
    except Exception as exc:
        log.warning("could not announce an account change on Redis: %s", exc)
        return False
    finally:
        await client.aclose()
