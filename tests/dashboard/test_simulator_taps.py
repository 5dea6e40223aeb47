"""The simulator's taps: Meta's delivery shapes for a list row, a reply button and a template quick reply,
and the newest message a customer received, for the page to render its choices."""
from __future__ import annotations

import json

import pytest

from actors.inbound.choice import Choice, read_choice
from handlers.dashboard_simulator import SimulatedMessage, SimulatedTap, webhook_delivery


@pytest.mark.parametrize("tap, expected", [
    (SimulatedTap(kind="list_reply", id="slot:2026-12-08|10:00 AM", title="10:00 AM", description="Tue"),
     Choice("list_reply", "slot:2026-12-08|10:00 AM", "10:00 AM")),
    (SimulatedTap(kind="button_reply", id="type:1", title="Follow-up"), Choice("button_reply", "type:1", "Follow-up")),
    (SimulatedTap(kind="quick_reply", id="remind:cancel:7", title="Cancel"),
     Choice("quick_reply", "remind:cancel:7", "Cancel")),
])
def test_a_tap_is_delivered_in_the_shape_meta_uses(tap, expected):
    body = webhook_delivery(SimulatedMessage(wa_id="966512345678", reply=tap), "simulator")
    assert read_choice(body["entry"][0]["changes"][0]["value"]["messages"][0]) == expected


@pytest.mark.parametrize("payload, field", [
    ({"wa_id": "966512345678"}, "either"),
    ({"wa_id": "966512345678", "text": "hi", "reply": {"kind": "button_reply", "id": "a", "title": "A"}}, "either"),
    ({"wa_id": "966512345678", "reply": {"kind": "nfm_reply", "id": "a", "title": "A"}}, "kind"),
])
async def test_a_message_is_a_text_or_a_tap(staff_client, payload, field):
    answer = await staff_client.post("/app/api/simulator/message", json=payload)
    assert answer.status == 422 and field in (await answer.text())


async def test_the_latest_message_is_what_the_page_renders(staff_client, db):
    empty = await staff_client.get("/app/api/simulator/latest", params={"wa_id": "966512345679"})
    assert empty.status == 200 and (await empty.json())["data"] is None
    interactive = {"type": "button", "body": {"text": "Take it?"},
                   "action": {"buttons": [{"type": "reply", "reply": {"id": "yes", "title": "Yes"}}]}}
    for kind, payload in (("text", {"text": {"body": "hello"}}), ("interactive", {"interactive": interactive})):
        await db.execute("INSERT INTO whatsapp_outbound (wa_id, kind, payload, delivery) VALUES ($1, $2, $3, 'outbox')",
                         "966512345679", kind, json.dumps(payload))
    latest = await (await staff_client.get("/app/api/simulator/latest", params={"wa_id": "966512345679"})).json()
    assert latest["data"]["kind"] == "interactive" and latest["data"]["payload"]["interactive"] == interactive
    refused = await staff_client.get("/app/api/simulator/latest", params={"wa_id": "x"})
    assert refused.status == 422


async def test_viewers_cannot_use_the_simulator(viewer_client):
    answer = await viewer_client.get("/app/api/simulator/latest", params={"wa_id": "966512345679"})
    assert answer.status == 403
