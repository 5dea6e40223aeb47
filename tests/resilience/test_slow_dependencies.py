"""An LLM provider that hangs and a WhatsApp Cloud API that errors or hangs, against a real server.

Every customer still gets an answer (the offline assistant when the LLM stalls), each
exactly once; the circuit breaker stops waiting on a provider that keeps failing; a
customer whose replies cannot be sent, or whose sends get no answer at all, does not
hold up the others.
"""
from __future__ import annotations

import asyncio

import asyncpg
import httpx
import pytest
from aiohttp import web

from tests.resilience.conftest import APP_SECRET, eventually, unhandled_errors
from tests.whatsapp.fake_llm import FakeLLM
from tests.whatsapp.fakes import FakeGraph, post_delivery, text_delivery

pytestmark = pytest.mark.faults

OFFLINE_MENU = "1. Free appointments"


class FlakyGraph(FakeGraph):
    """Answers text messages to chosen customers with HTTP 500 a number of times first."""

    def __init__(self) -> None:
        super().__init__()
        self.fail_for: dict[str, int] = {}

    async def _messages(self, request: web.Request) -> web.Response:
        body = await request.json()
        to = body.get("to")
        if body.get("type") == "text" and self.fail_for.get(to, 0) > 0:
            self.fail_for[to] -= 1
            self.failed.append(body)
            return web.json_response({"error": {"message": "fake outage", "type": "Transient"}}, status=500)
        return await super()._messages(request)


@pytest.fixture
async def hanging_llm():
    fake = await FakeLLM(delay=3600).start()  # never answers within any timeout
    fake._runner._shutdown_timeout = 0.5  # its hung handlers are not worth waiting for at teardown
    yield fake
    await fake.stop()


@pytest.fixture
async def flaky_graph():
    fake = await FlakyGraph().start()
    yield fake
    await fake.stop()


async def _queue_done(conn: asyncpg.Connection, count: int):
    rows = await conn.fetch("SELECT wa_id, status, attempts FROM inbound_message_queue ORDER BY id")
    return rows if len(rows) == count and all(r["status"] == "done" for r in rows) else None


async def scrape(url: str, name: str, **labels: str) -> float:
    """The value of one sample on a server's /metrics (0 when absent)."""
    async with httpx.AsyncClient(timeout=10) as http:
        text = (await http.get(url + "/metrics")).text
    wanted = [f'{key}="{value}"' for key, value in labels.items()]
    for line in text.splitlines():
        sample, _, value = line.rpartition(" ")
        if sample.split("{")[0] == name and all(label in sample for label in wanted):
            return float(value)
    return 0.0


async def _deliver(url: str, customers: list[str], tag: str) -> None:
    responses = await asyncio.gather(*(post_delivery(url, APP_SECRET, text_delivery(wa, "hello", f"wamid.{tag}.{wa}"))
                                       for wa in customers))
    assert [r.status_code for r in responses] == [200] * len(customers)


async def test_a_hanging_llm_is_cut_off_and_customers_get_the_offline_assistant(fault_env, graph, hanging_llm,
                                                                                servers, db):
    server = servers({**fault_env, **hanging_llm.env("anthropic"), "LLM_TIMEOUT": "1",
                      "LLM_BREAKER_FAILURES": "2", "LLM_BREAKER_COOLDOWN": "600"})
    first = [f"96650550{i:04d}" for i in range(6)]
    await _deliver(server.url, first, "hang")
    await eventually(lambda: _queue_done(db, len(first)), what="every turn answered despite the hanging LLM")
    for wa_id in first:
        replies = graph.texts_to(wa_id)
        assert len(replies) == 1 and OFFLINE_MENU in replies[0], (wa_id, replies)
    calls_before = hanging_llm.count("anthropic")
    assert 1 <= calls_before <= len(first)

    # Breaker open: later customers are answered without waiting on the provider at all.
    later = [f"96650551{i:04d}" for i in range(4)]
    await _deliver(server.url, later, "open")
    await eventually(lambda: _queue_done(db, len(first) + len(later)), what="later customers answered")
    assert hanging_llm.count("anthropic") == calls_before
    for wa_id in later:
        assert len(graph.texts_to(wa_id)) == 1
    counts = await db.fetch("SELECT wa_id, count(*) AS n FROM conversation WHERE role = 'assistant' GROUP BY wa_id")
    assert {r["wa_id"]: r["n"] for r in counts} == {wa: 1 for wa in first + later}
    assert unhandled_errors(server.logs()) == []


async def test_failing_sends_for_one_customer_do_not_hold_up_the_others(fault_env, flaky_graph, servers, db):
    # A refusal is a definite answer (nothing was sent): the retry never waits for the in-doubt grace.
    server = servers({**fault_env, **flaky_graph.env(), "OUTBOUND_IN_DOUBT_GRACE": "600"})
    unlucky, others = "966505600001", [f"96650560{i:04d}" for i in range(2, 7)]
    flaky_graph.fail_for[unlucky] = 3
    await _deliver(server.url, [unlucky, *others], "flaky")
    rows = await eventually(lambda: _queue_done(db, 1 + len(others)), what="every message done")
    attempts = {r["wa_id"]: r["attempts"] for r in rows}
    assert attempts == {unlucky: 4, **{wa: 1 for wa in others}}  # the others never waited for a retry
    assert [b["to"] for b in flaky_graph.failed] == [unlucky] * 3
    for wa_id in [unlucky, *others]:
        assert len(flaky_graph.texts_to(wa_id)) == 1, wa_id  # retried, delivered once
    counts = await db.fetch("SELECT wa_id, count(*) AS n FROM conversation WHERE role = 'assistant' GROUP BY wa_id")
    assert {r["wa_id"]: r["n"] for r in counts} == {wa: 1 for wa in [unlucky, *others]}
    assert unhandled_errors(server.logs()) == []


async def test_a_hanging_graph_api_is_cut_off_retried_and_delivers_once_it_answers(fault_env, graph, servers, db):
    # A timed-out send may have been accepted: its retry waits the grace for a status callback (none comes).
    server = servers({**fault_env, "GRAPH_API_TIMEOUT": "1", "OUTBOUND_IN_DOUBT_GRACE": "1"})
    stuck, others = "966505700001", [f"96650570{i:04d}" for i in range(2, 6)]
    graph.hang_for.add(stuck)  # Graph reads the stuck customer's replies and never answers
    await _deliver(server.url, [stuck, *others], "hung")

    async def stuck_and_retrying():
        rows = await db.fetch("SELECT wa_id, status, attempts, last_error FROM inbound_message_queue ORDER BY id")
        by_wa = {r["wa_id"]: r for r in rows}
        row = by_wa.get(stuck)
        others_done = all(by_wa.get(wa) is not None and by_wa[wa]["status"] == "done" for wa in others)
        waiting = row is not None and row["status"] == "pending" and row["attempts"] >= 2  # between attempts
        return by_wa if others_done and waiting else None

    rows = await eventually(stuck_and_retrying, what="the others answered while the stuck turn keeps retrying")
    # Each attempt ended (cut off by the timeout) and was put back with backoff: a visible retrying row.
    tried = rows[stuck]["attempts"]
    assert "Request timed out" in rows[stuck]["last_error"]
    assert [b["to"] for b in graph.hung] == [stuck] * tried and graph.texts_to(stuck) == []
    for wa_id in others:
        assert rows[wa_id]["attempts"] == 1 and len(graph.texts_to(wa_id)) == 1, wa_id
    assert await scrape(server.url, "whatsapp_outbound_messages_total", kind="text", delivery="failed") == tried
    assert await scrape(server.url, "inbound_queue_processing_errors_total") == tried

    graph.stop_hanging()
    rows = await eventually(lambda: _queue_done(db, 1 + len(others)), what="the stuck message done once Graph answers")
    attempts = {r["wa_id"]: r["attempts"] for r in rows}
    assert attempts[stuck] == len(graph.hung) + 1  # every attempt but the last was cut off, none sent twice
    assert len(graph.texts_to(stuck)) == 1
    for wa_id in others:
        assert attempts[wa_id] == 1 and len(graph.texts_to(wa_id)) == 1, wa_id
    counts = await db.fetch("SELECT wa_id, count(*) AS n FROM conversation WHERE role = 'assistant' GROUP BY wa_id")
    assert {r["wa_id"]: r["n"] for r in counts} == {wa: 1 for wa in [stuck, *others]}
    assert unhandled_errors(server.logs()) == []
