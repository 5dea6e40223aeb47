"""PostgreSQL goes away and comes back while a real server is running, under load.

Requests during the outage fail fast and cleanly (JSON 503 with Retry-After, no hang,
no traceback); /readyz reports the outage and then the recovery; the pool reconnects
by itself without a restart of Mawid; webhook deliveries are refused only while they
could not be stored, and Meta's retries afterwards are processed exactly once.
"""
from __future__ import annotations

import asyncio
import itertools
import time

import asyncpg
import httpx
import pytest

from tests.resilience.conftest import (
    APP_SECRET,
    assert_clean_unavailable,
    eventually,
    future_workday,
    ready_status,
    unhandled_errors,
    wait_for,
)
from tests.whatsapp.fakes import post_delivery, text_delivery

pytestmark = pytest.mark.faults

CUSTOMER_NUMBERS = itertools.count(1)


def test_outage_is_reported_and_recovered(postgres, env, servers):
    server = servers({**env, "DATABASE_URL": postgres.url})
    assert httpx.get(server.url + "/readyz").status_code == 200

    postgres.stop("immediate")
    started = time.monotonic()
    during = httpx.get(server.url + "/readyz", timeout=15)
    assert time.monotonic() - started < 10, "readiness must not hang while the database is down"
    assert during.status_code == 503
    assert during.json()["checks"]["database"].startswith("unreachable")
    assert httpx.get(server.url + "/healthz").status_code == 200  # alive, just not ready

    postgres.start()
    wait_for(lambda: ready_status(server.url) == 200)  # the pool reconnected by itself
    assert unhandled_errors(server.logs()) == []


async def _rest_traffic(url: str, stop: asyncio.Event, day: str, seen: list[tuple[str, int, str]]) -> None:
    """One client looping over real business routes until told to stop; records every answer."""
    async with httpx.AsyncClient(base_url=url, timeout=20) as http:
        n = 0
        while not stop.is_set():
            n += 1
            wa_id = f"9665077{next(CUSTOMER_NUMBERS):05d}"
            if n % 2:
                response = await http.get("/reservations", params={"future": "false"})
                seen.append(("list", response.status_code, response.text))
            else:
                response = await http.post("/reserve", json={
                    "wa_id": wa_id, "customer_name": "Load", "date_str": day, "time_slot": "11:00",
                    "reservation_type": 0, "_call_source": "frontend", "max_reservations": 10_000})
                seen.append((wa_id, response.status_code, response.text))
                if response.status_code == 503:
                    assert_clean_unavailable(response)
            await asyncio.sleep(0.02)


async def test_requests_and_deliveries_during_an_outage_lose_nothing(postgres, fault_env, servers, graph):
    server = servers({**fault_env, "DATABASE_URL": postgres.url})
    day = future_workday()
    stop = asyncio.Event()
    seen: list[tuple[str, int, str]] = []
    clients = [asyncio.create_task(_rest_traffic(server.url, stop, day, seen)) for _ in range(6)]
    await eventually(lambda: _async(len(seen) > 20), what="traffic flowing")

    await asyncio.to_thread(postgres.stop, "immediate")  # requests are in flight as it goes down
    deliveries = {f"wamid.pgout.{i}": text_delivery(f"96650660{i:04d}", "hello", f"wamid.pgout.{i}")
                  for i in range(12)}
    async with httpx.AsyncClient(timeout=20) as http:
        first = {mid: await post_delivery(server.url, APP_SECRET, body, client=http)
                 for mid, body in deliveries.items()}
        during = await http.get(server.url + "/readyz")
    assert during.status_code == 503
    outage_answers = len(seen)
    await eventually(lambda: _async(len(seen) > outage_answers + 20), what="requests answered during the outage")
    await asyncio.to_thread(postgres.start)
    await asyncio.to_thread(wait_for, lambda: ready_status(server.url) == 200)
    recovered_at = len(seen)
    await eventually(lambda: _async(any(s == 200 for _, s, _ in seen[recovered_at:])), what="requests served again")
    stop.set()
    await asyncio.gather(*clients)

    # Every REST answer was a success or a clean, retryable refusal — never a 500 or a hang.
    statuses = {status for _, status, _ in seen}
    assert statuses <= {200, 503}, statuses
    assert 503 in statuses and 200 in statuses
    # Webhook: refused while nothing could be stored.
    for response in first.values():
        if response.status_code != 200:
            assert_clean_unavailable(response)
    assert any(r.status_code != 200 for r in first.values())

    # Meta retries every delivery (also ones already acknowledged, as it may); each is processed once.
    async with httpx.AsyncClient(timeout=20) as http:
        for _ in range(2):
            for body in deliveries.values():
                assert (await post_delivery(server.url, APP_SECRET, body, client=http)).status_code == 200
    conn = await asyncpg.connect(postgres.url)
    try:
        async def all_done():
            rows = await conn.fetch("SELECT message_id, status FROM inbound_message_queue")
            return rows if len(rows) == len(deliveries) and all(r["status"] == "done" for r in rows) else None

        rows = await eventually(all_done, what="every delivery processed")
        assert sorted(r["message_id"] for r in rows) == sorted(deliveries)
        user_rows = await conn.fetch("SELECT wa_id, count(*) AS n FROM conversation WHERE role = 'user' GROUP BY wa_id")
        assert {r["wa_id"]: r["n"] for r in user_rows} == {body_wa(b): 1 for b in deliveries.values()}
        for body in deliveries.values():
            assert len(graph.texts_to(body_wa(body))) == 1, body_wa(body)

        # Reservations: every one acknowledged exists exactly once; a refused one left nothing behind.
        booked = {r["wa_id"]: r["n"] for r in await conn.fetch(
            "SELECT wa_id, count(*) AS n FROM reservations GROUP BY wa_id")}
    finally:
        await conn.close()
    acknowledged = {wa for wa, status, text in seen if wa != "list" and status == 200 and '"success": true' in text}
    refused = {wa for wa, status, _ in seen if wa != "list" and status == 503}
    assert acknowledged and set(booked) == acknowledged | (set(booked) & refused)
    assert all(n == 1 for n in booked.values())
    assert unhandled_errors(server.logs()) == []


def body_wa(body: dict) -> str:
    return body["entry"][0]["changes"][0]["value"]["messages"][0]["from"]


async def _async(value):
    return value
