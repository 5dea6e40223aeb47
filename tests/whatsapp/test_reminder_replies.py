"""Reminders that ask: the template carries Confirm / Reschedule / Cancel, and each tap acts, end to end.

The reminder job runs against the fake Graph API; the taps come back through a real server's
webhook as Meta's template quick-reply deliveries; the database and the analytics route are checked.
"""
from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import aiohttp
import httpx

from actors.jobs.registry import job_named
from actors.jobs.runner import run_job
from runtime.config import load_config
from runtime.routes import Role
from tests.ops.support import running_services
from tests.whatsapp.taps import exchange, list_reply, quick_reply, rows

RIYADH = ZoneInfo("Asia/Riyadh")
CONFIRMS, CANCELS, MOVES, SILENT = "966500001001", "966500001002", "966500001003", "966500001004"
BUTTON_TEXTS = {"confirm": "تأكيد", "reschedule": "تغيير الموعد", "cancel": "إلغاء"}


async def book_tomorrow(db, wa_id: str, slot: time) -> int:
    await db.execute("INSERT INTO customers (wa_id, customer_name) VALUES ($1, 'Patient')", wa_id)
    return await db.fetchval("INSERT INTO reservations (wa_id, slot_date, slot_time, type, status)"
                             " VALUES ($1, $2, $3, 0, 'active') RETURNING id", wa_id, tomorrow(), slot)


def tomorrow() -> date:
    return datetime.now(RIYADH).date() + timedelta(days=1)


async def send_reminders(env: dict[str, str]) -> None:
    """Tonight's reminder job, as the leader runs it (occurrence: today, business time)."""
    async with running_services(load_config(env)) as services:
        result = await run_job(services, job_named("send_reminders"), datetime.now(RIYADH))
    assert result.outcome == "ok", result.detail


def payloads(graph, wa_id: str) -> dict[str, str]:
    """The quick-reply payloads of the reminder template sent to the customer, by action."""
    [template] = [r for r in graph.requests if r.get("type") == "template" and r["to"] == wa_id]
    buttons = [c for c in template["template"]["components"] if c["type"] == "button"]
    assert [(b["sub_type"], b["index"]) for b in buttons] == [("quick_reply", "0"), ("quick_reply", "1"),
                                                              ("quick_reply", "2")]
    found = {}
    for button in buttons:
        payload = button["parameters"][0]["payload"]
        found[payload.split(":")[1]] = payload
    return found


async def frames_until(socket, frame_type: str) -> list[str]:
    """The types of the frames received up to (and including) the first of `frame_type`."""
    seen = []
    while not seen or seen[-1] != frame_type:
        seen.append((await socket.receive_json(timeout=30))["type"])
    return seen


async def until(socket, frame_type: str) -> dict:
    while True:
        body = await socket.receive_json(timeout=30)
        if body["type"] == frame_type:
            return body


def tap(wa_id: str, taps: dict[str, str], action: str):
    return quick_reply(wa_id, taps[action], BUTTON_TEXTS[action])


async def test_confirm_cancel_and_reschedule_from_a_reminder(interactive_env, servers, graph, db, token_for):
    server = servers(interactive_env)
    ids = {wa: await book_tomorrow(db, wa, slot) for wa, slot in (
        (CONFIRMS, time(10, 0)), (CANCELS, time(11, 0)), (MOVES, time(12, 0)), (SILENT, time(13, 0)))}
    await send_reminders(interactive_env)
    taps = {wa: payloads(graph, wa) for wa in ids}
    assert taps[CONFIRMS]["confirm"] == f"remind:confirm:{ids[CONFIRMS]}"

    _, token = await token_for(Role.VIEWER)
    async with aiohttp.ClientSession() as session:
        # a dashboard that did not ask for the new event type never gets it; one that subscribed does
        plain = await session.ws_connect(f"{server.url}/ws", params={"token": token})
        asking = await session.ws_connect(f"{server.url}/ws", params={"token": token})
        await asking.send_json({"type": "subscribe", "data": {"types": ["reservation_confirmed"]}})
        await until(asking, "subscribe_ack")
        confirmed = await exchange(server, graph, CONFIRMS, tap(CONFIRMS, taps[CONFIRMS], "confirm"))
        event = await until(asking, "reservation_confirmed")
        await plain.send_json({"type": "ping"})
        seen = await frames_until(plain, "pong")
    assert event["data"]["id"] == ids[CONFIRMS] and event["data"]["confirmed_at"]
    assert "reservation_confirmed" not in seen and "conversation_new_message" in seen
    assert confirmed["text"]["body"].startswith("شكراً لك! تم تأكيد موعدك")  # the template's language
    assert await db.fetchval("SELECT confirmed_at IS NOT NULL FROM reservations WHERE id = $1", ids[CONFIRMS])

    cancelled = await exchange(server, graph, CANCELS, tap(CANCELS, taps[CANCELS], "cancel"))
    assert cancelled["text"]["body"].startswith("تم إلغاء موعدك")
    assert await db.fetchval("SELECT status FROM reservations WHERE id = $1", ids[CANCELS]) == "cancelled"
    announced = [json.loads(e) for e in await db.fetchval(
        "SELECT array_agg(envelope::text) FROM realtime_events WHERE event_type = 'reservation_cancelled'")]
    assert [(a["data"]["id"], a["data"]["_source"]) for a in announced] == [(ids[CANCELS], "assistant")]
    late = await exchange(server, graph, CANCELS, tap(CANCELS, taps[CANCELS], "confirm"))  # after cancelling
    assert late["text"]["body"].startswith("هذا الموعد لم يعد محجوزاً")
    assert await db.fetchval("SELECT confirmed_at FROM reservations WHERE id = $1", ids[CANCELS]) is None

    offer = await exchange(server, graph, MOVES, tap(MOVES, taps[MOVES], "reschedule"))
    choice = rows(offer)[-1]
    moved = await exchange(server, graph, MOVES, list_reply(MOVES, choice))
    assert moved["text"]["body"].startswith("تم تغيير موعدك")
    after = await db.fetchrow("SELECT slot_date, status FROM reservations WHERE id = $1", ids[MOVES])
    assert after["status"] == "active" and after["slot_date"].isoformat() == choice["id"].split(":")[1].split("|")[0]
    assert await db.fetchval("SELECT count(*) FROM reservations WHERE wa_id = $1", MOVES) == 1  # moved, not added

    day = tomorrow().isoformat()
    async with httpx.AsyncClient(base_url=server.url, headers={"Authorization": f"Bearer {token}"}) as http:
        counts = (await http.get("/reminders/responses", params={"from": day, "to": day})).json()["data"]
        states = (await http.get("/reminders/confirmations", params={"from": day, "to": day})).json()["data"]
        refused = await http.get("/reminders/responses", params={"from": day, "to": "2000-01-01"})
    assert {k: counts[k] for k in ("confirmed", "cancelled", "rescheduled", "no_reply", "sent")} == {
        "confirmed": 1, "cancelled": 1, "rescheduled": 1, "no_reply": 1, "sent": 4}
    by_id = {s["id"]: s for s in states}
    assert by_id[ids[CONFIRMS]]["confirmed_at"] and by_id[ids[CONFIRMS]]["response"] == "confirmed"
    assert by_id[ids[SILENT]]["confirmed_at"] is None and by_id[ids[SILENT]]["reminder"] == "sent"
    assert ids[CANCELS] not in by_id
    assert refused.status_code == 422 and "before" in refused.text
