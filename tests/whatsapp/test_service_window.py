"""The 24-hour customer service window, through a real server and the fake Graph API.

A free-form message to a customer who has not written in 24 hours is not attempted (WhatsApp
would refuse it): the dashboard that asked gets a clear 409; a sender with a template sends it instead.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx

from actors.whatsapp.interactive import button_message
from actors.whatsapp.outbound import send_interactive
from runtime.config import load_config
from runtime.routes import Role
from tests.ops.support import running_services
from tests.whatsapp.taps import exchange, sent_to, text

RIYADH = ZoneInfo("Asia/Riyadh")
LAPSED, NEVER, RECENT = "966500002001", "966500002002", "966500002003"


async def wrote(db, wa_id: str, hours_ago: float) -> None:
    """The customer's last message, stored as the turn stores it (business-zone local date and time)."""
    local = (datetime.now(RIYADH) - timedelta(hours=hours_ago)).replace(microsecond=0)
    await db.execute("INSERT INTO customers (wa_id) VALUES ($1) ON CONFLICT DO NOTHING", wa_id)
    await db.execute("INSERT INTO conversation (wa_id, role, message, local_date, local_time)"
                     " VALUES ($1, 'user', 'hello', $2, $3)", wa_id, local.date(), local.time())


async def test_free_form_sends_outside_the_window_are_refused_with_the_reason(wa_env, servers, graph, db, token_for):
    server = servers(wa_env)
    await wrote(db, LAPSED, hours_ago=25)
    await exchange(server, graph, RECENT, text(RECENT, "hi"))  # a real inbound message opens the window
    _, token = await token_for(Role.STAFF)
    async with httpx.AsyncClient(base_url=server.url, headers={"Authorization": f"Bearer {token}"}) as http:
        lapsed = await http.post("/whatsapp/message", json={"wa_id": LAPSED, "text": "Your results are ready"})
        never = await http.post("/whatsapp/message", json={"wa_id": NEVER, "text": "Hello"})
        recent = await http.post("/whatsapp/message", json={"wa_id": RECENT, "text": "Your results are ready"})
    assert lapsed.status_code == 409 and lapsed.json()["reason"] == "outside_service_window"
    assert "within 24 hours" in lapsed.json()["message"] and "last wrote at" in lapsed.json()["message"]
    assert never.status_code == 409 and "never written" in never.json()["message"]
    assert recent.status_code == 200
    assert sent_to(graph, LAPSED) == [] and sent_to(graph, NEVER) == []
    assert [m["text"]["body"] for m in sent_to(graph, RECENT)][-1] == "Your results are ready"
    # not attempted, so nothing recorded: no outbound row, no secretary message in the history
    assert await db.fetchval("SELECT count(*) FROM whatsapp_outbound WHERE wa_id = ANY($1)", [LAPSED, NEVER]) == 0
    assert await db.fetchval("SELECT count(*) FROM conversation WHERE role = 'secretary' AND wa_id = $1", LAPSED) == 0


async def test_an_interactive_message_outside_the_window_goes_as_its_template(wa_env, graph, db):
    await wrote(db, LAPSED, hours_ago=30)
    await wrote(db, RECENT, hours_ago=23)
    offer = button_message("A place opened tomorrow at 10:00. Take it?", [("yes", "Yes"), ("no", "No")])
    template = {"name": "slot_offer", "language": "en_US",
                "components": [{"type": "body", "parameters": [{"type": "text", "text": "10:00"}]}]}
    async with running_services(load_config(wa_env)) as services:
        lapsed = await send_interactive(services, LAPSED, offer, template=template, idempotency_key="offer:1")
        recent = await send_interactive(services, RECENT, offer, template=template, idempotency_key="offer:2")
    assert lapsed.ok and recent.ok
    assert [(m["type"], m.get("template", {}).get("name")) for m in sent_to(graph, LAPSED)] == [
        ("template", "slot_offer")]
    assert [m["type"] for m in sent_to(graph, RECENT)] == ["interactive"]
