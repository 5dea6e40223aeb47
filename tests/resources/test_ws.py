"""The dashboard's WebSocket `modify_reservation` command moves a booking to another resource when it
names one; without `resource` the booking keeps its own."""
from __future__ import annotations

from actors.reservation import operations
from runtime.routes import Role
from tests.realtime.conftest import app, connect, quiet_metrics, server, services  # noqa: F401  (fixtures)

WA = "966500000001"


async def test_modify_over_the_socket_moves_to_the_named_resource(connect, services, db):  # noqa: F811
    omar = await db.fetchval("INSERT INTO resources (name_ar, name_en, capacity) VALUES ('د. عمر', 'Dr. Omar', 1)"
                             " RETURNING id")
    day = None
    for ahead in range(2, 16):
        from datetime import date, timedelta

        candidate = (date.today() + timedelta(days=ahead)).isoformat()
        free = await operations.get_available_time_slots(services, candidate, resource="Dr. Omar")
        if free["success"] and len(free["data"]["time_slots"]) >= 2:
            day, slots = candidate, free["data"]["time_slots"]
            break
    assert day is not None
    made = await operations.reserve_time_slot(services, WA, "Sara", day, slots[0], 0, resource="Clinic")
    rid = made["data"]["reservation_id"]
    staff = await connect(Role.STAFF)
    kept = await staff.ask({"type": "modify_reservation", "data": {
        "wa_id": WA, "date": day, "time_slot": slots[1], "reservation_id": rid}}, "modify_reservation_ack")
    assert kept["data"]["resource_id"] == 1
    moved = await staff.ask({"type": "modify_reservation", "data": {
        "wa_id": WA, "date": day, "time_slot": slots[1], "reservation_id": rid, "resource": "Dr. Omar"}},
        "modify_reservation_ack")
    assert moved["data"]["resource_id"] == omar and moved["data"]["resource"] == "Dr. Omar"
    assert await db.fetchval("SELECT resource_id FROM reservations WHERE id = $1", rid) == omar


async def test_resource_events_reach_only_sockets_that_subscribe(connect, services):  # noqa: F811
    from actors.reservation.resource_admin import create_resource

    plain = await connect(Role.VIEWER)
    asking = await connect(Role.VIEWER)
    await asking.ask({"type": "subscribe", "data": {"types": ["resource_created"]}}, "subscribe_ack")
    await create_resource(services, {"name_ar": "د. عمر", "name_en": "Dr. Omar", "active": True, "position": 0,
                                     "vacations": []})
    created = await asking.until("resource_created")
    assert created["data"]["resource"]["name_en"] == "Dr. Omar"
    # a later reference event reaches both; the plain socket saw nothing of the resource before it
    await operations.update_vacation_periods(services, [])
    await plain.until("vacation_period_updated")
    assert [m["type"] for m in plain.received if m["type"].startswith("resource_")] == []


async def test_attendance_over_the_socket_is_announced_only_to_subscribers(connect, services, db):  # noqa: F811
    from actors.reservation import context
    from tests.reservations.conftest import add_reservation

    today = context.today(services).isoformat()
    rid = await add_reservation(db, WA, today, "00:00")
    plain = await connect(Role.STAFF)
    asking = await connect(Role.VIEWER)
    await asking.ask({"type": "subscribe", "data": {"types": ["reservation_attendance"]}}, "subscribe_ack")
    refused = await asking.ask({"type": "record_attendance", "data": {"reservation_id": rid, "attendance": "no_show"}},
                               "record_attendance_nack")
    assert "staff" in refused["error"]  # a viewer may not mark
    missing = await plain.ask({"type": "record_attendance", "data": {"reservation_id": rid}}, "record_attendance_nack")
    assert missing["error"].startswith("Missing required fields")
    bad = await plain.ask({"type": "record_attendance", "data": {"reservation_id": rid, "attendance": "late"}},
                          "record_attendance_nack")
    assert bad["reason"] == "invalid"
    done = await plain.ask({"type": "record_attendance", "data": {"reservation_id": rid, "attendance": "no_show"}},
                           "record_attendance_ack")
    assert done["data"]["id"] == rid and done["data"]["attendance"] == "no_show"
    event = await asking.until("reservation_attendance")
    assert event["data"]["id"] == rid and event["data"]["attendance"] == "no_show" and event["data"]["wa_id"] == WA
    assert await db.fetchval("SELECT attendance FROM reservations WHERE id = $1", rid) == "no_show"
    # a later reference event reaches both; the plain socket never saw the opt-in one
    await operations.update_vacation_periods(services, [])
    await plain.until("vacation_period_updated")
    assert "reservation_attendance" not in [m["type"] for m in plain.received]


async def test_a_config_change_reaches_only_sockets_that_subscribe(connect, services):  # noqa: F811
    """Calendars re-plan their grid on `config_updated`; the reference dashboard never asks for it."""
    from actors.app_config import update_app_config

    plain = await connect(Role.VIEWER)
    asking = await connect(Role.VIEWER)
    await asking.ask({"type": "subscribe", "data": {"types": ["config_updated"]}}, "subscribe_ack")
    saved = await update_app_config(services, {"slot_duration_hours": 1})
    changed = await asking.until("config_updated")
    assert changed["data"]["updated_at"] == saved["updated_at"] and changed["data"]["id"] == saved["id"]
    await operations.update_vacation_periods(services, [])
    await plain.until("vacation_period_updated")
    assert [m["type"] for m in plain.received if m["type"] == "config_updated"] == []
