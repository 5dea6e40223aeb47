"""The offline assistant (no LLM key): books, moves and cancels through the tools, in Arabic and English."""
from __future__ import annotations

import itertools
import json

from tests.whatsapp.conftest import APP_SECRET, eventually
from tests.whatsapp.fakes import post_delivery, text_delivery

_ids = itertools.count(1)


async def say(server, graph, wa_id: str, text: str) -> str:
    """Send one customer message and wait for its single reply."""
    before = len(graph.texts_to(wa_id))
    message_id = f"wamid.offline{next(_ids)}"
    response = await post_delivery(server.url, APP_SECRET, text_delivery(wa_id, text, message_id,
                                                                         timestamp=1767268800 + next(_ids)))
    assert response.status_code == 200

    async def replied():
        texts = graph.texts_to(wa_id)
        return texts[before:] if len(texts) > before else None

    replies = await eventually(replied, what=f"a reply to {text!r}")
    assert len(replies) == 1
    return replies[0]


async def reservations(db, wa_id):
    return await db.fetch("SELECT slot_date, slot_time, type, status FROM reservations WHERE wa_id = $1 ORDER BY id",
                          wa_id)


async def test_booking_moving_and_cancelling_in_english(wa_env, servers, graph, db):
    server = servers(wa_env)
    wa_id = "14155550100"
    menu = await say(server, graph, wa_id, "Hello")
    assert "1. Free appointments" in menu and "2. Book an appointment" in menu
    offer = await say(server, graph, wa_id, "2")
    assert offer.startswith("Choose an appointment by its number:") and "\n1. " in offer
    first_slot = offer.split("\n1. ")[1].split("\n")[0]
    assert await say(server, graph, wa_id, "1") == "What is the patient's name?"
    assert (await say(server, graph, wa_id, "John Smith")).startswith("What kind of visit is it?")
    booked = await say(server, graph, wa_id, "1")
    day, date, time = first_slot.split(" ", 2)
    assert booked == f"Your appointment is booked: {day} {date} at {time}. See you then!"
    rows = await reservations(db, wa_id)
    assert [(r["type"], r["status"]) for r in rows] == [(0, "active")]
    assert await db.fetchval("SELECT customer_name FROM customers WHERE wa_id = $1", wa_id) == "John Smith"

    offer = await say(server, graph, wa_id, "I want to change my appointment")
    assert "\n2. " in offer
    moved = await say(server, graph, wa_id, "2")
    assert moved.startswith("Your appointment is moved to"), moved
    rows = await reservations(db, wa_id)
    assert len([r for r in rows if r["status"] == "active"]) == 1

    confirm = await say(server, graph, wa_id, "cancel")
    assert confirm.startswith("Cancel your appointment on")
    assert (await say(server, graph, wa_id, "1")).startswith("Your appointment on")
    assert [r["status"] for r in await reservations(db, wa_id)] == ["cancelled"]


async def test_booking_in_arabic(wa_env, servers, graph, db):
    server = servers(wa_env)
    wa_id = "966501112233"
    menu = await say(server, graph, wa_id, "السلام عليكم")
    assert "حجز موعد" in menu
    offer = await say(server, graph, wa_id, "٢")  # Arabic-Indic digit
    assert offer.startswith("اختر الموعد برقمه")
    assert await say(server, graph, wa_id, "١") == "ما اسم المراجع؟"
    assert (await say(server, graph, wa_id, "سارة أحمد")).startswith("ما نوع الزيارة؟")
    booked = await say(server, graph, wa_id, "٢")
    assert booked.startswith("تم حجز موعدك"), booked
    rows = await reservations(db, wa_id)
    assert [(r["type"], r["status"]) for r in rows] == [(1, "active")]


async def test_outbox_mode_without_credentials(env, servers, db):
    """No ACCESS_TOKEN: replies are stored in the outbox, not sent anywhere."""
    server = servers({**env, "APP_SECRET": APP_SECRET})
    await post_delivery(server.url, APP_SECRET, text_delivery("14155550101", "hi", "wamid.outbox1"))

    async def outbox():
        rows = await db.fetch("SELECT wa_id, kind, delivery, payload::text AS payload FROM whatsapp_outbound")
        return rows if rows and all(r["delivery"] == "outbox" for r in rows) else None

    rows = await eventually(outbox, what="an outbox row")
    assert [(r["wa_id"], r["kind"], r["delivery"]) for r in rows] == [("14155550101", "text", "outbox")]
    assert "Book an appointment" in json.loads(rows[0]["payload"])["text"]["body"]
