"""Two hundred bookings race for one slot: exactly capacity N succeed, in one process and across two."""
from __future__ import annotations

import asyncio
from datetime import date, timedelta

import httpx

from actors.app_config.defaults import first_boot_document
from actors.reservation.schedule import config_weekday, day_schedule
from runtime.routes import Role
from tests.support.servers import ServerProcess

ATTEMPTS = 200
WAITING_ON_ADVISORY_LOCK = """SELECT count(*) FROM pg_locks
 WHERE locktype = 'advisory' AND NOT granted
   AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"""


def customers(count: int) -> list[str]:
    return [f"9665{i:08d}" for i in range(10_000_000, 10_000_000 + count)]


def reserve_body(wa_id: str, day: str, slot: str) -> dict:
    return {"wa_id": wa_id, "customer_name": f"Customer {wa_id[-4:]}", "date_str": day, "time_slot": slot,
            "reservation_type": 0}


async def test_one_process_never_overbooks(staff_client, clock, db):
    bodies = [reserve_body(w, "2025-06-02", "13:00") for w in customers(ATTEMPTS)]
    responses = await asyncio.gather(*(staff_client.post("/reserve", json=b) for b in bodies))
    results = [await r.json() for r in responses]
    assert all(r.status == 200 for r in responses)
    winners = [r for r in results if r["success"]]
    assert len(winners) == 5  # agent capacity
    assert await db.fetchval("SELECT count(*) FROM reservations WHERE status = 'active'") == 5
    assert {r["message"] for r in results if not r["success"]} <= {
        "This time slot is fully booked. Please choose another slot.",
        "All slots are fully booked for this date. Please choose another date.",
        "Reservation failed. The selected time slot (1:00 PM) is not available. Available slots: 11:00 AM, 3:00 PM",
    }


def next_weekday(config_day: int) -> tuple[str, str]:
    """(date, middle slot) of a day at least two days ahead whose config weekday (0 = Sunday) is
    `config_day`, under the default schedule (Ramadan included)."""
    day = date.today() + timedelta(days=2)
    while config_weekday(day) != config_day:
        day += timedelta(days=1)
    starts = day_schedule(day, first_boot_document()).starts
    return day.isoformat(), starts[1].strftime("%H:%M")


async def test_two_processes_never_overbook(env, token_for, db):
    """Agent capacity (5) on one slot and secretary capacity (6) on another, raced at the same time,
    every other request going to the other process."""
    _, token = await token_for(Role.STAFF)
    servers = [ServerProcess({**env, "LOG_LEVEL": "ERROR"}).start() for _ in range(2)]
    try:
        (monday, monday_slot), (saturday, saturday_slot) = next_weekday(1), next_weekday(6)
        people = customers(ATTEMPTS + 60)
        agents = [reserve_body(w, monday, monday_slot) for w in people[:ATTEMPTS]]
        secretaries = [{**reserve_body(w, saturday, saturday_slot), "_call_source": "frontend"}
                       for w in people[ATTEMPTS:]]
        async with httpx.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=60,
                                     limits=httpx.Limits(max_connections=400)) as http:
            responses = await asyncio.gather(*(
                http.post(servers[i % 2].url + "/reserve", json=body)
                for i, body in enumerate(agents + secretaries)))
        assert [r.status_code for r in responses] == [200] * len(responses)
        assert sum(r.json()["success"] for r in responses[:ATTEMPTS]) == 5
        assert sum(r.json()["success"] for r in responses[ATTEMPTS:]) == 6
        counts = await db.fetch("SELECT slot_date, count(*) AS n FROM reservations WHERE status = 'active'"
                                " GROUP BY slot_date ORDER BY slot_date")
        assert sorted(r["n"] for r in counts) == [5, 6]
    finally:
        for server in servers:
            server.stop()


async def test_a_booking_racing_a_vacation_update_loses(services, db):
    """The vacation is written (not yet committed) while a booking passes its first checks; the
    booking waits for the vacation update inside its transaction and is then refused."""
    from actors.reservation import operations
    from runtime.db import QUERIES

    async with db.transaction():
        await db.execute(QUERIES.vacation_lock)
        await db.execute("INSERT INTO vacation_periods (start_date, end_date) VALUES ('2025-06-02', '2025-06-02')")
        booking = asyncio.create_task(operations.reserve_time_slot(
            services, "966501234567", "Sara", "2025-06-02", "13:00", 0))
        while not await db.fetchval(WAITING_ON_ADVISORY_LOCK):
            assert not booking.done(), booking.result()
            await asyncio.sleep(0.01)
    result = await booking
    assert result["success"] is False and result["message"].startswith("🏖️:")
    assert await db.fetchval("SELECT count(*) FROM reservations") == 0


async def test_opposite_cross_day_moves_do_not_deadlock(services, db):
    """Moves day 2 -> day 3 and day 3 -> day 2 at once, many times: each lands whole, none is lost."""
    from actors.reservation import operations
    from tests.reservations.conftest import add_reservation

    first = await add_reservation(db, "966501234567", "2025-06-02", "11:00")
    second = await add_reservation(db, "966501234568", "2025-06-03", "11:00")
    days = {first: "2025-06-02", second: "2025-06-03"}
    for _ in range(10):
        targets = {first: days[second], second: days[first]}
        results = await asyncio.gather(*(operations.modify_reservation(
            services, wa_id, new_date=targets[rid], reservation_id_to_modify=rid, source="frontend")
            for rid, wa_id in ((first, "966501234567"), (second, "966501234568"))))
        assert all(r["success"] for r in results), results
        days = targets
        rows = await db.fetch("SELECT id, slot_date FROM reservations WHERE status = 'active' ORDER BY id")
        assert [(r["id"], r["slot_date"].isoformat()) for r in rows] == [(first, days[first]), (second, days[second])]
