"""Booking conversations through each LLM provider's real SDK, against a local fake of its API."""
from __future__ import annotations

import httpx
import pytest

from tests.whatsapp.conftest import APP_SECRET, eventually
from tests.whatsapp.fake_llm import FOREIGN_WA_ID, FakeLLM
from tests.whatsapp.fakes import post_delivery, text_delivery
from tests.whatsapp.llm_protocol import ANTHROPIC_KEY, GEMINI_KEY, OPENAI_KEY

CUSTOMER = "966507770001"


@pytest.fixture
async def llm():
    fake = await FakeLLM().start()
    yield fake
    await fake.stop()


async def _reply(graph, wa_id, count=1):
    texts = graph.texts_to(wa_id)
    return texts if len(texts) >= count else None


def _check_openai_turn(llm: FakeLLM) -> None:
    """Each follow-up chains on the response it answers and answers exactly the calls that response made."""
    first, second, third = llm.sent("openai")
    assert all(e.headers["Authorization"] == f"Bearer {OPENAI_KEY}" for e in (first, second, third))
    assert first.body["model"] == "gpt-5.1" and first.body.get("previous_response_id") is None
    for asked, answered in ((first, second), (second, third)):
        calls = [o["call_id"] for o in asked.answer["output"] if o["type"] == "function_call"]
        assert answered.body["previous_response_id"] == asked.answer["id"], "follow-up not chained"
        assert [(i["type"], i["call_id"]) for i in answered.body["input"]] == [
            ("function_call_output", call_id) for call_id in calls]
    assert len([o for o in first.answer["output"] if o["type"] == "function_call"]) == 2  # two calls in one turn


def _check_anthropic_turn(llm: FakeLLM) -> None:
    """The assistant turn is echoed back whole, and the next user turn answers each of its tool_use ids in order."""
    first, second, third = llm.sent("anthropic")
    for exchange in (first, second, third):
        assert ANTHROPIC_KEY in (exchange.headers.get("x-api-key"), exchange.headers.get("Authorization", "")[7:])
        assert exchange.headers["anthropic-version"]
        assert exchange.body["model"].startswith("claude-") and exchange.body["max_tokens"] > 0
    for asked, answered in ((first, second), (second, third)):
        uses = [b["id"] for b in asked.answer["content"] if b["type"] == "tool_use"]
        assert answered.body["messages"][-2] == {"role": "assistant", "content": asked.answer["content"]}
        assert [(b["type"], b["tool_use_id"]) for b in answered.body["messages"][-1]["content"]] == [
            ("tool_result", tool_use_id) for tool_use_id in uses]
    assert [m["role"] for m in third.body["messages"]] == ["user", "assistant", "user", "assistant", "user"]


def _check_gemini_turn(llm: FakeLLM) -> None:
    """The model's function-call turn is echoed back, then one functionResponse per call, by name, in order."""
    first, second, third = llm.sent("gemini")
    for exchange in (first, second, third):
        assert exchange.headers["x-goog-api-key"] == GEMINI_KEY
        thinking = exchange.body["generationConfig"]["thinkingConfig"]["thinkingBudget"]
        assert 128 <= thinking < exchange.body["generationConfig"]["maxOutputTokens"]
    for asked, answered in ((first, second), (second, third)):
        parts = asked.answer["candidates"][0]["content"]["parts"]
        calls = [p["functionCall"]["name"] for p in parts]
        assert answered.body["contents"][-2] == {"role": "model", "parts": parts}
        assert [p["functionResponse"]["name"] for p in answered.body["contents"][-1]["parts"]] == calls


CHECK_TURN = {"openai": _check_openai_turn, "anthropic": _check_anthropic_turn, "gemini": _check_gemini_turn}


@pytest.mark.parametrize("provider", ["openai", "anthropic", "gemini"])
async def test_a_booking_through_the_provider_creates_the_reservation(provider, wa_env, servers, graph, llm, db):
    server = servers({**wa_env, **llm.env(provider)})
    response = await post_delivery(server.url, APP_SECRET, text_delivery(CUSTOMER, "I want to book please",
                                                                         "wamid.llm1"))
    assert response.status_code == 200
    replies = await eventually(lambda: _reply(graph, CUSTOMER), what="the assistant's reply")
    assert llm.faults == [], f"the fake {provider} API saw protocol faults"
    assert len(replies) == 1 and replies[0].startswith(f"Booked via {provider}: reservation "), replies
    rows = await db.fetch("SELECT id, wa_id, type, status FROM reservations")
    assert [(r["wa_id"], r["type"], r["status"]) for r in rows] == [(CUSTOMER, 0, "active")]
    assert f"reservation {rows[0]['id']} " in replies[0]
    assert await db.fetchval("SELECT count(*) FROM customers WHERE wa_id = $1", FOREIGN_WA_ID) == 0
    assert llm.count(provider) == 3  # two lookups together, reserve, final answer
    CHECK_TURN[provider](llm)
    tool_rows = await db.fetch("SELECT message FROM conversation WHERE wa_id = $1 AND role = 'tool' ORDER BY id",
                               CUSTOMER)
    assert [r["message"].split("</summary>")[0].split("<summary>")[1] for r in tool_rows] == [
        "Tool: get_customer_reservations", "Result: get_customer_reservations",
        "Tool: search_available_appointments", "Result: search_available_appointments",
        "Tool: reserve_time_slot", "Result: reserve_time_slot"]
    roles = [r["role"] for r in await db.fetch(
        "SELECT role FROM conversation WHERE wa_id = $1 AND role <> 'tool' ORDER BY id", CUSTOMER)]
    assert roles == ["user", "assistant"]


async def test_the_llm_failing_then_recovering(wa_env, servers, graph, llm, db):
    """While the provider fails the offline assistant answers each message; once it recovers, it answers again.

    The breaker's timing is covered by test_rules; here its cooldown is short, so every message tries the
    provider and the outcome does not depend on how fast this machine is.
    """
    server = servers({**wa_env, **llm.env("anthropic"), "LLM_BREAKER_FAILURES": "1", "LLM_BREAKER_COOLDOWN": "0.01"})
    llm.fail_remaining = 1000
    for index, text in enumerate(("hello", "hello again")):
        await post_delivery(server.url, APP_SECRET, text_delivery(CUSTOMER, text, f"wamid.fail{index}"))
        replies = await eventually(lambda n=index + 1: _reply(graph, CUSTOMER, n), what="a fallback reply")
        assert "1. Free appointments" in replies[index]  # the offline assistant's menu
    assert llm.count("anthropic") >= 1
    llm.fail_remaining = 0
    await post_delivery(server.url, APP_SECRET, text_delivery(CUSTOMER, "hello once more", "wamid.fail3"))
    third = await eventually(lambda: _reply(graph, CUSTOMER, 3), what="the provider's reply")
    assert third[2] == "Hello from anthropic", third

    async def all_done():  # a reply goes out before its queue row is marked done
        statuses = [r["status"] for r in await db.fetch("SELECT status FROM inbound_message_queue ORDER BY id")]
        return statuses == ["done", "done", "done"]

    await eventually(all_done, what="the three messages done")
    async with httpx.AsyncClient() as http:
        metrics = (await http.get(server.url + "/metrics")).text
    assert 'assistant_offline_fallbacks_total{provider="anthropic",reason="error"}' in metrics


async def test_gemini_answering_nothing_is_asked_again_then_the_offline_assistant_answers(wa_env, servers, graph,
                                                                                          llm, db):
    """A 2.5 Pro turn can end MAX_TOKENS with no parts (thinking spent the budget): never a silent non-reply."""
    server = servers({**wa_env, **llm.env("gemini")})
    llm.gemini_truncated_remaining = 1  # empty once: the second try answers
    await post_delivery(server.url, APP_SECRET, text_delivery(CUSTOMER, "hello", "wamid.empty1"))
    replies = await eventually(lambda: _reply(graph, CUSTOMER), what="the retried reply")
    assert replies == ["Hello from gemini"]
    assert [e.answer["candidates"][0]["finishReason"] for e in llm.sent("gemini")] == ["MAX_TOKENS", "STOP"]
    assert llm.sent("gemini")[0].body == llm.sent("gemini")[1].body  # the same request, asked again

    llm.gemini_truncated_remaining = 2  # empty twice: the offline assistant answers instead
    await post_delivery(server.url, APP_SECRET, text_delivery(CUSTOMER, "hello again", "wamid.empty2"))
    replies = await eventually(lambda: _reply(graph, CUSTOMER, 2), what="the offline assistant's reply")
    assert "1. Free appointments" in replies[1], replies
    assert llm.count("gemini") == 4 and llm.faults == []
    async with httpx.AsyncClient() as http:
        metrics = (await http.get(server.url + "/metrics")).text
    assert 'llm_empty_responses_total{provider="gemini",response_type="empty_max_tokens"} 3' in metrics
    assert 'assistant_offline_fallbacks_total{provider="gemini",reason="empty"} 1' in metrics
