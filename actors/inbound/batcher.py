"""Group commit for the webhook: concurrent deliveries share one INSERT and one commit.

Under load many webhooks arrive while a commit is in flight; they wait for the next
flush together instead of each taking a pool connection and a commit of its own.
A caller is answered only after the flush holding its messages committed, so the
webhook still acknowledges nothing that is not durably queued. A flush the database
refuses is retried caller by caller, so one bad delivery fails only its own request.
"""
from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from actors.inbound.delivery import InboundItem
from actors.inbound.queue import enqueue
from runtime.tracing import inject_carrier, tracing_enabled

if TYPE_CHECKING:
    import asyncpg

MAX_BATCH = 500
BATCHER_KEY = "inbound_enqueue_batcher"


class EnqueueBatcher:
    def __init__(self, pool: "asyncpg.Pool") -> None:
        self.pool = pool
        self._waiting: list[tuple[list[InboundItem], dict[str, str] | None, asyncio.Future]] = []
        self._flusher: asyncio.Task | None = None

    async def enqueue(self, items: list[InboundItem]) -> list[str]:
        future = asyncio.get_running_loop().create_future()
        # Taken here, in the caller's context: the flush runs in another task, under another request's trace.
        carrier = inject_carrier() if tracing_enabled() else None
        self._waiting.append((items, carrier, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush_all())
        return await asyncio.shield(future)

    def _take_batch(self) -> list[tuple[list[InboundItem], dict[str, str] | None, asyncio.Future]]:
        batch, size = [], 0
        while self._waiting and (not batch or size + len(self._waiting[0][0]) <= MAX_BATCH):
            items, carrier, future = self._waiting.pop(0)
            batch.append((items, carrier, future))
            size += len(items)
        return batch

    async def _flush_all(self) -> None:
        # One connection for the whole busy period, not one pool checkout per flush: giving a connection
        # back to the pool costs a round trip (asyncpg's reset query), and a flush's callers would wait
        # for it. Given back once nothing is waiting, after the last callers have their answers.
        while self._waiting:
            batch = self._take_batch()
            try:
                async with self.pool.acquire() as conn:
                    while batch:
                        await self._flush(conn, batch)
                        batch = self._take_batch()
            except Exception as exc:
                for _, _, future in batch:  # the database is unreachable or the connection broke
                    if not future.done():
                        future.set_exception(exc)

    async def _flush(self, conn, batch) -> None:
        try:
            outcomes = await enqueue(conn, [item for items, _, _ in batch for item in items],
                                     trace_contexts=[carrier for items, carrier, _ in batch for _ in items])
        except Exception as exc:
            if conn.is_closed():
                raise  # the connection is gone: every caller from here on gets the error (see _flush_all)
            if len(batch) == 1:
                _, _, future = batch[0]
                if not future.done():
                    future.set_exception(exc)
                return
            # One caller's delivery the database refused must not fail the others sharing its statement:
            # each is tried on its own, so only the one at fault is answered with the error.
            for member in batch:
                await self._flush(conn, [member])
            return
        start = 0
        for items, _, future in batch:
            if not future.done():
                future.set_result(outcomes[start:start + len(items)])
            start += len(items)


def batcher_for(services) -> EnqueueBatcher:
    batcher = services.extras.get(BATCHER_KEY)
    if batcher is None:
        batcher = services.extras[BATCHER_KEY] = EnqueueBatcher(services.require_pool())
    return batcher
