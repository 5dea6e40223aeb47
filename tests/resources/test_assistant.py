"""The assistant knows the resources: the offline assistant and an LLM (OpenAI, through its fake) book with
"any doctor", then with a named one, and say who the booking is with."""
from __future__ import annotations

import pytest

from tests.whatsapp.conftest import APP_SECRET, eventually, wa_env  # noqa: F401  (fixture)
from tests.whatsapp.fake_llm import FakeLLM
from tests.whatsapp.fakes import post_delivery, text_delivery
from tests.whatsapp.test_offline_assistant import say

CUSTOMER = "966507770001"


async def _two_doctors(db) -> dict[str, int]:
    await db.execute("INSERT INTO resources (id, name_ar, name_en, is_default, active)"
                     " VALUES (1, 'العيادة', 'Clinic', true, false)")
    return {name: await db.fetchval("INSERT INTO resources (name_ar, name_en, capacity, position)"
                                    " VALUES ($1, $2, 1, $3) RETURNING id", ar, name, position)
            for position, (name, ar) in enumerate((("Dr. Lina", "د. لينا"), ("Dr. Omar", "د. عمر")))}


async def _booked_with(db) -> list[int]:
    return [r["resource_id"] for r in await db.fetch(
        "SELECT resource_id FROM reservations WHERE wa_id = $1 AND status = 'active'", CUSTOMER)]


async def test_the_offline_assistant_books_any_doctor_then_a_named_one(wa_env, servers, graph, db):  # noqa: F811
    ids = await _two_doctors(db)
    # Dr. Lina works 08:00-10:00 in hours; Dr. Omar the clinic's 11:00-17:00 in two hours: no common slot
    await db.execute("UPDATE resources SET start_time = '08:00', end_time = '10:00', slot_duration_minutes = 60"
                     " WHERE id = $1", ids["Dr. Lina"])
    server = servers(wa_env)
    offer = await say(server, graph, CUSTOMER, "I want to book with any doctor")
    assert offer.startswith("Choose an appointment by its number:")
    assert await say(server, graph, CUSTOMER, "1") == "What is the patient's name?"
    await say(server, graph, CUSTOMER, "Sara")
    booked = await say(server, graph, CUSTOMER, "1")
    [first] = await _booked_with(db)
    name = next(n for n, i in ids.items() if i == first)
    assert booked.startswith(f"Your appointment with {name} is booked: "), booked
    other = "Dr. Omar" if name == "Dr. Lina" else "Dr. Lina"

    offer = await say(server, graph, CUSTOMER, f"book with {other} please")
    assert offer.startswith("Choose an appointment by its number:")
    await say(server, graph, CUSTOMER, "1")  # the name is known: straight to the visit type
    moved = await say(server, graph, CUSTOMER, "1")  # one upcoming booking per customer: it moves to him
    assert moved.startswith(f"Your appointment with {other} is booked: "), moved
    assert await _booked_with(db) == [ids[other]]

    # moving it offers its own doctor's slots (not those of the doctor last asked about) and keeps them
    assert (await say(server, graph, CUSTOMER, f"free slots with {name}")).startswith("Free appointments")
    offer = await say(server, graph, CUSTOMER, "I want to change my appointment")
    assert "\n2. " in offer
    assert (await say(server, graph, CUSTOMER, "2")).startswith("Your appointment is moved to")
    assert await _booked_with(db) == [ids[other]]


class ResourceLLM(FakeLLM):
    """A scripted model that lists the doctors, then books with "any" or the doctor the customer names."""

    def __init__(self) -> None:
        super().__init__()
        self.seen_text: str | None = None

    def decide(self, provider, text, results, declared):
        if text is not None:
            self.seen_text = text  # a tool result's round trip carries no user message
        text = (self.seen_text or "").lower()
        wanted = "Dr. Omar" if "omar" in text else "any"
        if not results:  # a new customer message
            if "doctors" in text:
                return "calls", [("list_resources", {})]
            return "calls", [("search_available_appointments", {"days_forward": 7, "resource": wanted})]
        tool, result = results[-1]
        data = result.get("data")
        if tool == "list_resources":
            return "text", "Our doctors: " + ", ".join(r["name_en"] for r in data)
        if tool == "search_available_appointments":
            for day in (data or {}).get("appointments") or []:
                return "calls", [("reserve_time_slot", {
                    "customer_name": "Sara", "date_str": day["gregorian_date"],
                    "time_slot": day["time_slots"][0]["time_slot"], "reservation_type": 0, "resource": wanted})]
        if tool == "reserve_time_slot" and "reservation_id" in (data or {}):
            return "text", f"Booked with {data.get('resource')}."
        return "text", f"Tool said: {result.get('message')}"


@pytest.fixture
async def llm():
    fake = await ResourceLLM().start()
    yield fake
    await fake.stop()


async def test_an_llm_lists_the_doctors_and_books_any_then_a_named_one(wa_env, servers, graph, llm, db):  # noqa: F811
    ids = await _two_doctors(db)
    server = servers({**wa_env, **llm.env("openai")})
    replies = []
    for n, text in enumerate(("Who are your doctors?", "Please book any doctor", "Now book with Dr. Omar")):
        await post_delivery(server.url, APP_SECRET, text_delivery(CUSTOMER, text, f"wamid.res{n}"))

        async def answered(count=n + 1):
            texts = graph.texts_to(CUSTOMER)
            return texts if len(texts) >= count else None

        replies = await eventually(answered, what=f"the reply to {text!r}")
    assert replies[0] == "Our doctors: Dr. Lina, Dr. Omar"
    assert replies[1] == "Booked with Dr. Lina."  # both free: the first in the admins' order
    assert replies[2] == "Booked with Dr. Omar."  # the customer's one upcoming booking moves to him
    assert await _booked_with(db) == [ids["Dr. Omar"]]
    assert llm.faults == []  # every request as the real API accepts it
