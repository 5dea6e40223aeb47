"""The outbound REST routes against the fake Graph API, and the system agent."""
from __future__ import annotations

import pytest

from handlers.app import create_app
from runtime.config import load_config
from runtime.routes import Role
from tests.whatsapp.conftest import eventually
from tests.whatsapp.fake_llm import FakeLLM

CUSTOMER = "966509990001"


@pytest.fixture
async def staff(aiohttp_client, env, graph, token_for):
    _, token = await token_for(Role.STAFF)
    # The customers here never wrote: the 24-hour window has its own tests (test_service_window).
    app = create_app(load_config({**env, **graph.env(), "WHATSAPP_SERVICE_WINDOW": "false"}))
    return await aiohttp_client(app, headers={"Authorization": f"Bearer {token}"})


async def test_send_message_sends_stores_and_refuses_bad_input(staff, graph, db):
    response = await staff.post("/whatsapp/message", json={"wa_id": CUSTOMER, "text": "Your results are ready",
                                                           "_call_source": "frontend"})
    assert response.status == 200
    body = await response.json()
    assert body["messaging_product"] == "whatsapp" and body["messages"][0]["id"].startswith("wamid.")
    assert graph.texts_to(CUSTOMER) == ["Your results are ready"]
    assert graph.texts[0] == {"messaging_product": "whatsapp", "recipient_type": "individual", "to": CUSTOMER,
                              "type": "text", "text": {"preview_url": False, "body": "Your results are ready"}}
    row = await db.fetchrow("SELECT role, message FROM conversation WHERE wa_id = $1", CUSTOMER)
    assert dict(row) == {"role": "secretary", "message": "Your results are ready"}

    cases = [({"wa_id": CUSTOMER, "text": 5}, 400, "Invalid text"),
             ({"wa_id": CUSTOMER, "text": "x" * 4097}, 400, "Message too long (max 4096)"),
             ({"wa_id": "  ", "text": "hi"}, 400, "Customer with phone number not found. The phone number may "
                                                  "have been changed already.")]
    for payload, status, message in cases:
        response = await staff.post("/whatsapp/message", json=payload)
        assert response.status == status and await response.json() == {"status": "error", "message": message}
    await db.execute("UPDATE customers SET is_blocked = true WHERE wa_id = $1", CUSTOMER)
    response = await staff.post("/whatsapp/message", json={"wa_id": CUSTOMER, "text": "hi"})
    assert response.status == 403 and (await response.json())["message"] == "Contact is blocked."
    assert len(graph.texts) == 1


async def test_graph_errors_are_passed_through(staff, graph):
    graph.fail_next = [400]
    response = await staff.post("/whatsapp/message", json={"wa_id": CUSTOMER, "text": "hi"})
    assert response.status == 400
    assert await response.json() == {"status": "error", "message": "WhatsApp API error 400"}


async def test_typing_location_and_template(staff, graph, db):
    off = await staff.post("/typing", json={"wa_id": CUSTOMER, "typing": False})
    assert await off.json() == {"success": True, "typing": False}
    no_context = await staff.post("/typing", json={"wa_id": CUSTOMER, "typing": True})
    assert no_context.status == 400
    assert await no_context.json() == {"status": "error", "message": "No recent message context for typing"}
    await db.execute("INSERT INTO whatsapp_last_inbound (wa_id, message_id) VALUES ($1, 'wamid.in1')", CUSTOMER)
    on = await staff.post("/typing", json={"wa_id": CUSTOMER, "typing": True})
    assert on.status == 200 and await on.json() == {"success": True}
    assert graph.requests[-1] == {"messaging_product": "whatsapp", "message_id": "wamid.in1",
                                  "typing_indicator": {"type": "text"}, "status": "read"}
    missing = await staff.post("/typing", json={"typing": True})
    assert missing.status == 400 and await missing.json() == {"success": False, "message": "Missing wa_id"}

    location = await staff.post("/whatsapp/location", json={"wa_id": CUSTOMER, "latitude": 24.7,
                                                            "longitude": 46.7, "name": "Clinic"})
    assert await location.json() == {"status": "success", "message": "Location sent successfully"}
    assert graph.requests[-1]["location"] == {"latitude": 24.7, "longitude": 46.7, "name": "Clinic", "address": ""}

    template = await staff.post("/whatsapp/template", json={"wa_id": CUSTOMER, "template_name": "hello_world"})
    assert template.status == 200 and "messages" in await template.json()
    assert graph.requests[-1]["template"] == {"name": "hello_world", "language": {"code": "en_US"}}


async def test_test_config_reports_missing_settings(admin_client):
    response = await admin_client.get("/whatsapp/test-config")
    assert await response.json() == {"success": False, "message": "Missing configuration: ACCESS_TOKEN, "
                                     "PHONE_NUMBER_ID", "details": {}}


async def test_routes_need_staff(viewer_client, client):
    assert (await viewer_client.post("/whatsapp/message", json={"wa_id": CUSTOMER, "text": "hi"})).status == 403
    assert (await client.post("/typing", json={"wa_id": CUSTOMER})).status == 401


async def test_the_system_agent_answers_through_the_llm(aiohttp_client, env, token_for, db):
    llm = await FakeLLM().start()
    try:
        _, token = await token_for(Role.STAFF)
        app = create_app(load_config({**env, **llm.env("anthropic")}))
        staff = await aiohttp_client(app, headers={"Authorization": f"Bearer {token}"})
        response = await staff.post("/whatsapp/message", json={"wa_id": "12125550123", "text": "hi agent"})
        body = await response.json()
        assert body["status"] == "ok" and len(body["data"]["request_timestamp"]) == 19

        async def answered():
            return await db.fetch("SELECT role, message FROM conversation WHERE wa_id = '12125550123' ORDER BY id")

        async def two_rows():
            rows = await answered()
            return rows if len(rows) == 2 else None

        rows = await eventually(two_rows, what="the agent's answer")
        assert [(r["role"], r["message"]) for r in rows] == [("secretary", "hi agent"),
                                                             ("assistant", "Hello from anthropic")]
        assert await db.fetchval("SELECT customer_name FROM customers WHERE wa_id = '12125550123'") == \
            "Calendar AI Assistant"
    finally:
        await llm.stop()
