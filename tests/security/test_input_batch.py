"""The group commit isolates a caller whose rows the database refuses (issue 19 row 5, second half).

The webhook cleans what PostgreSQL cannot store before enqueueing; this is the defence behind it: any
insert the database refuses fails only the caller that brought it, not the others in the same flush.
"""
from __future__ import annotations

import asyncio

import asyncpg
import pytest

from actors.inbound.batcher import EnqueueBatcher
from actors.inbound.delivery import read_delivery
from tests.whatsapp.fakes import text_delivery


def items_of(wa_id: str, text: str, message_id: str):
    return read_delivery(text_delivery(wa_id, text, message_id)).items


async def test_a_refused_caller_fails_alone_and_its_batch_mates_are_queued(db_url, db):
    pool = await asyncpg.create_pool(db_url, min_size=1, max_size=2)
    try:
        batcher = EnqueueBatcher(pool)
        callers = [items_of(f"96650000{index:04d}", "hello", f"wamid.batch{index}") for index in range(30)]
        callers.insert(15, items_of("966599999999", "hel\x00lo", "wamid.batch.nul"))  # jsonb refuses \u0000
        outcomes = await asyncio.gather(*(batcher.enqueue(items) for items in callers), return_exceptions=True)
    finally:
        await pool.close()
    refused = outcomes.pop(15)
    assert isinstance(refused, asyncpg.PostgresError), refused
    assert outcomes == [["queued"]] * 30
    queued = await db.fetchval("SELECT count(*) FROM inbound_message_queue WHERE message_id LIKE 'wamid.batch%'")
    assert queued == 30


async def test_an_unreachable_database_fails_the_caller_instead_of_hanging(db_url):
    pool = await asyncpg.create_pool(db_url, min_size=1, max_size=1)
    batcher = EnqueueBatcher(pool)
    await pool.close()
    with pytest.raises(asyncpg.InterfaceError):
        await batcher.enqueue(items_of("966500000001", "hello", "wamid.closed"))
