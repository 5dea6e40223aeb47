"""Helpers of the waitlist tests: an open day and its slots, full days, bookings, offers sent."""
from __future__ import annotations

from datetime import date, time
from typing import Any

from actors.reservation import operations
from runtime.config import load_config
from tests.ops.support import running_services

AGENT_CAPACITY = 5


def clock(label: str) -> time:
    """`10:00 AM` -> 10:00."""
    hours, half = label.split(" ")
    hour, minute = (int(part) for part in hours.split(":"))
    return time(hour % 12 + (12 if half == "PM" else 0), minute)


async def open_day(env: dict[str, str], skip: int = 1) -> tuple[date, list[time]]:
    """A coming working day (the `skip`-th one with free slots from tomorrow) and its slots."""
    async with running_services(load_config(env)) as services:
        found = await operations.search_available_appointments(services, days_forward=14)
    days = [d for d in found["data"]["appointments"] if d["gregorian_date"] > min(
        a["gregorian_date"] for a in found["data"]["appointments"])]
    chosen = days[skip - 1]
    return date.fromisoformat(chosen["gregorian_date"]), [clock(s["time_slot"]) for s in chosen["time_slots"]]


async def book(db, wa_id: str, day: date, slot: time, name: str = "Patient") -> int:
    await db.execute("INSERT INTO customers (wa_id, customer_name) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                     wa_id, name)
    return await db.fetchval("INSERT INTO reservations (wa_id, slot_date, slot_time, type, status)"
                             " VALUES ($1, $2, $3, 0, 'active') RETURNING id", wa_id, day, slot)


async def fill_day(db, day: date, slots: list[time], keep_one_for: str | None = None) -> int | None:
    """Every slot at capacity; with `keep_one_for`, that customer holds one place of the first slot (its id)."""
    mine = None
    for index, slot in enumerate(slots):
        for n in range(AGENT_CAPACITY):
            if index == 0 and n == 0 and keep_one_for:
                mine = await book(db, keep_one_for, day, slot)
            else:
                await book(db, f"9665{index:03d}{n:05d}", day, slot)
    return mine


def offers_to(graph, wa_id: str) -> list[dict[str, Any]]:
    """Waitlist offers sent to the customer (buttons whose ids are wait:accept / wait:decline)."""
    found = []
    for message in graph.requests:
        if message.get("to") != wa_id or message.get("type") != "interactive":
            continue
        ids = [b["reply"]["id"] for b in message["interactive"]["action"].get("buttons") or []]
        if any(i.startswith("wait:accept:") for i in ids):
            found.append(message)
    return found
