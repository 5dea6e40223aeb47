"""A message's reply parts are read by key prefix: exactly that message's parts, in order, through an index."""
from __future__ import annotations

from runtime.db import QUERIES

KEYS = ["reply:12:001", "reply:12:000", "reply:123:000", "reply:1:000", "reply:12", "reply:12:\u00e9", "reply:2:000"]


async def insert_parts(db) -> None:
    await db.executemany(
        "INSERT INTO whatsapp_outbound (wa_id, kind, payload, idempotency_key, delivery) VALUES ('1', 'text', '{}', $1,"
        " 'sent')", [(key,) for key in KEYS])


async def test_the_prefix_finds_exactly_one_messages_parts_in_order(db):
    await insert_parts(db)
    rows = await db.fetch(QUERIES.whatsapp_outbound_by_key_prefix, "reply:12:")
    assert [r["idempotency_key"] for r in rows] == ["reply:12:000", "reply:12:001", "reply:12:\u00e9"]
    assert [r["idempotency_key"] for r in await db.fetch(QUERIES.trace_reply_parts, "reply:1:")] == ["reply:1:000"]
    assert await db.fetch(QUERIES.whatsapp_outbound_by_key_prefix, "reply:99:") == []


async def test_the_prefix_read_can_use_an_index_under_a_generic_plan(db):
    await insert_parts(db)
    # Enough other messages' parts, analysed, that reading every keyed row is plainly dearer than the range: on a
    # handful of rows (with whatever statistics earlier tests left) the planner may walk the unique index instead.
    await db.execute("INSERT INTO whatsapp_outbound (wa_id, kind, payload, idempotency_key, delivery)"
                     " SELECT '1', 'text', '{}', 'reply:' || n || ':000', 'sent' FROM generate_series(1000, 4999) AS n")
    await db.execute("ANALYZE whatsapp_outbound")
    async with db.transaction():
        await db.execute("SET LOCAL enable_seqscan = off")
        await db.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        await db.execute(f"PREPARE parts(text) AS {QUERIES.whatsapp_outbound_by_key_prefix}")
        plan = "\n".join(r[0] for r in await db.fetch("EXPLAIN EXECUTE parts('reply:12:')"))
        await db.execute("DEALLOCATE parts")
    # the prefix bounds the index scan itself, rather than filtering every keyed row
    assert "idx_whatsapp_outbound_key_pattern" in plan and "Index Cond" in plan and "Filter" not in plan, plan
