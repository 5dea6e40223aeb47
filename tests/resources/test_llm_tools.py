"""The LLM is offered the resource tools (list_resources, a `resource` parameter) only while the clinic has more
than one active resource: a single-resource clinic's requests declare exactly the tools it declared before
resources existed. Checked on what each provider's real SDK sends to the fake LLM server."""
from __future__ import annotations

import pytest

from tests.whatsapp.conftest import APP_SECRET, eventually, wa_env  # noqa: F401  (fixture)
from tests.whatsapp.fake_llm import FakeLLM
from tests.whatsapp.fakes import post_delivery, text_delivery

CUSTOMER = "966507770002"
# The customer assistant's tools before resources existed (issue 24), in the order they are declared.
PLAIN_TOOLS = ["send_business_location", "get_current_datetime", "get_customer_reservations",
               "get_available_time_slots", "search_available_appointments", "offer_appointments_list",
               "reserve_time_slot", "modify_reservation", "cancel_reservation", "think"]
WITH_RESOURCE = {"get_available_time_slots", "search_available_appointments", "reserve_time_slot",
                 "modify_reservation"}


def declared(provider: str, body: dict) -> dict[str, tuple[str, dict]]:
    """{tool name: (description, JSON schema)} as the request declares them."""
    if provider == "openai":
        return {t["name"]: (t["description"], t["parameters"]) for t in body["tools"] if t.get("type") == "function"}
    if provider == "anthropic":
        return {t["name"]: (t["description"], t["input_schema"]) for t in body["tools"]}
    return {d["name"]: (d["description"], d["parametersJsonSchema"])
            for t in body["tools"] for d in t.get("functionDeclarations") or []}


@pytest.fixture
async def llm():
    fake = await FakeLLM().start()
    yield fake
    await fake.stop()


async def _ask(server, graph, llm, provider: str, n: int) -> dict[str, tuple[str, dict]]:
    await post_delivery(server.url, APP_SECRET, text_delivery(CUSTOMER, f"hello {n}", f"wamid.tools{provider}{n}"))

    async def answered():
        return graph.texts_to(CUSTOMER) if len(graph.texts_to(CUSTOMER)) > n else None

    await eventually(answered, what=f"reply {n}")
    return declared(provider, llm.sent(provider)[-1].body)


@pytest.mark.parametrize("provider", ["openai", "anthropic", "gemini"])
async def test_resource_tools_are_offered_only_with_several_active_resources(wa_env, servers, graph, llm, db,  # noqa: F811
                                                                            provider):
    server = servers({**wa_env, **llm.env(provider)})
    single = await _ask(server, graph, llm, provider, 0)
    assert list(single) == PLAIN_TOOLS
    assert all("resource" not in schema["properties"] for _, schema in single.values())
    assert single["get_available_time_slots"][0] == "Free time slots on one date."

    # a second active resource: the model can list them and name one
    omar = await db.fetchval("INSERT INTO resources (name_ar, name_en) VALUES ('د. عمر', 'Dr. Omar') RETURNING id")
    several = await _ask(server, graph, llm, provider, 1)
    assert "list_resources" in several
    assert {name for name, (_, schema) in several.items() if "resource" in schema["properties"]} == WITH_RESOURCE

    # switched off again (an inactive resource does not count): back to the plain tools
    await db.execute("UPDATE resources SET active = false WHERE id = $1", omar)
    again = await _ask(server, graph, llm, provider, 2)
    assert again == single
    assert llm.faults == []
