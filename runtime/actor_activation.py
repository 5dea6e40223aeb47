"""The life of one actor activation: wait for the previous one to passivate, activate, drain, passivate.

The system owns the registry; an activation tells it when to take it out
(`_retire`), always in the same synchronous step that found its mailbox empty.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from runtime.actor_mailbox import Address, Envelope, Mailbox, describe
from runtime.actor_metrics import metrics_for
from runtime.tracing import actor_span, restored

if TYPE_CHECKING:
    from runtime.actor_system import Actor, ActorSystem

log = logging.getLogger("mawid.actors")

# The activation whose task is running: tells it apart from outside callers (self-ask, stop-time sends).
running_actor: contextvars.ContextVar[Activation | None] = contextvars.ContextVar("mawid_running_actor", default=None)


class ActivationFailed(RuntimeError):
    """on_activate raised; the messages queued for that activation fail with this error."""


class ActorSystemStopped(Exception):
    """The system is stopping: new messages are refused and unhandled ones are dropped at the deadline."""


class Activation:
    """One live instance of an actor and the task that drains its mailbox."""

    def __init__(self, system: ActorSystem, address: Address, previous: Activation | None) -> None:
        actor_cls = address[0]
        self.system = system
        self.address = address
        self.name = describe(address)
        self.metrics = metrics_for(actor_cls.actor_type)
        self.mailbox = Mailbox(actor_cls.mailbox_size)
        self.idle_timeout = system.idle_timeout if actor_cls.idle_timeout is None else actor_cls.idle_timeout
        self.previous = previous  # still passivating: its on_passivate must finish before our on_activate
        self.instance: Actor | None = None  # set while activated
        self.current: Envelope | None = None
        self.task: asyncio.Task | None = None

    def accept(self, envelope: Envelope) -> None:
        envelope.enqueued_at = time.perf_counter()
        self.mailbox.put(envelope)
        self.metrics.queued()

    async def run(self) -> None:
        running_actor.set(self)
        try:
            if self.previous is not None:
                await asyncio.wait({self.previous.task})  # wait() never cancels the previous task
                self.previous = None
            if await self._activate():
                await self._serve()
                await self._passivate()
        except asyncio.CancelledError:
            self._abandon()
            raise
        except Exception:  # a runtime bug, not a handler's: keep the system alive and the callers answered
            log.exception("actor %s crashed", self.name)
            self._abandon()
        finally:
            self.system._forget(self)

    async def _activate(self) -> bool:
        actor_cls, key = self.address
        try:
            instance = actor_cls(key, self.system.context)
            await instance.on_activate()
        except Exception as exc:
            self.system._retire(self)
            log.exception("actor %s failed to activate", self.name)
            self.metrics.failed()
            reason = f"actor {self.name} failed to activate: {exc!r}"
            self._fail_queued(lambda: ActivationFailed(reason))
            return False
        self.instance = instance
        self.metrics.activated()
        return True

    async def _serve(self) -> None:
        mailbox = self.mailbox
        while True:
            if not mailbox:
                await mailbox.wait_for_item(self.idle_timeout)
                if not mailbox:  # idle, or stopping: retire in the same step as the check, so nothing slips in
                    self.system._retire(self)
                    return
            await self._handle(mailbox.take())

    async def _handle(self, envelope: Envelope) -> None:
        self.metrics.dequeued()
        reply = envelope.reply
        if reply is not None and reply.done():
            return  # the asker gave up (timeout, cancel): it was told the outcome is unknown, so do nothing
        self.current = envelope
        started = time.perf_counter()
        try:
            with restored(envelope.context), actor_span(self.instance, envelope.msg, started - envelope.enqueued_at):
                handler = self.instance.handler_for(envelope.msg)
                result = await handler(envelope.msg)
        except Exception as exc:
            self.metrics.handled(started - envelope.enqueued_at, time.perf_counter() - started, ok=False)
            self._report_failure(envelope, exc)
        else:
            self.metrics.handled(started - envelope.enqueued_at, time.perf_counter() - started, ok=True)
            if reply is not None and not reply.done():
                reply.set_result(result)
        # Not in a `finally`: when cancelled at the stop deadline, _abandon still has to answer this asker.
        self.current = None

    def _report_failure(self, envelope: Envelope, exc: Exception) -> None:
        self.metrics.failed()
        msg_type = type(envelope.msg).__name__
        if envelope.reply is not None and not envelope.reply.done():
            envelope.reply.set_exception(exc)  # the asker decides how bad it is; no traceback here
            log.info("actor %s failed %s for its asker: %r", self.name, msg_type, exc)
        else:
            log.error("actor %s failed to handle %s", self.name, msg_type, exc_info=exc)

    async def _passivate(self) -> None:
        try:
            await self.instance.on_passivate()
        except Exception:
            log.exception("actor %s failed to passivate", self.name)
            self.metrics.failed()
        finally:
            self.instance = None
            self.metrics.passivated()

    def _abandon(self) -> None:
        """Cancelled at the stop deadline (or crashed): answer every waiting asker instead of leaving it hanging."""
        self.system._retire(self)
        if self.instance is not None:
            self.instance = None
            self.metrics.abandoned()
        dropped = self._fail_queued(lambda: ActorSystemStopped(f"actor {self.name} stopped before answering"))
        if dropped:
            log.warning("actor %s stopped with %d unhandled messages", self.name, dropped)

    def _fail_queued(self, error: Callable[[], Exception]) -> int:
        envelopes = self.mailbox.take_all()
        self.metrics.dequeued(len(envelopes))
        if self.current is not None:
            envelopes.insert(0, self.current)
        for envelope in envelopes:
            if envelope.reply is not None and not envelope.reply.done():
                envelope.reply.set_exception(error())
        return len(envelopes)
