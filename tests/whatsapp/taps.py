"""Customer taps for end-to-end tests: Meta's own delivery shapes (from the shared fixtures) with our ids."""
from __future__ import annotations

import copy
import itertools
import time
from typing import Any

from tests.whatsapp.conftest import APP_SECRET, eventually
from tests.whatsapp.fakes import fixture, post_delivery, text_delivery

_ids = itertools.count(1)


def _from(template: str, wa_id: str, message: dict[str, Any]) -> dict[str, Any]:
    delivery = copy.deepcopy(fixture(template))
    value = delivery["entry"][0]["changes"][0]["value"]
    value["contacts"][0]["wa_id"] = wa_id
    shaped = value["messages"][0]
    shaped.update(message, **{"from": wa_id, "id": f"wamid.tap{next(_ids)}", "timestamp": str(int(time.time()))})
    value["messages"] = [shaped]
    return delivery


def list_reply(wa_id: str, row: dict[str, str]) -> dict[str, Any]:
    reply = {"id": row["id"], "title": row["title"], **({"description": row["description"]}
                                                        if row.get("description") else {})}
    return _from("interactive_list_reply.json", wa_id, {"interactive": {"type": "list_reply", "list_reply": reply}})


def button_reply(wa_id: str, button: dict[str, str]) -> dict[str, Any]:
    return _from("interactive_button_reply.json", wa_id, {"interactive": {
        "type": "button_reply", "button_reply": {"id": button["id"], "title": button["title"]}}})


def quick_reply(wa_id: str, payload: str, text: str) -> dict[str, Any]:
    return _from("template_quick_reply.json", wa_id, {"button": {"payload": payload, "text": text}})


def text(wa_id: str, body: str) -> dict[str, Any]:
    return text_delivery(wa_id, body, f"wamid.typed{next(_ids)}")


def sent_to(graph, wa_id: str) -> list[dict[str, Any]]:
    """Messages (not read receipts or typing) sent to the customer, in order."""
    return [r for r in graph.requests if r.get("to") == wa_id and "status" not in r]


async def exchange(server, graph, wa_id: str, delivery: dict[str, Any]) -> dict[str, Any]:
    """Post one delivery and wait for the single message answering it."""
    before = len(sent_to(graph, wa_id))
    response = await post_delivery(server.url, APP_SECRET, delivery)
    assert response.status_code == 200, response.text

    async def answered():
        sent = sent_to(graph, wa_id)
        return sent[before:] if len(sent) > before else None

    replies = await eventually(answered, what="an answer to the customer")
    assert len(replies) == 1, replies
    return replies[0]


def rows(message: dict[str, Any]) -> list[dict[str, str]]:
    assert message["type"] == "interactive" and message["interactive"]["type"] == "list", message
    return [row for section in message["interactive"]["action"]["sections"] for row in section["rows"]]


def buttons(message: dict[str, Any]) -> list[dict[str, str]]:
    assert message["type"] == "interactive" and message["interactive"]["type"] == "button", message
    return [button["reply"] for button in message["interactive"]["action"]["buttons"]]
