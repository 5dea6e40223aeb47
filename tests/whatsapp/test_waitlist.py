"""The waitlist end to end: join a full day, a cancellation offered and accepted with the place held,
an offer that times out and moves on (a late tap answered politely), and an offer made by a process
that did not survive to send it."""
from __future__ import annotations

import asyncio
from datetime import time

from actors.reservation import operations
from runtime.config import load_config
from tests.ops.support import running_services
from tests.whatsapp.conftest import eventually
from tests.whatsapp.taps import button_reply, buttons, exchange, list_reply, rows, sent_to, text
from tests.whatsapp.waitlist_support import book, fill_day, offers_to, open_day

WAITING, CANCELLING, LATECOMER = "966500003001", "966500003002", "966500003003"
FIRST, SECOND = "966500003011", "966500003012"


def fast(env: dict[str, str], hold: float = 900) -> dict[str, str]:
    return {**env, "WAITLIST_SWEEP_SECONDS": "0.2", "WAITLIST_HOLD_SECONDS": str(hold)}


async def offer_rows(db, wa_id=None):
    return await db.fetch("SELECT id, wa_id, status, sent_at FROM waitlist_offers WHERE $1::text IS NULL OR wa_id = $1"
                          " ORDER BY id", wa_id)


async def test_join_a_full_day_then_a_cancellation_is_offered_held_and_accepted(interactive_env, servers, graph, db):
    env = fast(interactive_env)
    day, slots = await open_day(env)
    cancelled_id = await fill_day(db, day, slots, keep_one_for=CANCELLING)
    server = servers(env)

    days = await exchange(server, graph, WAITING, text(WAITING, "6"))
    join_row = next(row for row in rows(days) if row["id"] == f"wait:join:{day.isoformat()}")
    kinds = await exchange(server, graph, WAITING, list_reply(WAITING, join_row))  # the visit type comes first
    follow_up = next(b for b in buttons(kinds) if b["title"] == "Follow-up")
    joined = await exchange(server, graph, WAITING, button_reply(WAITING, follow_up))
    assert joined["text"]["body"].startswith("You are on the waitlist for")
    entry = await db.fetchrow("SELECT status, reservation_type FROM waitlist_entries WHERE wa_id = $1", WAITING)
    assert (entry["status"], entry["reservation_type"]) == ("waiting", 1)

    # the patient with a booking that day cancels it through the assistant's buttons
    await db.execute("UPDATE customers SET customer_name = 'Canceller' WHERE wa_id = $1", CANCELLING)
    confirm = await exchange(server, graph, CANCELLING, text(CANCELLING, "cancel"))
    done = await exchange(server, graph, CANCELLING, button_reply(CANCELLING, buttons(confirm)[0]))
    assert done["text"]["body"].startswith("Your appointment on")
    assert await db.fetchval("SELECT status FROM reservations WHERE id = $1", cancelled_id) == "cancelled"

    offer = (await eventually(lambda: _offers(graph, WAITING), what="the waitlist offer"))[0]
    assert offer["interactive"]["body"]["text"].startswith("Good news: a place opened on " + day.isoformat())
    async def marked_sent():  # the offer leaves before the transaction that marks it sent commits
        found = await offer_rows(db, WAITING)
        return found if found and found[0]["sent_at"] is not None else None

    [held] = await eventually(marked_sent, what="the offer marked sent")
    assert held["status"] == "open"

    # the held place is not free for anyone else: a latecomer's booking of that slot is refused
    async with running_services(load_config(env)) as services:
        refused = await operations.reserve_time_slot(services, LATECOMER, "Late", day.isoformat(),
                                                     slots[0].strftime("%H:%M"), 0)
    assert refused["success"] is False

    accept = next(b for b in buttons(offer) if b["id"].startswith("wait:accept:"))
    booked = await exchange(server, graph, WAITING, button_reply(WAITING, accept))
    assert booked["text"]["body"].startswith("Your appointment is booked:")
    mine = await db.fetch("SELECT slot_date, slot_time, type FROM reservations WHERE wa_id = $1 AND status = 'active'",
                          WAITING)
    assert [(r["slot_date"], r["slot_time"], r["type"]) for r in mine] == [(day, slots[0], 1)]  # the type asked for
    assert [r["status"] for r in await offer_rows(db, WAITING)] == ["accepted"]
    assert await db.fetchval("SELECT status FROM waitlist_entries WHERE wa_id = $1", WAITING) == "booked"
    assert await db.fetchval("SELECT count(*) FROM reservations WHERE slot_date = $1 AND slot_time = $2"
                             " AND status = 'active'", day, slots[0]) == 5


async def _offers(graph, wa_id):
    return offers_to(graph, wa_id) or None


async def hold_runs_out(db, wa_id: str) -> None:
    """The patient's hold ends now (as if its minutes had passed): the sweep takes it from there."""
    await db.execute("UPDATE waitlist_offers SET expires_at = now() WHERE wa_id = $1 AND status = 'open'", wa_id)


async def wrote_and_joined(server, graph, env, wa_ids, day) -> None:
    """The patients wrote recently (their 24-hour window is open) and joined the day's waitlist in this order."""
    from actors.waitlist import offers

    for wa_id in wa_ids:
        await exchange(server, graph, wa_id, text(wa_id, "hello"))
        async with running_services(load_config(env)) as services:
            await offers.join(services, wa_id, day)


async def cancel_in_another_process(env, wa_id: str, booking: int) -> None:
    async with running_services(load_config(env)) as services:
        assert (await operations.cancel_reservation(services, wa_id, reservation_id_to_cancel=booking))["success"]


async def test_an_offer_that_times_out_moves_on_and_a_late_tap_is_answered(interactive_env, servers, graph, db):
    env = fast(interactive_env)
    day, slots = await open_day(env, skip=2)
    booking = await book(db, CANCELLING, day, slots[0])
    server = servers(env)
    await wrote_and_joined(server, graph, env, (FIRST, SECOND), day)
    await cancel_in_another_process(env, CANCELLING, booking)

    first = (await eventually(lambda: _offers(graph, FIRST), what="the first patient's offer"))[0]
    assert _offers_now(graph, SECOND) == []  # one offer per freed place at a time
    await hold_runs_out(db, FIRST)
    second = (await eventually(lambda: _offers(graph, SECOND), what="the offer moving on after the hold"))[0]
    assert [r["status"] for r in await offer_rows(db, FIRST)] == ["expired"]

    late = await exchange(server, graph, FIRST, button_reply(FIRST, buttons(first)[0]))
    assert late["text"]["body"].startswith("Sorry, this offer has expired")
    assert await db.fetchval("SELECT count(*) FROM reservations WHERE wa_id = $1", FIRST) == 0
    booked = await exchange(server, graph, SECOND, button_reply(SECOND, buttons(second)[0]))
    assert booked["text"]["body"].startswith("Your appointment is booked")
    assert await db.fetchval("SELECT count(*) FROM reservations WHERE wa_id = $1 AND status = 'active'", SECOND) == 1
    assert len(offers_to(graph, FIRST)) == 1  # never offered the same place twice


async def test_two_processes_sweeping_make_one_offer_per_freed_place(interactive_env, servers, graph, db):
    env = {**fast(interactive_env), "WAITLIST_SWEEP_SECONDS": "0.05"}
    day, slots = await open_day(env, skip=4)
    booking = await book(db, CANCELLING, day, slots[0])
    first_server, _ = servers(env), servers(env)
    patients = ("966500003021", "966500003022", "966500003023")
    await wrote_and_joined(first_server, graph, env, patients, day)
    await cancel_in_another_process(env, CANCELLING, booking)  # made there, sent by whichever sweep claims it
    for index, wa_id in enumerate(patients):
        await eventually(lambda wa_id=wa_id: _offers(graph, wa_id), what=f"offer {index + 1}")
        open_now = await db.fetchval("SELECT count(*) FROM waitlist_offers WHERE status = 'open'")
        assert open_now == 1
        if index < len(patients) - 1:
            await hold_runs_out(db, wa_id)
    assert [len(offers_to(graph, wa_id)) for wa_id in patients] == [1, 1, 1]
    statuses = await db.fetch("SELECT status FROM waitlist_offers WHERE freed_reservation_id = $1 ORDER BY id", booking)
    assert [r["status"] for r in statuses] == ["expired", "expired", "open"]


def _offers_now(graph, wa_id):
    return offers_to(graph, wa_id)


async def test_an_offer_made_by_a_process_that_stopped_is_sent_by_another(interactive_env, servers, graph, db):
    env = fast(interactive_env)
    day, slots = await open_day(env, skip=3)
    booking = await book(db, CANCELLING, day, slots[0])
    await db.execute("INSERT INTO customers (wa_id) VALUES ($1)", WAITING)
    await db.execute("INSERT INTO conversation (wa_id, role, message, local_date, local_time)"
                     " VALUES ($1, 'user', 'hi', (now() AT TIME ZONE 'Asia/Riyadh')::date,"
                     " (now() AT TIME ZONE 'Asia/Riyadh')::time(0))", WAITING)
    async with running_services(load_config(env)) as services:  # a process with no sweep: it never sends
        from actors.waitlist import offers

        await offers.join(services, WAITING, day, time(slots[0].hour, slots[0].minute))
        assert (await operations.cancel_reservation(services, CANCELLING, reservation_id_to_cancel=booking))["success"]
    [made] = await offer_rows(db, WAITING)
    assert made["status"] == "open" and made["sent_at"] is None  # written with the cancellation
    assert sent_to(graph, WAITING) == []
    servers(env)
    await eventually(lambda: _offers(graph, WAITING), what="the offer sent by a new process")
    assert len(offers_to(graph, WAITING)) == 1


async def test_stopping_the_sweep_as_it_is_woken_does_not_hang(interactive_env):
    """A place freed the instant the app shuts down: on Python 3.11 asyncio.wait_for swallowed the stop's cancel
    as the wake-up arrived, and the app's cleanup waited for the sweep forever."""
    from actors.waitlist.sweeper import WaitlistSweeper

    async with running_services(load_config({**interactive_env, "WAITLIST_SWEEP_SECONDS": "3600"})) as services:
        sweeper = WaitlistSweeper(services)
        sweeper.start()
        async with asyncio.timeout(30):  # a safety net, not a speed check
            while sweeper.rounds < 1:  # the first sweep is done: the loop waits to be woken
                await asyncio.sleep(0.01)
        sweeper.wake()
        stopping = asyncio.ensure_future(sweeper.stop())
        done, _ = await asyncio.wait([stopping], timeout=30)
        assert done, "stop() still waits for the sweep loop"
