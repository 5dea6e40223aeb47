"""The simulator's server-side route: a signed webhook delivery to this very server, staff only."""
from __future__ import annotations

import asyncio

import pytest

from handlers.dashboard_simulator import SimulatedMessage, signature, webhook_delivery


def test_the_delivery_is_a_cloud_api_text_message_signed_like_meta_signs():
    message = SimulatedMessage(wa_id="966512345678", name="سارة", text="حجز موعد")
    body = webhook_delivery(message, "simulator")
    value = body["entry"][0]["changes"][0]["value"]
    assert value["messages"][0]["from"] == "966512345678"
    assert value["messages"][0]["text"] == {"body": "حجز موعد"}
    assert value["contacts"][0]["profile"]["name"] == "سارة"
    # Known HMAC-SHA256 vector: key "key", message "The quick brown fox jumps over the lazy dog".
    assert signature(b"The quick brown fox jumps over the lazy dog", "key") == (
        "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8")


async def test_staff_send_a_customer_message_through_the_real_webhook(staff_client, db):
    answer = await staff_client.post("/app/api/simulator/message",
                                     json={"wa_id": "966512345678", "name": "Sara", "text": "hello"})
    body = await answer.json()
    assert answer.status == 200, body
    assert body["success"] is True and body["status"] == 200
    # The message went the whole inbound way: it is stored for that customer.
    for _ in range(200):
        stored = await db.fetchval(
            "SELECT count(*) FROM conversation WHERE wa_id = $1 AND role = 'user' AND message = 'hello'",
            "966512345678")
        if stored:
            break
        await asyncio.sleep(0.05)
    assert stored == 1


@pytest.mark.parametrize("payload, field", [
    ({"wa_id": "12ab", "text": "hi"}, "wa_id"),
    ({"wa_id": "966512345678", "text": ""}, "text"),
    ({"wa_id": "966512345678"}, "text"),
])
async def test_bad_input_is_refused_with_the_field_named(staff_client, payload, field):
    answer = await staff_client.post("/app/api/simulator/message", json=payload)
    assert answer.status == 422
    assert field in (await answer.json())["message"]


async def test_viewers_cannot_pretend_to_be_customers(viewer_client):
    answer = await viewer_client.post("/app/api/simulator/message", json={"wa_id": "966512345678", "text": "hi"})
    assert answer.status == 403


@pytest.fixture
def env(env):
    return {**env, "APP_SECRET": "simulator-test-secret", "SHUTDOWN_DEADLINE": "1"}


async def test_the_simulator_refuses_when_a_real_whatsapp_number_is_configured(aiohttp_client, env, token_for):
    from handlers.app import create_app
    from runtime.config import load_config
    from runtime.routes import Role
    from runtime.services import SERVICES

    app = create_app(load_config({**env, "ACCESS_TOKEN": "real-token", "PHONE_NUMBER_ID": "12345"}))
    client = await aiohttp_client(app)
    user, _ = await token_for(Role.STAFF)
    token = app[SERVICES].tokens.issue(user["id"], user["email"], Role.STAFF)
    answer = await client.post("/app/api/simulator/message", json={"wa_id": "966512345678", "text": "hi"},
                               headers={"Authorization": f"Bearer {token}"})
    assert answer.status == 409
    assert "outbox mode" in (await answer.json())["message"]
