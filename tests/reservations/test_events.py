"""Every change reaches a bus subscriber with the reference's type and payload, whoever made it."""
from __future__ import annotations

from actors.reservation import operations, ops_phone
from tests.reservations.conftest import add_reservation

WA = "966501234567"


def strip(events):
    return [(e.type, e.data, e.affected_entities) for e in events]


async def test_reservation_lifecycle_events(services, events, db):
    made = await operations.reserve_time_slot(services, WA, "Sara", "2025-06-02", "11:00", 0, source="frontend")
    rid = made["data"]["reservation_id"]
    await operations.modify_reservation(services, WA, new_time_slot="13:00", reservation_id_to_modify=rid,
                                        source="frontend")
    await operations.cancel_reservation(services, WA, reservation_id_to_cancel=rid, source="system_agent")
    await operations.undo_cancel_reservation_by_id(services, rid)
    assert strip(events) == [
        ("reservation_created", {"id": rid, "wa_id": WA, "date": "2025-06-02", "time_slot": "11:00", "type": 0,
                                 "customer_name": "Sara", "_source": "frontend"}, (WA,)),
        ("reservation_updated", {"id": rid, "wa_id": WA, "date": "2025-06-02", "time_slot": "13:00", "type": 0,
                                 "customer_name": "Sara", "status": "active",
                                 "original_data": {"wa_id": WA, "date": "2025-06-02", "time_slot": "11:00",
                                                   "type": 0, "customer_name": "Sara", "status": "active"},
                                 "_source": "frontend"}, (WA,)),
        ("reservation_cancelled", {"id": rid, "wa_id": WA, "date": "2025-06-02", "time_slot": "13:00",
                                   "_source": "system_agent"}, (WA,)),
        ("reservation_reinstated", {"id": rid, "wa_id": WA, "date": "2025-06-02", "time_slot": "13:00", "type": 0,
                                    "customer_name": "Sara", "_source": "undo"}, (WA,)),
    ]
    stored = await db.fetch("SELECT event_type, data FROM notification_events ORDER BY id")
    assert [r["event_type"] for r in stored] == [e.type for e in events]


async def test_failures_publish_nothing(services, events, db):
    await operations.reserve_time_slot(services, WA, "Sara", "2025-06-06", "11:00", 0)
    await operations.cancel_reservation(services, WA)
    await operations.modify_reservation(services, WA, new_name="x")
    assert events == []


async def test_vacation_update_broadcasts_the_real_periods(services, events):
    await operations.update_vacation_periods(services, [{"start": "2025-06-10", "end": "2025-06-12"},
                                                        {"start": "2025-07-01", "end": "2025-07-01", "title": "Eid"}],
                                             source="frontend")
    assert strip(events) == [("vacation_period_updated", {"periods": [
        {"start": "2025-06-10T00:00:00+03:00", "end": "2025-06-12T23:59:59.999999+03:00", "title": "Clinic closed."},
        {"start": "2025-07-01T00:00:00+03:00", "end": "2025-07-01T23:59:59.999999+03:00", "title": "Eid"},
    ], "_source": "frontend"}, ())]
    assert await operations.vacation_periods_for_broadcast(services) == events[0].data["periods"]


async def test_http_changes_carry_the_call_source(staff_client, services, events, db):
    await add_reservation(db, WA, "2025-06-02", "11:00")
    await add_reservation(db, WA, "2025-06-03", "11:00")
    await staff_client.post(f"/reservations/{WA}/cancel", json={"_call_source": "frontend"})
    await staff_client.post("/update-vacation-periods", json={"periods": []})
    assert [(e.type, e.data.get("id") is not None, e.data["_source"]) for e in events] == [
        ("reservation_cancelled", True, "frontend"), ("reservation_cancelled", True, "frontend"),
        ("vacation_period_updated", False, "assistant")]


async def test_wa_id_change_events_for_assistant_source(services, events, db):
    rid = await add_reservation(db, WA, "2025-06-02", "11:00")
    result = await ops_phone.modify_customer_wa_id(services, WA, "966501234568")
    assert result["success"] is True
    kinds = [(e.type, e.data.get("id"), e.data.get("_source")) for e in events]
    assert ("reservation_updated", rid, "modify_id") in kinds
    assert ("customer_updated", None, "backend") in kinds


async def test_events_cross_processes_over_redis(env, redis_url, servers):
    """A booking made in a real `mawid serve` process reaches a subscriber in this process over Redis."""
    import os
    import uuid

    import httpx

    from runtime.bus import RedisBus
    from tests.support.waiting import eventually

    server = servers({**env, "REDIS_URL": redis_url, "TRUSTED_NETWORKS": "127.0.0.1/32"})  # loopback acts as staff
    assert server.process.pid != os.getpid()
    other = RedisBus(redis_url)
    await other.start()
    name = f"Sara {uuid.uuid4().hex[:8]}"  # the channel is shared with any other run on this Redis
    seen: list = []
    other.subscribe(lambda event: seen.append(event) if event.data.get("customer_name") == name else None)
    try:
        day, slot = _future_monday()
        async with httpx.AsyncClient() as http:
            made = await http.post(server.url + "/reserve", json={
                "wa_id": WA, "customer_name": name, "date_str": day, "time_slot": slot, "reservation_type": 0})
        assert made.status_code == 200 and made.json()["success"], made.text

        async def arrived():
            return seen or None

        await eventually(arrived, what="the booking's event over Redis")
        assert [(e.type, e.data["id"], e.data["date"], e.affected_entities) for e in seen] == [
            ("reservation_created", made.json()["data"]["reservation_id"], day, (WA,))]
    finally:
        await other.close()


def _future_monday() -> tuple[str, str]:
    from datetime import date, timedelta

    from actors.app_config.defaults import first_boot_document
    from actors.reservation.schedule import day_schedule

    day = date.today() + timedelta(days=2)
    while day.weekday() != 0:
        day += timedelta(days=1)
    return day.isoformat(), day_schedule(day, first_boot_document()).starts[0].strftime("%H:%M")
