"""SIGTERM drains; SIGKILL at a random moment loses no accepted write and duplicates no reply.

The SIGKILL lands anywhere except inside the one window where exactly-once cannot hold: after
the Cloud API accepted a reply part and before it is recorded as sent (no idempotency key at
Meta; this fake Graph sends no status callbacks, so the restarted server sends that part again
once OUTBOUND_IN_DOUBT_GRACE has passed; docs/resilience.md). Hitting it by chance made the test
fail now and then under load; it is excluded on purpose, see `_kill_outside_send_window`. A kill
inside the window, with Meta's status callback recorded, is test_in_doubt_sends.py's subject.
"""
from __future__ import annotations

import asyncio
import itertools
import signal

import aiohttp
import httpx
import pytest

from tests.resilience.conftest import APP_SECRET, eventually, future_workday, unhandled_errors
from tests.whatsapp.fake_llm import FakeLLM
from tests.whatsapp.fakes import FakeGraph, post_delivery, text_delivery

pytestmark = pytest.mark.faults

NUMBERS = itertools.count(1)
SLOTS = ("11:00", "13:00", "15:00")


@pytest.fixture
async def graph_after_restart():
    """The Graph API the restarted server talks to (the first one never answers again)."""
    fake = await FakeGraph().start()
    yield fake
    await fake.stop()


@pytest.fixture
async def slow_llm():
    fake = await FakeLLM(delay=2.0).start()
    yield fake
    await fake.stop()


async def test_sigterm_finishes_the_turn_in_flight_and_closes_sockets_reconnectably(fault_env, graph, slow_llm,
                                                                                    servers, db):
    server = servers({**fault_env, **slow_llm.env("anthropic"), "LLM_TIMEOUT": "30", "SHUTDOWN_DEADLINE": "15"})
    async with aiohttp.ClientSession() as session:
        ws = await session.ws_connect(server.url + "/ws", params={"tab": "drain"})
        await ws.send_json({"type": "ping"})
        await ws.receive(timeout=10)
        wa_id = "966505800001"
        await post_delivery(server.url, APP_SECRET, text_delivery(wa_id, "hello", "wamid.drain.1"))
        await eventually(lambda: _called(slow_llm), what="the LLM call in flight")
        stopping = asyncio.create_task(asyncio.to_thread(server.stop, signal.SIGTERM, 30))
        while True:
            msg = await ws.receive(timeout=30)
            if msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSING):
                break
        assert msg.data in (1001, 1012), msg  # "going away": the dashboard reconnects
        assert await stopping == 0
    rows = await db.fetch("SELECT status, attempts FROM inbound_message_queue")
    assert [(r["status"], r["attempts"]) for r in rows] == [("done", 1)]  # finished, not abandoned
    assert graph.texts_to(wa_id) == ["Hello from anthropic"]
    assert unhandled_errors(server.logs()) == []


async def _called(llm: FakeLLM) -> bool:
    return llm.count("anthropic") >= 1


async def _writer(url: str, acknowledged: list[str], attempted: list[str], stop: asyncio.Event,
                  refusals: list[str]) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=10) as http:
        while not stop.is_set():
            n = next(NUMBERS)
            wa_id = f"9665059{n:05d}"
            attempted.append(wa_id)
            day, slot = future_workday(7 + n // 3), SLOTS[n % 3]  # a slot of its own: never full
            try:
                response = await http.post("/reserve", json={
                    "wa_id": wa_id, "customer_name": "Kill", "date_str": day, "time_slot": slot,
                    "reservation_type": 0, "_call_source": "frontend", "max_reservations": 100_000})
            except httpx.HTTPError:
                return  # the server died under us: the outcome of this one is unknown
            if response.status_code == 200 and response.json().get("success") is True:
                acknowledged.append(wa_id)
            else:
                refusals.append(response.text)


async def test_sigkill_mid_write_loses_no_accepted_write_and_duplicates_no_reply(fault_env, graph, graph_after_restart,
                                                                                   servers, db):
    # Replies hung at Graph when the server died are in doubt: they wait out this grace, then go to the second fake.
    fault_env = {**fault_env, "OUTBOUND_IN_DOUBT_GRACE": "1"}
    first = servers(fault_env)
    acknowledged: list[str] = []
    attempted: list[str] = []
    stop = asyncio.Event()
    refusals: list[str] = []
    writers = [asyncio.create_task(_writer(first.url, acknowledged, attempted, stop, refusals))
               for _ in range(6)]
    deliveries = {f"wamid.kill.{i}": text_delivery(f"96650581{i:04d}", "hello", f"wamid.kill.{i}")
                  for i in range(30)}
    sent_unfinished = {f"96650581{i:04d}" for i in (10, 11, 12)}  # killed after their reply, before "done"
    graph.hold_for.update(sent_unfinished)
    answered: dict[str, int] = {}
    async with httpx.AsyncClient(timeout=10) as http:
        for n, (mid, body) in enumerate(deliveries.items()):
            if n == 15:
                await eventually(lambda: _async(refusals or (len(acknowledged) >= 20 and graph.accepted_ids
                                                             and len(graph.held) == len(sent_unfinished))),
                                 what="writes acknowledged, replies sent, replies held")
                assert not refusals, refusals[:3]
                await _kill_outside_send_window(first, graph, db, sent_unfinished)  # writes and turns in progress
            try:
                answered[mid] = (await post_delivery(first.url, APP_SECRET, body, client=http)).status_code
            except httpx.HTTPError:
                answered[mid] = 0
    stop.set()
    await asyncio.gather(*writers)
    assert any(status == 0 for status in answered.values())

    second = servers({**fault_env, **graph_after_restart.env()})
    async with httpx.AsyncClient(timeout=10) as http:  # Meta retries what was not acknowledged (and may repeat)
        for body in deliveries.values():
            assert (await post_delivery(second.url, APP_SECRET, body, client=http)).status_code == 200

    async def all_done():
        rows = await db.fetch("SELECT message_id, status FROM inbound_message_queue")
        return rows if len(rows) == len(deliveries) and all(r["status"] == "done" for r in rows) else None

    rows = await eventually(all_done, what="every delivery processed after the restart")
    assert sorted(r["message_id"] for r in rows) == sorted(deliveries)
    replayed = await db.fetch("SELECT wa_id, attempts FROM inbound_message_queue WHERE wa_id = ANY($1::text[])",
                              list(sent_unfinished))
    assert {r["wa_id"] for r in replayed if r["attempts"] >= 2} == sent_unfinished  # replayed (and, below, not resent)
    await asyncio.sleep(0.5)  # a duplicate reply would arrive now
    for body in deliveries.values():
        wa_id = body["entry"][0]["changes"][0]["value"]["messages"][0]["from"]
        assert len(graph.texts_to(wa_id)) + len(graph_after_restart.texts_to(wa_id)) == 1, wa_id
    counts = await db.fetch("SELECT wa_id, count(*) AS n FROM conversation WHERE role IN ('user', 'assistant') "
                            "GROUP BY wa_id, role")
    assert all(r["n"] == 1 for r in counts)

    booked = {r["wa_id"]: r["n"] for r in await db.fetch(
        "SELECT wa_id, count(*) AS n FROM reservations WHERE wa_id LIKE '9665059%' GROUP BY wa_id")}
    assert set(acknowledged) <= set(booked), "an acknowledged reservation was lost"
    assert set(booked) <= set(attempted) and all(n == 1 for n in booked.values())
    assert unhandled_errors(second.logs()) == []


async def _kill_outside_send_window(server, graph: FakeGraph, db, sent_unfinished: set[str]) -> None:
    """SIGKILL `server` at no moment between Graph accepting a reply part and its record as sent.

    Graph stops accepting anything new (text messages sent from now on are read and hung, also
    any still in the socket when the process dies) except the held replies of `sent_unfinished`.
    Those turns' leases are taken from under the server first (as a worker taking over a lapsed
    lease would), so they send their reply but cannot be marked done. Once every part Graph
    accepted is recorded as sent, the process is killed: those turns have replied and are not
    done, others are hung at Graph or in an earlier step, writes and deliveries go on.
    """
    taken = await db.execute("UPDATE inbound_message_queue SET lease_token = gen_random_uuid() "
                             "WHERE wa_id = ANY($1::text[]) AND status = 'processing'", list(sent_unfinished))
    assert taken == f"UPDATE {len(sent_unfinished)}", taken
    graph.hang_all = True
    graph.release_held()

    async def accepted_parts_recorded() -> bool:
        sent = {r["wamid"] for r in await db.fetch("SELECT wamid FROM whatsapp_outbound WHERE delivery = 'sent'")}
        return len(graph.accepted_ids) > 0 and set(graph.accepted_ids) <= sent

    await eventually(accepted_parts_recorded, what="every part Graph accepted recorded as sent")
    server.stop(signal.SIGKILL)


async def _async(value):
    return value
