"""Flooding the REST API: the excess is refused at once, explicitly, and memory stays bounded.

The database is made to hold requests (a table lock), so exactly `MAX_INFLIGHT_REQUESTS`
are in progress; everything beyond is answered 503 + Retry-After while those are still
stuck — a refusal, never a queue. Probes and the webhook are not counted and keep answering.
"""
from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
import httpx
import pytest

from tests.resilience.conftest import APP_SECRET, assert_clean_unavailable, unhandled_errors
from tests.whatsapp.fakes import post_delivery, text_delivery

pytestmark = pytest.mark.faults

LIMIT = 8


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


async def _waiting_on_lock(db_url: str) -> int:
    # Its own connection: inside the locking transaction pg_stat_activity would be a frozen snapshot.
    db = await asyncpg.connect(db_url)
    try:
        return await _count_lock_waiters(db)
    finally:
        await db.close()


async def _count_lock_waiters(db) -> int:
    rows = await db.fetch("SELECT wait_event_type, state, left(query, 60) AS q FROM pg_stat_activity "
                          "WHERE datname = current_database()")
    return sum(1 for r in rows if r["wait_event_type"] == "Lock")


async def test_excess_requests_are_refused_at_once_and_the_webhook_keeps_accepting(fault_env, servers, db, db_url):
    server = servers({**fault_env, "MAX_INFLIGHT_REQUESTS": str(LIMIT), "DB_POOL_MAX": "30"})
    limits = httpx.Limits(max_connections=400, max_keepalive_connections=400)
    async with httpx.AsyncClient(base_url=server.url, timeout=60, limits=limits) as http:
        assert (await http.get("/reservations")).status_code == 200

        await db.execute("BEGIN")
        await db.execute("LOCK TABLE reservations IN ACCESS EXCLUSIVE MODE")
        try:
            held = [asyncio.create_task(http.get("/reservations")) for _ in range(LIMIT)]
            while await _waiting_on_lock(db_url) < LIMIT:  # the limit's worth in flight, stuck on the lock
                await asyncio.sleep(0.05)

            flood = await asyncio.gather(*(http.get("/reservations", params={"future": "false"})
                                           for _ in range(300)))
            for response in flood:  # answered while the first ones are still stuck: refused, not queued
                assert_clean_unavailable(response)
            assert not any(task.done() for task in held)
            assert (await http.get("/readyz")).status_code == 200
            assert (await http.get("/healthz")).status_code == 200
            delivery = await post_delivery(server.url, APP_SECRET, text_delivery("966505700001", "hello",
                                                                                 "wamid.flood.1"), client=http)
            assert delivery.status_code == 200  # the webhook only writes the durable queue
        finally:
            await db.execute("ROLLBACK")
        assert [r.status_code for r in await asyncio.gather(*held)] == [200] * LIMIT
        metrics = (await http.get("/metrics")).text
    assert 'http_requests_refused_total{reason="inflight_limit"} 300' in metrics
    assert await db.fetchval("SELECT count(*) FROM inbound_message_queue WHERE message_id = 'wamid.flood.1'") == 1
    assert unhandled_errors(server.logs()) == []


async def test_memory_stays_bounded_under_a_sustained_flood(fault_env, servers):
    server = servers({**fault_env, "MAX_INFLIGHT_REQUESTS": str(LIMIT)})
    pid = server.process.pid
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    statuses: dict[int, int] = {}

    async def client(http: httpx.AsyncClient) -> None:
        for _ in range(10):
            response = await http.get("/reservations", params={"future": "false"})
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            if response.status_code != 200:
                assert_clean_unavailable(response)

    async with httpx.AsyncClient(base_url=server.url, timeout=60, limits=limits) as http:
        await asyncio.gather(*(client(http) for _ in range(30)))  # warm-up: pools, caches, code paths
        baseline = rss_bytes(pid)
        for _ in range(2):
            await asyncio.gather(*(client(http) for _ in range(80)))
        after = rss_bytes(pid)
    assert set(statuses) <= {200, 503} and statuses.get(200)
    assert after - baseline < 64 * 1024 * 1024, f"RSS grew from {baseline} to {after} bytes"
    assert unhandled_errors(server.logs()) == []
