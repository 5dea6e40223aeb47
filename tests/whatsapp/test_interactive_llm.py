"""The LLM offers slots as a list through its tool; the customer books by tapping, provider still configured."""
from __future__ import annotations

import json
from typing import Any

import pytest

from actors.assistant.offers import parse_slot_id
from tests.whatsapp.fake_llm import FakeLLM
from tests.whatsapp.taps import button_reply, buttons, exchange, list_reply, rows, text

CUSTOMER = "966507770031"
INTRO = "Here are our free times, tap one."


class ListOfferingLLM(FakeLLM):
    """A scripted model that answers "which times?" with the list tool, then one sentence."""

    def decide(self, provider: str, text: str | None, results: list[tuple[str, Any]] | None,
               declared: set[str]) -> tuple[str, Any]:
        if results and any(tool == "offer_appointments_list" and "offered" in (result.get("data") or {})
                           for tool, result in results):
            return "text", "Please choose a time from the list."
        if text and "times" in text.lower() and "offer_appointments_list" in declared:
            return "calls", [("offer_appointments_list", {"days_forward": 7, "intro": INTRO})]
        return super().decide(provider, text, results, declared)


@pytest.fixture
async def llm():
    fake = await ListOfferingLLM().start()
    yield fake
    await fake.stop()


async def test_the_llm_offers_a_list_and_a_tap_books(interactive_env, servers, graph, llm, db):
    server = servers({**interactive_env, **llm.env("openai")})
    offer = await exchange(server, graph, CUSTOMER, text(CUSTOMER, "Which times are free?"))
    offered = rows(offer)
    assert offer["interactive"]["body"]["text"] == INTRO and all(parse_slot_id(r["id"]) for r in offered)
    # the list goes to the customer, not back to the model: the tool output it read has none
    outputs = [item["output"] for _, body in llm.requests for item in body.get("input") or []
               if isinstance(item, dict) and item.get("type") == "function_call_output"]
    assert outputs and all("interactive" not in json.loads(output) for output in outputs)
    assert llm.faults == []
    stored = await db.fetchval("SELECT message FROM conversation WHERE wa_id = $1 AND role = 'assistant'", CUSTOMER)
    assert stored == "Please choose a time from the list."

    calls = len(llm.requests)
    asked = await exchange(server, graph, CUSTOMER, list_reply(CUSTOMER, offered[0]))
    assert asked["text"]["body"] == "What is the patient's name?"
    kinds = await exchange(server, graph, CUSTOMER, text(CUSTOMER, "Mona"))
    booked = await exchange(server, graph, CUSTOMER, button_reply(CUSTOMER, buttons(kinds)[0]))
    assert booked["text"]["body"].startswith("Your appointment is booked:")
    assert len(llm.requests) == calls  # the booking a tap started is finished by the dialogue, not the model
    slot = parse_slot_id(offered[0]["id"])
    rows_ = await db.fetch("SELECT slot_date, customer_name FROM reservations r JOIN customers c USING (wa_id)"
                           " WHERE wa_id = $1 AND status = 'active'", CUSTOMER)
    assert [(r["slot_date"].isoformat(), r["customer_name"]) for r in rows_] == [(slot["date"], "Mona")]
