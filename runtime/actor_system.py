"""Virtual actors on asyncio: addressed by (type, key), activated on first message, passivated when idle.

One task per active actor drains a bounded mailbox, one message at a time, so an
actor's state needs no locks. The registry maps an address to the activation
that will still drain its mailbox; leaving it (idle, stop, failed activation)
happens in the same synchronous step that found the mailbox empty, so a message
is either in a mailbox that will be drained or goes to a fresh activation.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from runtime.actor_activation import Activation, ActivationFailed, ActorSystemStopped, running_actor
from runtime.actor_mailbox import Address, Envelope, describe

__all__ = [
    "ActivationFailed",
    "Actor",
    "ActorRef",
    "ActorSystem",
    "ActorSystemStopped",
    "AskDeadlock",
    "AskTimeout",
    "MailboxFull",
    "UnhandledMessage",
    "snake_case",
]

log = logging.getLogger("mawid.actors")


class MailboxFull(Exception):
    """The actor's mailbox is at capacity; callers answer "busy" (503) rather than queue without bound."""


class AskTimeout(asyncio.TimeoutError):
    """No answer in time. A message whose handler had not started yet is skipped; one that had, completes."""


class AskDeadlock(RuntimeError):
    """An actor asked itself, or an actor already waiting on this ask chain: it would wait forever."""


class UnhandledMessage(TypeError):
    """The actor has no `on_<message>` handler for this message type."""


_WORD_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def snake_case(name: str) -> str:
    """ModifyBooking -> modify_booking, HTTPRequest -> http_request."""
    return _WORD_BOUNDARY.sub("_", name).lower()


@functools.cache
def handler_name(message_type: type) -> str:
    return "on_" + snake_case(message_type.__name__)


class Actor:
    """Subclass per actor type. Instances are created by the system, never by callers."""

    actor_type: str = "actor"
    mailbox_size: int = 1000
    idle_timeout: float | None = None  # None: the system's default

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "actor_type" not in cls.__dict__:
            cls.actor_type = snake_case(cls.__name__)

    def __init__(self, key: str, context: object) -> None:
        self.key = key
        self.context = context

    async def on_activate(self) -> None:
        """Load state before the first message."""

    async def on_passivate(self) -> None:
        """Flush or drop state; the next message gets a fresh instance."""

    def handler_for(self, msg: object) -> Callable[[Any], Awaitable[Any]]:
        name = handler_name(type(msg))
        handler = getattr(self, name, None)
        if handler is None:
            raise UnhandledMessage(f"actor {self.actor_type!r} has no {name}() for {type(msg).__name__} messages")
        return handler


class ActorRef:
    """An address, (actor class, key); holds no state and is cheap to create."""

    __slots__ = ("_system", "actor_cls", "key")

    def __init__(self, system: ActorSystem, actor_cls: type[Actor], key: str) -> None:
        self._system = system
        self.actor_cls = actor_cls
        self.key = key

    def __repr__(self) -> str:
        return f"ActorRef({self.actor_cls.actor_type}:{self.key})"

    async def tell(self, msg: object, *, block: bool = True) -> None:
        """Queue `msg`; a full mailbox makes this wait (block=True) or raise MailboxFull."""
        await self._system._post((self.actor_cls, self.key), Envelope(msg, None, ()), block=block)

    async def ask(self, msg: object, *, timeout: float | None = None) -> Any:  # noqa: ASYNC109 - a reply deadline
        """Return the handler's result or raise its exception; refuse at once with MailboxFull when busy."""
        return await self._system._ask((self.actor_cls, self.key), msg, timeout)


def _expire(reply: asyncio.Future, address: Address, limit: float) -> None:
    if not reply.done():
        reply.set_exception(AskTimeout(f"actor {describe(address)} did not answer within {limit}s"))


class ActorSystem:
    """Hosts the actors of one process; `context` (pool, config, other refs) is handed to every actor."""

    def __init__(self, context: object = None, *, idle_timeout: float = 300.0, ask_timeout: float = 10.0) -> None:
        self.context = context
        self.idle_timeout = idle_timeout
        self.ask_timeout = ask_timeout
        self._live: dict[Address, Activation] = {}  # activations that will still drain their mailbox
        self._retiring: dict[Address, Activation] = {}  # left the registry, on_passivate may still run
        self._tasks: set[asyncio.Task] = set()
        self._stopping = False  # refuse outside callers; actors may still message each other to finish
        self._closed = False  # past the stop deadline: refuse everyone

    def ref(self, actor_cls: type[Actor], key: str) -> ActorRef:
        if not (isinstance(actor_cls, type) and issubclass(actor_cls, Actor)):
            raise TypeError(f"{actor_cls!r} is not an Actor subclass")
        return ActorRef(self, actor_cls, key)

    def active_count(self, actor_cls: type[Actor] | None = None) -> int:
        if actor_cls is None:
            return len(self._live)
        return sum(1 for live_cls, _ in self._live if live_cls is actor_cls)

    async def stop(self, deadline: float = 10.0) -> None:
        """Refuse new messages, drain every mailbox within `deadline` seconds, then cancel what is left."""
        self._stopping = True
        for activation in list(self._live.values()):
            activation.mailbox.close()
        loop = asyncio.get_running_loop()
        give_up_at = loop.time() + deadline
        # Loop because draining actors may still activate others they tell.
        while self._tasks and (remaining := give_up_at - loop.time()) > 0:
            await asyncio.wait(set(self._tasks), timeout=remaining)
        self._closed = True
        leftovers = set(self._tasks)
        if leftovers:
            log.warning("cancelling %d actors still busy after the %ss stop deadline", len(leftovers), deadline)
            for task in leftovers:
                task.cancel()
            await asyncio.gather(*leftovers, return_exceptions=True)

    async def _post(self, address: Address, envelope: Envelope, *, block: bool) -> None:
        while True:
            activation = self._activation_for(address)
            if not activation.mailbox.full():
                activation.accept(envelope)
                return
            # Waiting on our own full mailbox would never end: the only reader is us.
            if not block or running_actor.get() is activation:
                raise MailboxFull(f"mailbox of actor {activation.name} is full ({activation.mailbox.capacity})")
            await activation.mailbox.wait_for_space()

    async def _ask(self, address: Address, msg: object, limit: float | None) -> Any:
        loop = asyncio.get_running_loop()
        reply = loop.create_future()
        await self._post(address, Envelope(msg, reply, self._ask_chain(address)), block=False)
        limit = self.ask_timeout if limit is None else limit
        # A timer on the reply, not asyncio.timeout(): a TimeoutError raised by the handler must reach the
        # asker as itself, not be mistaken for our own deadline.
        timer = loop.call_later(limit, _expire, reply, address, limit)
        try:
            return await reply
        finally:
            timer.cancel()

    def _ask_chain(self, target: Address) -> tuple[Address, ...]:
        """Who waits on this ask; raise if the target is one of them, since it could never answer."""
        caller = running_actor.get()
        # Only the actor's own task blocks its mailbox; a task a handler spawned does not.
        if caller is None or caller.task is not asyncio.current_task() or caller.current is None:
            return ()
        chain = (*caller.current.ask_chain, caller.address)
        if target in chain:
            path = " -> ".join(describe(address) for address in (*chain, target))
            raise AskDeadlock(f"ask would deadlock: {path} (use tell, or call a method instead of asking yourself)")
        return chain

    def _activation_for(self, address: Address) -> Activation:
        if self._closed or (self._stopping and running_actor.get() is None):
            raise ActorSystemStopped(f"actor system is stopping; refused a message for {describe(address)}")
        activation = self._live.get(address)
        if activation is None:
            activation = self._live[address] = Activation(self, address, self._retiring.get(address))
            if self._stopping:
                activation.mailbox.close()
            # A fresh context: the actor must not inherit the first caller's context variables.
            task = asyncio.get_running_loop().create_task(
                activation.run(), name=f"actor {activation.name}", context=contextvars.Context()
            )
            activation.task = task
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return activation

    def _retire(self, activation: Activation) -> None:
        """Take the activation out of the registry; the next message for its key starts a fresh one."""
        if self._live.get(activation.address) is activation:
            del self._live[activation.address]
        self._retiring[activation.address] = activation
        activation.mailbox.wake_all_senders()  # they re-resolve and find the next activation

    def _forget(self, activation: Activation) -> None:
        if self._retiring.get(activation.address) is activation:
            del self._retiring[activation.address]
