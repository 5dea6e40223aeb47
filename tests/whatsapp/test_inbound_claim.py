"""Claiming from the durable inbound queue, straight against PostgreSQL: per-customer order,
retries and backoff, lease expiry, and many claimers racing (each row exactly once, never two
messages of one customer in progress at a time)."""
from __future__ import annotations

import asyncio
import random

import asyncpg
import pytest

from actors.inbound import queue
from actors.inbound.delivery import InboundItem
from runtime.db import QUERIES, create_pool

LEASE = 60.0


@pytest.fixture
async def pool(db_url):
    pool = await create_pool(db_url, min_size=1, max_size=12)  # the app's pool: jsonb as Python objects
    yield pool
    await pool.close()


def item(wa_id: str, n: int) -> InboundItem:
    return InboundItem(f"wamid.{wa_id}.{n}", wa_id, {"n": n})


async def test_only_each_customers_earliest_unfinished_message_is_claimed(pool):
    await queue.enqueue(pool, [item("a", 1), item("a", 2), item("b", 1), item("a", 3)])
    first = await queue.claim(pool, 10, LEASE)
    assert [(r.wa_id, r.payload["n"]) for r in first] == [("a", 1), ("b", 1)]
    assert await queue.claim(pool, 10, LEASE) == []  # a2 waits behind a1 in progress
    assert await queue.complete(pool, first[0])
    second = await queue.claim(pool, 10, LEASE)
    assert [(r.wa_id, r.payload["n"]) for r in second] == [("a", 2)]
    await queue.enqueue(pool, [item("c", 1)])
    assert [(r.wa_id, r.payload["n"]) for r in await queue.claim(pool, 10, LEASE)] == [("c", 1)]


async def test_a_message_waiting_for_its_retry_holds_back_its_customers_next_one(pool):
    await queue.enqueue(pool, [item("a", 1), item("a", 2), item("b", 1)])
    rows = await queue.claim(pool, 10, LEASE)
    a1, b1 = rows
    assert await queue.fail(pool, a1, "boom", max_attempts=5, backoff=3600) == "pending"
    assert await queue.claim(pool, 10, LEASE) == []  # a1 not due yet, a2 behind it, b1 in progress
    assert await queue.defer(pool, b1, "in doubt", 3600)
    assert await queue.claim(pool, 10, LEASE) == []
    await pool.execute("UPDATE inbound_message_queue SET available_at = now() WHERE id = $1", a1.id)
    again = await queue.claim(pool, 10, LEASE)
    assert [(r.wa_id, r.payload["n"], r.attempts) for r in again] == [("a", 1, 2)]


async def test_a_message_that_failed_for_good_lets_the_next_one_through(pool):
    await queue.enqueue(pool, [item("a", 1), item("a", 2)])
    [a1] = await queue.claim(pool, 10, LEASE)
    assert await queue.fail(pool, a1, "boom", max_attempts=1, backoff=0) == "failed"
    assert [r.payload["n"] for r in await queue.claim(pool, 10, LEASE)] == [2]


async def test_deleting_the_message_in_progress_lets_the_next_one_through(pool):
    await queue.enqueue(pool, [item("a", 1), item("a", 2), item("a", 3)])
    [a1] = await queue.claim(pool, 10, LEASE)
    assert await queue.claim(pool, 10, LEASE) == []
    assert await pool.fetchval("SELECT count(*) FROM inbound_message_queue WHERE blocked") == 2  # marked waiting
    await pool.execute("DELETE FROM inbound_message_queue WHERE id = $1", a1.id)
    assert [r.payload["n"] for r in await queue.claim(pool, 10, LEASE)] == [2]


async def test_an_expired_lease_is_taken_over_and_the_old_holder_cannot_finish(pool):
    await queue.enqueue(pool, [item("a", 1), item("a", 2)])
    [old] = await queue.claim(pool, 10, LEASE)
    assert await queue.claim(pool, 10, LEASE) == []
    await pool.execute("UPDATE inbound_message_queue SET locked_at = now() - interval '2 minutes' WHERE id = $1",
                       old.id)
    assert await queue.claim(pool, 10, LEASE, held=[old.id]) == []  # never taken over by its own holder
    [new] = await queue.claim(pool, 10, LEASE)
    assert (new.id, new.attempts) == (old.id, 2) and new.lease_token != old.lease_token
    assert await queue.claim(pool, 10, LEASE) == []  # a2 still waits: a1 is in progress again
    assert not await queue.complete(pool, old)
    assert await queue.complete(pool, new)
    assert [r.payload["n"] for r in await queue.claim(pool, 10, LEASE)] == [2]


async def test_many_claimers_racing_take_each_message_once_and_each_customer_in_order(pool):
    customers, per_customer = 40, 5
    items = [item(f"c{c}", n) for n in range(per_customer) for c in range(customers)]
    random.Random(7).shuffle(items)  # arrival order differs from per-customer numbering; ids decide the order
    await queue.enqueue(pool, items)
    order = {r["message_id"]: r["id"] for r in await pool.fetch("SELECT id, message_id FROM inbound_message_queue")}
    in_progress: set[str] = set()
    processed: dict[str, list[int]] = {}
    claims: list[int] = []
    violations: list[str] = []

    async def claimer(seed: int) -> None:
        rng = random.Random(seed)
        idle = 0
        while idle < 20:
            rows = await queue.claim(pool, rng.randint(1, 4), LEASE)
            if not rows:
                idle += 1
                await asyncio.sleep(0.005)
                continue
            idle = 0
            for row in rows:
                claims.append(row.id)
                if row.wa_id in in_progress:
                    violations.append(f"{row.wa_id} claimed twice at once")
                in_progress.add(row.wa_id)
            for row in rows:
                await asyncio.sleep(rng.random() * 0.003)
                processed.setdefault(row.wa_id, []).append(row.id)
                in_progress.discard(row.wa_id)
                assert await queue.complete(pool, row)

    await asyncio.gather(*(claimer(seed) for seed in range(8)))
    assert violations == []
    assert sorted(claims) == sorted(order.values())  # every row, each exactly once
    for wa_id, ids in processed.items():
        assert ids == sorted(ids), wa_id
    assert await pool.fetchval("SELECT count(*) FROM inbound_message_queue WHERE status <> 'done' OR blocked") == 0


async def test_marking_racing_the_end_of_the_message_ahead_never_strands_a_message(pool):
    """Claims (which mark waiting rows) race completions of the very messages those rows wait for."""
    for round_ in range(30):
        await queue.enqueue(pool, [item(f"r{round_}", n) for n in range(3)])
        [first] = await queue.claim(pool, 1, LEASE)
        results = await asyncio.gather(queue.complete(pool, first), queue.claim(pool, 5, LEASE),
                                       queue.claim(pool, 5, LEASE))
        assert results[0]
        taken = [row for rows in results[1:] for row in rows]
        while True:  # whatever the interleaving, a claim after it has settled finds the next message
            for row in taken:
                assert await queue.complete(pool, row)
            taken = await queue.claim(pool, 5, LEASE)
            if not taken:
                break
        left = await pool.fetchval(
            "SELECT count(*) FROM inbound_message_queue WHERE wa_id = $1 AND status <> 'done'", f"r{round_}")
        assert left == 0, f"round {round_}: {left} message(s) stranded"


async def test_marking_never_waits_on_a_message_ahead_held_by_a_lease_renewal(pool, db_url):
    """A renewal holds leases row by row; marking must not hold one and wait for another (deadlock)."""
    await queue.enqueue(pool, [item("a", 1), item("b", 1)])
    a1, b1 = sorted(await queue.claim(pool, 10, LEASE), key=lambda r: r.id)
    await queue.enqueue(pool, [item("a", 2), item("b", 2)])  # arrive behind them, not marked yet
    renewal = await asyncpg.connect(db_url)
    try:
        async with renewal.transaction():
            await renewal.execute(QUERIES.inbound_renew_leases, [b1.id])  # holds b1, will want a1 next
            # the marking holds a1 (ahead of a2) while it looks at b2: it must pass b1 over, not wait
            await asyncio.wait_for(pool.execute(QUERIES.inbound_mark_blocked, 100), 30)
            await renewal.execute(QUERIES.inbound_renew_leases, [a1.id])
        marked = await pool.fetch("SELECT payload->>'n' AS n, wa_id FROM inbound_message_queue WHERE blocked")
        assert [(r["wa_id"], r["n"]) for r in marked] == [("a", "2")]  # b2 left for a later marking
        assert await queue.claim(pool, 10, LEASE) == []  # unmarked or not, b2 still waits behind b1
    finally:
        await renewal.close()


async def test_an_earlier_message_committed_late_waits_for_the_later_one_in_progress(pool, db_url):
    """Two webhook processes: a customer's first message takes its id, the second commits first and is
    claimed; when the first commits it must not be claimed beside the second, only after it."""
    slow_webhook = await asyncpg.connect(db_url)
    try:
        late = slow_webhook.transaction()
        await late.start()
        await queue.enqueue(slow_webhook, [item("a", 1)])  # id taken now, committed later
        await queue.enqueue(pool, [item("a", 2), item("b", 1)])
        first = await queue.claim(pool, 10, LEASE)
        assert [(r.wa_id, r.payload["n"]) for r in first] == [("a", 2), ("b", 1)]  # a1 is not visible yet
        await late.commit()
    finally:
        await slow_webhook.close()
    assert await queue.claim(pool, 10, LEASE) == []  # a1 waits: a2 is in progress
    assert await queue.complete(pool, first[0])
    assert [(r.wa_id, r.payload["n"]) for r in await queue.claim(pool, 10, LEASE)] == [("a", 1)]
