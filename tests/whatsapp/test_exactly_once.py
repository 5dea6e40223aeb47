"""Crashes and failures: a killed worker, failing sends, a message that keeps failing."""
from __future__ import annotations

import asyncio
import signal

import httpx
import pytest

from tests.whatsapp.conftest import APP_SECRET, eventually
from tests.whatsapp.fake_llm import FakeLLM
from tests.whatsapp.fakes import post_delivery, text_delivery

CUSTOMER = "966508880001"


@pytest.fixture
async def slow_llm():
    fake = await FakeLLM(delay=2.0).start()
    yield fake
    await fake.stop()


async def queue(db):
    return await db.fetch("SELECT id, status, attempts, last_error FROM inbound_message_queue ORDER BY id")


async def test_a_worker_killed_mid_turn_gives_exactly_one_reply_after_restart(wa_env, servers, graph, slow_llm,
                                                                              db):
    env = {**wa_env, **slow_llm.env("anthropic")}
    first = servers(env)
    await post_delivery(first.url, APP_SECRET, text_delivery(CUSTOMER, "hello", "wamid.kill1"))
    await eventually(lambda: _llm_called(slow_llm), what="the LLM call in flight")
    first.stop(signal.SIGKILL)  # mid-turn: the customer message is stored, the LLM has not answered
    rows = await queue(db)
    assert [(r["status"], r["attempts"]) for r in rows] == [("processing", 1)]
    assert graph.texts_to(CUSTOMER) == []

    second = servers(env)
    rows = await eventually(lambda: _all_done(db), what="the message done after restart")
    assert [(r["status"], r["attempts"]) for r in rows] == [("done", 2)]
    await asyncio.sleep(0.5)  # nothing further may arrive
    assert graph.texts_to(CUSTOMER) == ["Hello from anthropic"]
    counts = dict(await db.fetch("SELECT role, count(*) FROM conversation WHERE wa_id = $1 GROUP BY role", CUSTOMER))
    assert counts == {"user": 1, "assistant": 1}
    assert second.stop() is not None


async def test_a_failed_send_is_retried_and_delivered_once(wa_env, servers, graph, db):
    server = servers(wa_env)
    graph.fail_next = [503, 500]  # the reply's first two sends fail
    await post_delivery(server.url, APP_SECRET, text_delivery(CUSTOMER, "hello", "wamid.retry1"))
    rows = await eventually(lambda: _all_done(db), what="the message done")
    assert [(r["status"], r["attempts"]) for r in rows] == [("done", 3)]
    assert len(graph.failed) == 2 and len(graph.texts_to(CUSTOMER)) == 1
    assert graph.failed[0]["text"] == graph.failed[1]["text"] == {"preview_url": False,
                                                                   "body": graph.texts_to(CUSTOMER)[0]}
    assert await db.fetchval(
        "SELECT count(*) FROM conversation WHERE wa_id = $1 AND role = 'assistant'", CUSTOMER) == 1


async def test_a_message_that_keeps_failing_ends_failed_and_does_not_block_the_next(wa_env, servers, graph, db):
    server = servers({**wa_env, "INBOUND_QUEUE_MAX_ATTEMPTS": "2"})
    graph.fail_next = [400, 400]
    await post_delivery(server.url, APP_SECRET, text_delivery(CUSTOMER, "hello", "wamid.bad1"))

    async def failed():
        rows = await queue(db)
        return rows if rows and rows[0]["status"] == "failed" else None

    rows = await eventually(failed, what="the message failed")
    assert rows[0]["attempts"] == 2 and "WhatsApp API error 400" in rows[0]["last_error"]
    await post_delivery(server.url, APP_SECRET, text_delivery(CUSTOMER, "are you there?", "wamid.bad2"))

    async def second_done():
        rows = await queue(db)
        return rows if len(rows) == 2 and rows[1]["status"] == "done" else None

    await eventually(second_done, what="the next message done")
    assert len(graph.texts_to(CUSTOMER)) == 1
    async with httpx.AsyncClient() as http:
        metrics = (await http.get(server.url + "/metrics")).text
    assert "inbound_queue_failed_total 1" in metrics


async def _llm_called(llm):
    return llm.count("anthropic") >= 1


async def _all_done(db):
    rows = await queue(db)
    return rows if rows and all(r["status"] == "done" for r in rows) else None
