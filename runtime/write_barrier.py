"""Read-your-writes for a client: a read waits, briefly, for the writes that client has in flight.

Writes go through actors and reads go straight to SQL, so a dashboard that sends a write
(a WebSocket `cancel_reservation`, a REST `POST`) and, in the same millisecond, refetches
(`GET /reservations`) could read from before its own write commits — and then ignore the
write's broadcast as the echo of its own action. Each write therefore registers under its
client's key for as long as it runs; a read from the same client first yields once to the
event loop (so a write whose bytes arrived in the same turn registers first), then waits
until that client has no write in flight, at most `timeout` seconds.

The client is the account for a logged-in caller (its WebSocket and REST requests share the
cookie or token subject) and the source address for a trusted-network caller (the reference
dashboard sends no credentials at all: its `/ws?tab=…` and its `fetch` calls share only the
address). The barrier is per process: a read served by another process than the write does
not wait (docs/decisions.md).
"""
from __future__ import annotations

import asyncio
import contextlib
from typing import Any, Iterator

from aiohttp import web
from aioprometheus import Counter

from runtime.metrics import REGISTRY

DEFAULT_TIMEOUT = 2.0

READS_HELD = Counter("read_your_writes_waits_total",
                     "Reads that waited for the same client's writes in flight, by outcome", registry=REGISTRY)


def client_key(user: Any, request: web.BaseRequest | None) -> str | None:
    """Who a request belongs to, for the barrier: the account, or the address of a trusted network."""
    if user is None:
        return None
    if getattr(user, "via", None) == "trusted_network":
        remote = request.remote if request is not None else None
        return f"address:{remote}" if remote else None
    return f"user:{user.id}"


class _Pending:
    __slots__ = ("count", "done")

    def __init__(self) -> None:
        self.count = 0
        self.done = asyncio.Event()


class WriteBarrier:
    def __init__(self, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.timeout = timeout
        self._pending: dict[str, _Pending] = {}

    def in_flight(self, key: str | None) -> int:
        pending = self._pending.get(key) if key else None
        return pending.count if pending else 0

    @contextlib.contextmanager
    def writing(self, key: str | None) -> Iterator[None]:
        """Registers a write for `key` (synchronously: no await before the write is visible)."""
        if key is None:
            yield
            return
        pending = self._pending.get(key)
        if pending is None:
            pending = self._pending[key] = _Pending()
        pending.count += 1
        try:
            yield
        finally:
            pending.count -= 1
            if pending.count == 0:
                pending.done.set()
                if self._pending.get(key) is pending:
                    del self._pending[key]

    async def settled(self, key: str | None) -> bool:
        """Wait until `key` has no write in flight; False when the timeout ended the wait first."""
        if key is None:
            return True
        await asyncio.sleep(0)  # a write that arrived in the same loop turn registers first
        pending = self._pending.get(key)
        if pending is None:
            return True
        try:
            async with asyncio.timeout(self.timeout):
                await pending.done.wait()
        except TimeoutError:
            READS_HELD.inc({"outcome": "timed_out"})
            return False
        READS_HELD.inc({"outcome": "waited"})
        return True


BARRIER = web.AppKey("write_barrier", WriteBarrier)
