"""The bounded mailbox of one actor activation, and the envelope a message travels in.

Senders waiting for space are woken without being handed the slot: they look the
actor up again, because while they waited the activation may have been passivated
and replaced, and its old mailbox will never be drained again.
"""

from __future__ import annotations

import asyncio
import math
from collections import deque
from typing import Any

from runtime.tracing import capture

Address = tuple[type, str]  # (actor class, key)


def describe(address: Address) -> str:
    actor_cls, key = address
    return f"{actor_cls.actor_type}:{key}"


class Envelope:
    __slots__ = ("msg", "reply", "ask_chain", "enqueued_at", "context")

    def __init__(self, msg: Any, reply: asyncio.Future | None, ask_chain: tuple[Address, ...]) -> None:
        self.msg = msg
        self.reply = reply  # None for a tell
        self.ask_chain = ask_chain  # actors waiting, through asks, for this message's answer
        self.enqueued_at = 0.0
        self.context = capture()  # the sender's trace and log context, restored while the message is handled


class Mailbox:
    """A bounded FIFO whose senders wait for space without claiming it, so they re-resolve the actor on wake-up."""

    __slots__ = ("capacity", "closed", "_items", "_reader", "_senders")

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.closed = False  # stopping: the reader exits once the mailbox is empty
        self._items: deque[Envelope] = deque()
        self._reader: asyncio.Future | None = None
        self._senders: deque[asyncio.Future] = deque()

    def __len__(self) -> int:
        return len(self._items)

    def full(self) -> bool:
        return len(self._items) >= self.capacity

    def put(self, envelope: Envelope) -> None:
        self._items.append(envelope)
        self._wake_reader()

    def take(self) -> Envelope:
        envelope = self._items.popleft()
        self._wake_one_sender()
        return envelope

    def take_all(self) -> list[Envelope]:
        items = list(self._items)
        self._items.clear()
        self.wake_all_senders()
        return items

    def close(self) -> None:
        self.closed = True
        self._wake_reader()

    async def wait_for_item(self, idle_for: float) -> None:
        """Return when a message arrives, the mailbox closes, or `idle_for` seconds pass: the caller looks which."""
        if self._items or self.closed:
            return
        loop = asyncio.get_running_loop()
        self._reader = loop.create_future()
        timer = loop.call_later(idle_for, self._wake_reader) if math.isfinite(idle_for) else None
        try:
            await self._reader
        finally:
            self._reader = None
            if timer is not None:
                timer.cancel()

    async def wait_for_space(self) -> None:
        waiter = asyncio.get_running_loop().create_future()
        self._senders.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self._wake_one_sender()  # the free slot we were woken for belongs to the next sender
            raise

    def wake_all_senders(self) -> None:
        while self._senders:
            self._wake_one_sender()

    def _wake_reader(self) -> None:
        if self._reader is not None and not self._reader.done():
            self._reader.set_result(None)

    def _wake_one_sender(self) -> None:
        while self._senders:
            waiter = self._senders.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
