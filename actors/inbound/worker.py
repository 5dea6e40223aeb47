"""The inbound-queue worker: claim due messages and hand each to its customer's conversation actor.

Claiming is per-customer ordered (a customer's next message is claimable only when
the previous one is finished) and `FOR UPDATE SKIP LOCKED`, so any number of
processes can run workers against one database. Each claimed row is held under a
lease renewed by a heartbeat; a process that dies stops renewing and another (or
the restarted one) takes the row over when the lease expires. A failing message
is retried with exponential backoff up to a bound, then left `failed` (visible in
metrics, the log and `bin/mawid inbound`), and the customer's next message proceeds.
A turn that raises `RetryLater` is not failing: its row waits the given delay and the
attempt does not count (a reply part in doubt waiting for its status callback).

Claims are paced: the claim loops of a process take turns, and a claim that came back
short (everything due was taken) is followed by the next one no sooner than
`claim_interval` later, however many webhooks and finished turns woke the loops
meanwhile. A claim scans the backlog (rows waiting behind their customer's message in
progress), so claiming on every wake-up kept the database busy with claims while a
burst was queued, and took the CPU the webhook needs to acknowledge deliveries. A claim
that filled its batch is followed at once: more may be due.

The queue's own bookkeeping (claims, marks, lease renewals, completions, failures) and the
turns themselves commit without waiting for their WAL flush (`Services.relaxed_pool`, and
`relaxed_commits()` around a turn in the conversation actor). None of it is seen outside the
database before a later synchronous commit flushes it along: a reply part is marked attempted
through the durable pool before it is sent, a reservation is written by its own actor, durably.
If PostgreSQL itself crashes, the last fraction of a second may be lost and the rows are claimed
again and replayed, which the turns are built for. The turns' commits then stop queueing with the
webhook's for the WAL flush the webhook's acknowledgement waits on (docs/decisions.md).
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import asyncpg

from actors.inbound import queue
from actors.inbound.metrics import CLAIM_FAILURES, ERRORS, FAILED_ROWS, GAVE_UP, LENGTH, OLDEST_AGE, PROCESSED
from runtime.db import QUERIES
from runtime.logs import log_context_var
from runtime.masking import mask_phone
from runtime.tracing import extract_carrier, quiet, record_span, span, tracing_enabled

if TYPE_CHECKING:
    from runtime.services import Services

log = logging.getLogger("mawid.inbound")

Deliver = Callable[[queue.Claimed], Awaitable[object]]
CLAIM_BATCH = 32
WORKER_KEY = "inbound_worker"
NOTIFY_CHANNEL = "mawid_inbound"


@dataclass(frozen=True)
class WorkerSettings:
    loops: int = 2
    concurrency: int = 64
    lease_seconds: float = 60.0
    max_attempts: int = 12
    retry_seconds: float = 2.0
    poll_seconds: float = 0.5
    claim_interval: float = 0.1  # least time between the starts of a short claim and the next claim
    turn_timeout: float = 600.0

    @classmethod
    def from_config(cls, config) -> "WorkerSettings":
        return cls(loops=config.inbound_queue_workers, concurrency=config.inbound_queue_concurrency,
                   lease_seconds=config.inbound_queue_lease_seconds, max_attempts=config.inbound_queue_max_attempts,
                   retry_seconds=config.inbound_queue_retry_seconds)


class InboundWorker:
    def __init__(self, services: "Services", deliver: Deliver, settings: WorkerSettings) -> None:
        self.services = services
        self.deliver = deliver
        self.settings = settings
        self._free = settings.concurrency
        self._slot_freed = asyncio.Event()
        self._work_arrived = asyncio.Event()
        self._held: dict[int, queue.Claimed] = {}
        self._in_flight: set[asyncio.Task] = set()
        self._loops: list[asyncio.Task] = []
        self._stopping = False
        self._listener: asyncpg.Connection | None = None
        self._claim_gate = asyncio.Lock()  # one claim of this process at a time
        self._next_claim_at = 0.0  # monotonic; set after a claim that came back short

    # -- lifecycle ---------------------------------------------------------------------------------
    async def start(self) -> None:
        await self._listen()
        try:  # the gauges exist from the first scrape and snapshot, not from the first heartbeat
            await self._sample_gauges(self._queue_pool())
        except Exception as exc:
            log.warning("could not sample the inbound queue at start: %r", exc)
        for index in range(self.settings.loops):
            self._loops.append(asyncio.create_task(self._claim_loop(), name=f"inbound-claim-{index}"))
        self._loops.append(asyncio.create_task(self._heartbeat_loop(), name="inbound-heartbeat"))

    async def _listen(self) -> None:
        """Wake on NOTIFY from any process's webhook; polling remains the fallback if this connection drops."""
        try:
            self._listener = await asyncpg.connect(self.services.config.database_url)
            await self._listener.add_listener(NOTIFY_CHANNEL, lambda *_: self._work_arrived.set())
        except Exception as exc:
            self._listener = None
            log.warning("inbound worker cannot LISTEN (%r); polling every %ss", exc, self.settings.poll_seconds)

    async def stop(self, deadline: float) -> None:
        """Stop claiming, let turns in flight finish within `deadline`; unfinished rows are replayed later."""
        self._stopping = True
        if self._listener is not None:
            await self._listener.close()
        self._work_arrived.set()
        self._slot_freed.set()
        if self._in_flight:
            await asyncio.wait(set(self._in_flight), timeout=deadline)
        for task in [*self._in_flight, *self._loops]:
            task.cancel()
        await asyncio.gather(*self._in_flight, *self._loops, return_exceptions=True)

    def _queue_pool(self) -> asyncpg.Pool:
        return self.services.relaxed_or_durable_pool()

    def wake(self) -> None:
        """New rows were queued by this process: claim now rather than at the next poll."""
        self._work_arrived.set()

    @property
    def in_flight(self) -> int:
        return len(self._held)

    # -- claiming ----------------------------------------------------------------------------------
    async def _claim_loop(self) -> None:
        pool = self._queue_pool()
        while not self._stopping:
            while self._free <= 0 and not self._stopping:
                self._slot_freed.clear()
                await self._slot_freed.wait()
            if self._stopping:
                return
            async with self._claim_gate:
                pause = self._next_claim_at - time.monotonic()
                if pause > 0:
                    await asyncio.sleep(pause)
                if self._stopping or self._free <= 0:
                    continue
                wanted = min(self._free, CLAIM_BATCH)
                self._free -= wanted
                self._work_arrived.clear()
                claim_started = time.time_ns()
                started = time.monotonic()
                try:
                    with quiet():  # empty polls are not worth a trace; claims that found work get a span below
                        rows = await queue.claim(pool, wanted, self.settings.lease_seconds, list(self._held))
                except asyncio.CancelledError:
                    self._free += wanted
                    raise
                except Exception as exc:
                    self._free += wanted
                    CLAIM_FAILURES.inc({})
                    log.warning("inbound claim failed: %r", exc)
                    self._next_claim_at = time.monotonic() + self.settings.poll_seconds
                    continue
                self._free += wanted - len(rows)
                self._next_claim_at = started + self.settings.claim_interval if len(rows) < wanted else 0.0
            if rows and tracing_enabled():
                claimed_at = time.time_ns()
                for row in rows:
                    record_span("inbound.claim", extract_carrier(row.trace_context), claim_started, claimed_at,
                                **{"queue.id": row.id, "queue.attempt": row.attempts, "queue.batch": len(rows),
                                   "whatsapp.message_id": row.message_id})
            for row in rows:
                self._held[row.id] = row
                task = asyncio.create_task(self._process(row), name=f"inbound-{row.id}")
                self._in_flight.add(task)
                task.add_done_callback(self._in_flight.discard)
            if not rows:
                with contextlib.suppress(TimeoutError):  # not wait_for, which loses a cancel on Python 3.11
                    async with asyncio.timeout(self.settings.poll_seconds):
                        await self._work_arrived.wait()

    async def _process(self, row: queue.Claimed) -> None:
        # Every log line about this message carries who (masked) and which message; this task is its own context.
        log_context_var.set({"wa_id": mask_phone(row.wa_id or ""), "message_id": row.message_id or "",
                             "queue_id": str(row.id)})
        # The webhook's trace continues here, whichever process claimed the row and however late.
        parent = extract_carrier(row.trace_context) if tracing_enabled() else None
        try:
            with span("inbound.process", parent=parent, **{
                    "queue.id": row.id, "queue.attempt": row.attempts, "whatsapp.message_id": row.message_id,
                    "whatsapp.wa_id": mask_phone(row.wa_id or "")}) as current:
                outcome = await self._run(row)
                current.set_attribute("mawid.queue.outcome", outcome)
                # One line per attempt, so `bin/mawid trace --log` shows the message's path in any process's log.
                log.info("inbound message %s %s (attempt %d)", row.id, outcome, row.attempts)
        finally:
            self._held.pop(row.id, None)
            self._free += 1
            self._slot_freed.set()
            self._work_arrived.set()  # the customer's next message may be claimable now

    async def _run(self, row: queue.Claimed) -> str:
        """Deliver the row to its actor and settle it in the queue; answers the outcome for the span."""
        pool = self._queue_pool()
        try:
            await asyncio.wait_for(self.deliver(row), self.settings.turn_timeout)
        except asyncio.CancelledError:
            # Shutting down mid-turn: the row is not released at once, because the actor may still finish
            # (and send) while draining; after the lease lapses a replay only sends what was not sent.
            if self._stopping:
                log.warning("inbound message %s interrupted by shutdown", row.id)
            raise
        except queue.RetryLater as exc:
            return await self._defer(row, exc)
        except Exception as exc:
            return await self._record_failure(row, exc)
        try:
            if await queue.complete(pool, row):
                PROCESSED.inc({})
                return "done"
            log.warning("inbound message %s finished after its lease was taken over", row.id)
            return "lease_lost"
        except Exception:
            log.exception("could not mark inbound message %s done; it will be replayed", row.id)
            return "unrecorded"

    async def _defer(self, row: queue.Claimed, exc: queue.RetryLater) -> str:
        """Not a failure: the row comes back after `exc.delay` with its attempt given back."""
        try:
            deferred = await queue.defer(self._queue_pool(), row, str(exc), exc.delay)
        except Exception:
            log.exception("could not defer inbound message %s", row.id)
            return "unrecorded"
        if deferred:
            log.warning("inbound message %s deferred %.1fs: %s", row.id, exc.delay, exc)
        return "deferred" if deferred else "lease_lost"

    async def _record_failure(self, row: queue.Claimed, exc: BaseException) -> str:
        ERRORS.inc({})
        error = f"{type(exc).__name__}: {exc}"
        backoff = queue.backoff_seconds(row.attempts, self.settings.retry_seconds)
        try:
            status = await queue.fail(self._queue_pool(), row, error, self.settings.max_attempts, backoff)
        except Exception:
            log.exception("could not record the failure of inbound message %s", row.id)
            return "unrecorded"
        extra = {"attempts": row.attempts}  # wa_id, message and queue ids come from the log context
        if status == "failed":
            GAVE_UP.inc({})
            log.error("inbound message %s failed for good after %d attempts: %s", row.id, row.attempts, error,
                      extra=extra, exc_info=exc)
        else:
            log.warning("inbound message %s failed (attempt %d), retrying in %.0fs: %s", row.id, row.attempts,
                        backoff, error, extra=extra)
        return {"pending": "retry"}.get(status, status) if status else "lease_lost"

    # -- leases and gauges -------------------------------------------------------------------------
    @staticmethod
    async def _sample_gauges(pool: asyncpg.Pool) -> None:
        gauges = await pool.fetchrow(QUERIES.inbound_queue_gauges)
        LENGTH.set({}, gauges["pending"])
        OLDEST_AGE.set({}, gauges["oldest_age"])
        FAILED_ROWS.set({}, gauges["failed"])

    async def _heartbeat_loop(self) -> None:
        pool = self._queue_pool()
        interval = max(0.2, min(self.settings.lease_seconds / 3, 5.0))
        while True:
            await asyncio.sleep(interval)
            try:
                with quiet():
                    await queue.renew(pool, list(self._held))
                    await self._sample_gauges(pool)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("inbound heartbeat failed: %r", exc)
