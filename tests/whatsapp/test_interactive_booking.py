"""Booking by tapping, through a real server: a slot list in, a list_reply back, buttons for the visit type.

Webhook deliveries in Meta's shapes, the fake Graph API out, the database checked.
"""
from __future__ import annotations

from datetime import date, time

from actors.assistant.offers import parse_slot_id
from tests.whatsapp.taps import button_reply, buttons, exchange, list_reply, rows, text

AGENT_CAPACITY = 5  # the assistant's per-slot total (capacity DEFAULT_TOTALS["agent"])


async def active_reservations(db, wa_id):
    return await db.fetch("SELECT slot_date, slot_time, type FROM reservations WHERE wa_id = $1 AND status = 'active'"
                          " ORDER BY id", wa_id)


def slot_of(row: dict[str, str]) -> tuple[date, time]:
    slot = parse_slot_id(row["id"])
    clock, half = slot["time"].split(" ")
    hour, minute = (int(part) for part in clock.split(":"))
    return date.fromisoformat(slot["date"]), time(hour % 12 + (12 if half == "PM" else 0), minute)


async def fill(db, day: date, slot: time) -> None:
    """Other customers take every place of the slot (as the dashboard or another process would)."""
    for n in range(AGENT_CAPACITY):
        wa_id = f"96650999{n:04d}"
        await db.execute("INSERT INTO customers (wa_id) VALUES ($1) ON CONFLICT DO NOTHING", wa_id)
        await db.execute("INSERT INTO reservations (wa_id, slot_date, slot_time, type, status)"
                         " VALUES ($1, $2, $3, 0, 'active')", wa_id, day, slot)


async def test_book_from_a_list_and_buttons(interactive_env, servers, graph, db):
    server = servers(interactive_env)
    wa_id = "14155550130"
    offer = await exchange(server, graph, wa_id, text(wa_id, "2"))
    offered = rows(offer)
    assert 1 <= len(offered) <= 10
    sections = offer["interactive"]["action"]["sections"]
    assert len({section["title"] for section in sections}) == len(sections)  # one section per day
    assert all(parse_slot_id(row["id"]) for row in offered)
    asked = await exchange(server, graph, wa_id, list_reply(wa_id, offered[1]))
    assert asked["type"] == "text" and asked["text"]["body"] == "What is the patient's name?"
    kinds = await exchange(server, graph, wa_id, text(wa_id, "Layla Hassan"))
    assert [b["id"] for b in buttons(kinds)] == ["type:0", "type:1"]
    booked = await exchange(server, graph, wa_id, button_reply(wa_id, buttons(kinds)[1]))
    assert booked["type"] == "text" and booked["text"]["body"].startswith("Your appointment is booked:")
    day, clock = slot_of(offered[1])
    assert [(r["slot_date"], r["slot_time"], r["type"]) for r in await active_reservations(db, wa_id)] == [
        (day, clock, 1)]
    stored = await db.fetch("SELECT role, message FROM conversation WHERE wa_id = $1 AND role = 'user' ORDER BY id",
                            wa_id)
    assert [r["message"] for r in stored] == ["2", offered[1]["title"], "Layla Hassan", "Follow-up"]


async def test_a_tap_on_a_slot_that_filled_gets_the_next_offers(interactive_env, servers, graph, db):
    server = servers(interactive_env)
    wa_id = "14155550131"
    offered = rows(await exchange(server, graph, wa_id, text(wa_id, "2")))
    await fill(db, *slot_of(offered[0]))
    again = await exchange(server, graph, wa_id, list_reply(wa_id, offered[0]))
    assert again["interactive"]["body"]["text"].startswith("Sorry, that time was just taken.")
    assert offered[0]["id"] not in [row["id"] for row in rows(again)] and rows(again)
    assert await active_reservations(db, wa_id) == []


async def test_a_slot_that_fills_before_the_last_tap_is_never_double_booked(interactive_env, servers, graph, db):
    server = servers(interactive_env)
    wa_id = "14155550132"
    await db.execute("INSERT INTO customers (wa_id, customer_name) VALUES ($1, 'Omar')", wa_id)
    offered = rows(await exchange(server, graph, wa_id, text(wa_id, "book")))
    kinds = await exchange(server, graph, wa_id, list_reply(wa_id, offered[0]))  # name known: straight to the type
    await fill(db, *slot_of(offered[0]))
    again = await exchange(server, graph, wa_id, button_reply(wa_id, buttons(kinds)[0]))
    assert again["interactive"]["body"]["text"].startswith("Sorry, that time was just taken.")
    assert await active_reservations(db, wa_id) == []
    day, clock = slot_of(offered[0])
    taken = await db.fetchval("SELECT count(*) FROM reservations WHERE slot_date = $1 AND slot_time = $2"
                              " AND status = 'active'", day, clock)
    assert taken == AGENT_CAPACITY
    # the next offer books as usual
    kinds = await exchange(server, graph, wa_id, list_reply(wa_id, rows(again)[0]))
    booked = await exchange(server, graph, wa_id, button_reply(wa_id, buttons(kinds)[0]))
    assert booked["text"]["body"].startswith("Your appointment is booked:")
    assert [(r["slot_date"], r["slot_time"]) for r in await active_reservations(db, wa_id)] == [
        slot_of(rows(again)[0])]


async def test_plain_text_fallback_when_interactive_messages_are_off(interactive_env, servers, graph, db):
    server = servers({**interactive_env, "WHATSAPP_INTERACTIVE": "false"})
    wa_id = "14155550133"
    offer = await exchange(server, graph, wa_id, text(wa_id, "2"))
    assert offer["type"] == "text" and offer["text"]["body"].startswith("Choose an appointment by its number:")
    stored = await db.fetchval("SELECT count(*) FROM whatsapp_outbound WHERE wa_id = $1 AND kind = 'interactive'",
                               wa_id)
    assert stored == 0
