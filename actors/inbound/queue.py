"""The durable inbound queue in PostgreSQL: enqueue, claim, renew, complete, fail, defer."""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from actors.inbound.delivery import InboundItem
from actors.inbound.metrics import BLOCKED, CLAIMED, DUPLICATES, ENQUEUED
from runtime.db import QUERIES

if TYPE_CHECKING:
    import asyncpg


class RetryLater(Exception):
    """Raised by a turn that cannot go on yet: the row waits `delay` seconds without using up an attempt."""

    def __init__(self, reason: str, delay: float) -> None:
        super().__init__(reason)
        self.delay = delay


@dataclass(frozen=True)
class Claimed:
    id: int
    message_id: str | None
    wa_id: str
    payload: dict[str, Any]
    attempts: int
    lease_token: uuid.UUID
    trace_context: dict[str, str] | None = None  # the enqueuing request's W3C trace headers (migration 0800)


async def enqueue(pool: "asyncpg.Pool | asyncpg.Connection", items: list[InboundItem], source: str = "webhook",
                  trace_contexts: list[dict[str, str] | None] | None = None) -> list[str]:
    """Queue every item in one statement; answers each item's outcome: queued, duplicate or blocked.

    `trace_contexts` (one per item) are stored with the rows so the worker continues each trace.
    """
    if not items:
        return []
    contexts = trace_contexts or [None] * len(items)
    rows = await pool.fetch(
        QUERIES.inbound_enqueue,
        [item.message_id for item in items],
        [item.wa_id for item in items],
        [json.dumps(item.payload, ensure_ascii=False) for item in items],
        [json.dumps(context) if context else None for context in contexts],
    )
    outcomes = [row["outcome"] for row in rows]
    labels = {"source": source}
    for outcome in outcomes:
        {"queued": ENQUEUED, "duplicate": DUPLICATES, "blocked": BLOCKED}[outcome].inc(labels)
    return outcomes


MARK_BATCH = 2000  # pending rows examined per claim for being stuck behind their customer's message in progress


async def claim(pool: "asyncpg.Pool", limit: int, lease_seconds: float, held: list[int] = ()) -> list[Claimed]:
    """Mark the rows newly found waiting behind their customer's message (so no claim reads them
    again until it finishes), then claim up to `limit` due rows (migration 0402)."""
    await pool.execute(QUERIES.inbound_mark_blocked, MARK_BATCH)
    rows = await pool.fetch(QUERIES.inbound_claim, limit, float(lease_seconds), list(held))
    claimed = [Claimed(r["id"], r["message_id"], r["wa_id"], r["payload"], r["attempts"], r["lease_token"],
                       r["trace_context"]) for r in rows]
    if claimed:
        CLAIMED.inc({}) if len(claimed) == 1 else CLAIMED.add({}, len(claimed))
    return claimed


async def renew(pool: "asyncpg.Pool", ids: list[int]) -> None:
    if ids:
        await pool.execute(QUERIES.inbound_renew_leases, ids)


async def complete(pool: "asyncpg.Pool", row: Claimed) -> bool:
    return await pool.fetchval(QUERIES.inbound_complete, row.id, row.lease_token) is not None


async def fail(pool: "asyncpg.Pool", row: Claimed, error: str, max_attempts: int, backoff: float) -> str | None:
    """Back to pending after `backoff` seconds, or `failed` once attempts reach the bound."""
    result = await pool.fetchrow(QUERIES.inbound_fail, row.id, row.lease_token, error[:2000], max_attempts,
                                 float(backoff))
    return None if result is None else result["status"]


async def defer(pool: "asyncpg.Pool", row: Claimed, reason: str, delay: float) -> bool:
    """Back to pending for `delay` seconds; the claim's attempt is given back. False: the lease was lost."""
    result = await pool.fetchrow(QUERIES.inbound_defer, row.id, row.lease_token, reason[:2000], float(delay))
    return result is not None


def backoff_seconds(attempts: int, base: float, cap: float = 300.0) -> float:
    """Exponential: base, 2·base, 4·base … capped."""
    return min(cap, base * (2 ** max(0, attempts - 1)))
