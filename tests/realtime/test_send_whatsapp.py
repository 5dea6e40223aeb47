"""`conversation_send_message` with WhatsApp configured: the real Graph client against a local fake."""
from __future__ import annotations

from aiohttp import web

from runtime.config import load_config
from runtime.routes import Role
from tests.realtime.conftest import Client, realtime_app

OK_WA, FAILING_WA = "966500000011", "966500000012"


async def test_graph_success_acks_and_failure_nacks(aiohttp_server, aiohttp_client, env, token_for, db):
    received = []

    async def messages(request: web.Request) -> web.Response:
        body = await request.json()
        received.append((request.headers.get("Authorization"), body))
        if body["to"] == FAILING_WA:
            return web.json_response({"error": {"message": "boom", "type": "OAuthException"}}, status=500)
        return web.json_response({"messaging_product": "whatsapp", "messages": [{"id": "wamid.ok"}]})

    graph = web.Application()
    graph.router.add_post("/v21.0/123456/messages", messages)
    fake = await aiohttp_server(graph)
    config = load_config({**env, "ACCESS_TOKEN": "graph-token", "PHONE_NUMBER_ID": "123456",
                          "GRAPH_API_URL": str(fake.make_url("")),
                          "WHATSAPP_SERVICE_WINDOW": "false"})  # never-written customers; see test_service_window
    server = await aiohttp_client(realtime_app(config))
    _, token = await token_for(Role.STAFF)
    staff = Client(await server.session.ws_connect(server.make_url("/ws"), params={"token": token}))

    await staff.ask({"type": "conversation_send_message", "data": {"wa_id": OK_WA, "message": "see you"}},
                    "send_message_ack")
    # the broadcast may come before or after the ack (spec 40 Q19)
    event = next((m for m in staff.received if m["type"] == "conversation_new_message"), None) \
        or await staff.until("conversation_new_message")
    assert event["data"]["message"] == "see you" and event["data"]["_source"] == "frontend"
    assert received[0][0] == "Bearer graph-token"
    assert received[0][1]["text"] == {"preview_url": False, "body": "see you"}

    nack = await staff.ask({"type": "conversation_send_message", "data": {"wa_id": FAILING_WA, "message": "x"}},
                           "send_message_nack")
    assert nack["error"] == "Failed to send message"
    assert await db.fetchval("SELECT count(*) FROM conversation WHERE wa_id = $1", FAILING_WA) == 0
    await staff.ask({"type": "ping"}, "pong")
    assert not [m for m in staff.received if m["type"] == "conversation_new_message"
                and m["data"]["wa_id"] == FAILING_WA]
    await staff.close()
