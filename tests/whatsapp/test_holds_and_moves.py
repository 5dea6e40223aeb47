"""Held places and moved bookings, end to end through a real server (webhook in, fake Graph out, database checked).

A place held for a waitlisted patient is never offered to anyone else, and a tap that reaches a held
place gets the next offers; a moved booking is no longer confirmed; a reschedule with nowhere to go
leaves nothing pending and says so.
"""
from __future__ import annotations

import json
from datetime import date, time, timedelta

import httpx

from actors.reservation import operations
from runtime.config import load_config
from runtime.routes import Role
from tests.ops.support import running_services
from tests.whatsapp.taps import button_reply, buttons, exchange, list_reply, quick_reply, rows, text
from tests.whatsapp.test_interactive_booking import AGENT_CAPACITY, slot_of
from tests.whatsapp.test_reminder_replies import BUTTON_TEXTS, book_tomorrow, payloads, send_reminders, tomorrow
from tests.whatsapp.waitlist_support import book, clock

HOLDER, PATIENT = "966500004001", "966500004002"
CONFIRMED, STUCK = "966500004003", "966500004004"


async def hold_last_place(db, day: date, slot: time, batch: int = 0) -> None:
    """Every place of the slot but one is booked, and that one is held for a waitlisted patient (an open offer)."""
    for n in range(AGENT_CAPACITY - 1):
        await book(db, f"9665088{batch}{n:04d}", day, slot)
    holder = f"{HOLDER}{batch}"
    await db.execute("INSERT INTO customers (wa_id) VALUES ($1) ON CONFLICT DO NOTHING", holder)
    entry = await db.fetchval("INSERT INTO waitlist_entries (wa_id, slot_date) VALUES ($1, $2) RETURNING id",
                              holder, day)
    await db.execute("INSERT INTO waitlist_offers (entry_id, wa_id, slot_date, slot_time, freed_reservation_id,"
                     " expires_at, sent_at) VALUES ($1, $2, $3, $4, $5, now() + interval '1 hour', now())",
                     entry, holder, day, slot, -1 - batch)


async def mine(db, wa_id: str):
    return await db.fetch("SELECT slot_date, slot_time FROM reservations WHERE wa_id = $1 AND status = 'active'",
                          wa_id)


async def test_a_held_place_is_not_offered_and_a_tap_on_it_gets_the_next_offers(interactive_env, servers, graph, db):
    server = servers(interactive_env)
    await db.execute("INSERT INTO customers (wa_id, customer_name) VALUES ($1, 'Huda')", PATIENT)
    offered = rows(await exchange(server, graph, PATIENT, text(PATIENT, "book")))
    # a slot of a later day than the first offered: on today (when its last slot is offered) holding it
    # would leave the day nothing free, and the tools below would answer "fully booked" instead of a list
    held = next(row for row in offered if slot_of(row)[0] > slot_of(offered[0])[0])
    await hold_last_place(db, *slot_of(held))

    # the tap on the held row: the next offers, without the held slot
    again = await exchange(server, graph, PATIENT, list_reply(PATIENT, held))
    assert again["interactive"]["body"]["text"].startswith("Sorry, that time was just taken.")
    assert held["id"] not in [row["id"] for row in rows(again)] and rows(again)

    # the place is held between the tap on a row and the tap on the visit type: the next offers again
    kinds = await exchange(server, graph, PATIENT, list_reply(PATIENT, rows(again)[0]))
    await hold_last_place(db, *slot_of(rows(again)[0]), batch=1)
    late = await exchange(server, graph, PATIENT, button_reply(PATIENT, buttons(kinds)[0]))
    assert late["interactive"]["body"]["text"].startswith("Sorry, that time was just taken.")
    assert rows(again)[0]["id"] not in [row["id"] for row in rows(late)]
    assert await mine(db, PATIENT) == []

    # the assistant's tools (offline and LLM alike) do not list held places
    day, slot = slot_of(held)
    async with running_services(load_config(interactive_env)) as services:
        one_day = await operations.get_available_time_slots(services, day.isoformat())
        search = await operations.search_available_appointments(services, start_date=day.isoformat(),
                                                                days_forward=0)
    label = held["id"].split("|")[1]
    assert label not in one_day["data"]["time_slots"]
    assert label not in [s["time_slot"] for a in search["data"]["appointments"] for s in a["time_slots"]]
    assert await db.fetchval("SELECT count(*) FROM reservations WHERE slot_date = $1 AND slot_time = $2"
                             " AND status = 'active'", day, slot) == AGENT_CAPACITY - 1  # the held place stays free


async def test_moving_a_confirmed_booking_clears_its_confirmation(interactive_env, servers, graph, db, token_for):
    server = servers(interactive_env)
    booking = await book_tomorrow(db, CONFIRMED, time(10, 0))
    await send_reminders(interactive_env)
    taps = payloads(graph, CONFIRMED)
    await exchange(server, graph, CONFIRMED, quick_reply(CONFIRMED, taps["confirm"], BUTTON_TEXTS["confirm"]))
    assert await db.fetchval("SELECT confirmed_at IS NOT NULL FROM reservations WHERE id = $1", booking)

    _, token = await token_for(Role.STAFF)
    async with httpx.AsyncClient(base_url=server.url, headers={"Authorization": f"Bearer {token}"}) as http:
        # a change of type alone keeps the confirmation: the patient confirmed this date and time
        kept = await http.post(f"/reservations/{CONFIRMED}/modify", json={
            "reservation_id_to_modify": booking, "new_date": tomorrow().isoformat(), "new_time_slot": "10:00",
            "new_type": 1})
        assert kept.status_code == 200 and kept.json()["success"], kept.text
        assert await db.fetchval("SELECT confirmed_at IS NOT NULL FROM reservations WHERE id = $1", booking)
        # moved to another free time (of the next open day: tomorrow is closed when today is a Thursday)
        async with running_services(load_config(interactive_env)) as services:
            found = await operations.search_available_appointments(services, start_date=tomorrow().isoformat(),
                                                                   days_forward=3)
        day, later = next((date.fromisoformat(a["gregorian_date"]), clock(s["time_slot"]))
                          for a in found["data"]["appointments"] for s in a["time_slots"]
                          if (date.fromisoformat(a["gregorian_date"]), clock(s["time_slot"])) != (tomorrow(), time(10)))
        moved = await http.post(f"/reservations/{CONFIRMED}/modify", json={
            "reservation_id_to_modify": booking, "new_date": day.isoformat(),
            "new_time_slot": later.strftime("%H:%M")})
        assert moved.status_code == 200 and moved.json()["success"], moved.text
    row = await db.fetchrow("SELECT slot_date, slot_time, confirmed_at FROM reservations WHERE id = $1", booking)
    assert (row["slot_date"], row["slot_time"]) == (day, later) and row["confirmed_at"] is None


async def test_a_reschedule_with_no_free_time_says_so_and_leaves_nothing_pending(interactive_env, servers, graph,
                                                                                 db):
    booking = await book_tomorrow(db, STUCK, time(10, 0))
    # nothing free in the coming week: a vacation from tomorrow, and today's remaining places all taken
    await db.execute("INSERT INTO vacation_periods (start_date, end_date) VALUES ($1, $2)",
                     tomorrow(), tomorrow() + timedelta(days=30))
    today = tomorrow() - timedelta(days=1)
    async with running_services(load_config(interactive_env)) as services:
        free = await operations.get_available_time_slots(services, today.isoformat())
    for label in (free.get("data") or {}).get("time_slots") or []:
        for n in range(AGENT_CAPACITY):
            await book(db, f"96650777{n:04d}", today, clock(label))
    await send_reminders(interactive_env)
    server = servers(interactive_env)
    taps = payloads(graph, STUCK)

    answer = await exchange(server, graph, STUCK, quick_reply(STUCK, taps["reschedule"], BUTTON_TEXTS["reschedule"]))
    assert answer["type"] == "text"
    assert answer["text"]["body"].startswith("عذراً، لا توجد مواعيد متاحة لنقل موعدك إليها")
    assert tomorrow().isoformat() in answer["text"]["body"]
    state = json.loads(await db.fetchval("SELECT state::text FROM assistant_state WHERE wa_id = $1", STUCK))
    assert "move_id" not in state and state["step"] == "menu"
    after = await db.fetchrow("SELECT slot_date, slot_time, status FROM reservations WHERE id = $1", booking)
    assert (after["slot_date"], after["slot_time"], after["status"]) == (tomorrow(), time(10, 0), "active")
    assert await db.fetchval("SELECT response FROM reminder_sends WHERE reservation_id = $1", booking) == "rescheduled"
