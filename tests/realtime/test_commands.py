"""Every client command's ack and nack, roles, and the write commands against the owning operations."""
from __future__ import annotations

import datetime as dt

import pytest

from actors.reservation import operations
from runtime.routes import Role

WA = "966501234567"

VIEWER_REFUSALS = [
    ({"type": "modify_reservation", "data": {"wa_id": WA, "date": "2030-01-01", "time_slot": "10:00"}},
     "modify_reservation_nack", "data"),
    ({"type": "cancel_reservation", "data": {"wa_id": WA}}, "cancel_reservation_nack", "error"),
    ({"type": "conversation_send_message", "data": {"wa_id": WA, "message": "hi"}}, "send_message_nack", "error"),
    ({"type": "secretary_typing", "data": {"wa_id": WA, "typing": True}}, "typing_nack", "error"),
    ({"type": "vacation_update", "data": {"periods": []}}, "vacation_update_nack", "error"),
]


@pytest.mark.parametrize("command,nack,where", VIEWER_REFUSALS)
async def test_viewer_cannot_modify(connect, command, nack, where, db):
    c = await connect(Role.VIEWER)
    reply = await c.ask(command, nack)
    text = reply["data"]["message"] if where == "data" else reply["error"]
    assert text == "This action needs the staff role; you are viewer"
    assert await db.fetchval("SELECT count(*) FROM realtime_events") == 0  # nothing happened


@pytest.mark.parametrize("command,nack,expected", [
    ({"type": "modify_reservation", "data": {"wa_id": WA, "date": "2030-01-01"}}, "modify_reservation_nack",
     {"data": {"message": "Missing required fields: wa_id, date, time_slot"}}),
    ({"type": "modify_reservation", "data": {"wa_id": WA, "ar": True}}, "modify_reservation_nack",
     {"data": {"message": "حقول مطلوبة مفقودة: wa_id, date, time_slot"}}),
    ({"type": "cancel_reservation", "data": {"date": "2030-01-01"}}, "cancel_reservation_nack",
     {"error": "Missing required field: wa_id"}),
    ({"type": "conversation_send_message", "data": {"wa_id": WA}}, "send_message_nack",
     {"error": "Missing required fields: wa_id, message"}),
    ({"type": "conversation_send_message", "data": {"wa_id": WA, "message": ["x"]}}, "send_message_nack",
     {"error": "Invalid message payload"}),
    ({"type": "conversation_send_message", "data": {"wa_id": WA, "message": "x" * 4097}}, "send_message_nack",
     {"error": "Message too long (max 4096)"}),
    ({"type": "secretary_typing", "data": {}}, "typing_nack", {"error": "Missing required field: wa_id"}),
])
async def test_missing_or_invalid_arguments_get_the_reference_nack(connect, command, nack, expected):
    c = await connect(Role.STAFF)
    reply = await c.ask(command, nack)
    assert {k: reply[k] for k in expected} == expected


async def test_typing_broadcasts_without_source(connect):
    watcher = await connect(Role.VIEWER)
    staff = await connect(Role.STAFF)
    assert set(await staff.ask({"type": "secretary_typing", "data": {"wa_id": WA, "typing": 1}}, "typing_ack")) == {
        "type", "timestamp"}
    event = await watcher.until("conversation_typing")
    assert event["data"] == {"wa_id": WA, "state": "start"} and event["affected_entities"] == [WA]
    await staff.ask({"type": "secretary_typing", "data": {"wa_id": WA}}, "typing_ack")
    assert (await watcher.until("conversation_typing"))["data"]["state"] == "stop"


async def test_send_message_goes_out_and_is_stored_and_announced(connect, db):
    watcher = await connect(Role.VIEWER)
    staff = await connect(Role.STAFF)
    await staff.ask({"type": "conversation_send_message", "data": {"wa_id": WA, "message": "أهلا"}},
                    "send_message_ack")
    event = await watcher.until("conversation_new_message")
    assert {k: event["data"][k] for k in ("wa_id", "role", "message", "_source")} == {
        "wa_id": WA, "role": "secretary", "message": "أهلا", "_source": "frontend"}
    assert await db.fetchval("SELECT message FROM conversation WHERE wa_id = $1 AND role = 'secretary'", WA) == "أهلا"
    # outbox mode (no WhatsApp credentials): the message is recorded as sent to the customer
    assert await db.fetchval("SELECT count(*) FROM whatsapp_outbound WHERE wa_id = $1", WA) == 1

    await db.execute("UPDATE customers SET is_blocked = true WHERE wa_id = $1", WA)
    blocked = await staff.ask({"type": "conversation_send_message", "data": {"wa_id": WA, "message": "again"}},
                              "send_message_nack")
    assert blocked["error"] == "Contact is blocked."


async def test_vacation_update_acks_and_broadcasts_the_computed_list(connect, db):
    watcher = await connect(Role.VIEWER)
    staff = await connect(Role.STAFF)
    periods = [{"start": "2030-03-25", "end": "2030-03-20", "title": "Eid"}]
    await staff.ask({"type": "vacation_update", "data": {"periods": periods}}, "vacation_update_ack")
    event = await watcher.until("vacation_period_updated")
    assert event["data"] == {"periods": [{"start": "2030-03-20T00:00:00+03:00",
                                          "end": "2030-03-25T23:59:59.999999+03:00", "title": "Eid"}],
                             "_source": "frontend"}
    snapshot = await watcher.ask({"type": "get_snapshot"}, "snapshot")
    assert snapshot["data"]["vacations"] == event["data"]["periods"]

    bad = await staff.ask({"type": "vacation_update", "data": {"periods": [{"start": "garbage"}]}},
                          "vacation_update_nack")
    assert bad["error"]
    assert await db.fetchval("SELECT count(*) FROM vacation_periods") == 1  # nothing lost

    await staff.ask({"type": "vacation_update", "data": {"periods": []}}, "vacation_update_ack")
    assert await db.fetchval("SELECT count(*) FROM vacation_periods") == 0


async def _bookable_day(services) -> tuple[str, str]:
    for ahead in range(1, 15):
        day = (dt.date.today() + dt.timedelta(days=ahead)).isoformat()
        result = await operations.get_available_time_slots(services, day)
        slots = (result.get("data") or {}).get("time_slots") if result.get("success") else None
        if slots and len(slots) >= 2:
            return day, slots
    raise AssertionError("no bookable day in the next two weeks")


async def test_modify_and_cancel_reservation_over_the_socket(connect, services):
    day, slots = await _bookable_day(services)
    created = await operations.reserve_time_slot(services, WA, "Sara", day, slots[0], 0, source="assistant")
    assert created["success"], created
    reservation_id = created["data"]["reservation_id"]
    watcher = await connect(Role.VIEWER)
    staff = await connect(Role.STAFF)

    ack = await staff.ask({"type": "modify_reservation", "data": {
        "wa_id": WA, "date": day, "time_slot": slots[1], "customer_name": "Sara", "type": 1,
        "reservation_id": reservation_id}}, "modify_reservation_ack")
    assert ack["data"]["reservation_id"] == reservation_id and "original_data" in ack["data"]
    updated = await watcher.until("reservation_updated")
    assert updated["data"]["id"] == reservation_id and updated["data"]["_source"] == "frontend"
    assert updated["data"]["type"] == 1 and updated["data"]["original_data"]["type"] == 0

    refused = await staff.ask({"type": "modify_reservation", "data": {
        "wa_id": WA, "date": "1999-01-01", "time_slot": "10:00"}}, "modify_reservation_nack")
    assert refused["data"]["message"]

    # the dashboard cancels by {wa_id, date}: every active reservation of that customer that day
    cancelled = await staff.ask({"type": "cancel_reservation", "data": {"wa_id": WA, "date": day}},
                                "cancel_reservation_ack")
    assert cancelled["data"]["cancelled_ids"] == [reservation_id]
    event = await watcher.until("reservation_cancelled")
    assert event["data"]["id"] == reservation_id and event["data"]["_source"] == "frontend"
    again = await staff.ask({"type": "cancel_reservation", "data": {"wa_id": "966500000404", "date": day}},
                            "cancel_reservation_nack")
    assert again["error"]


async def test_a_message_to_the_system_agent_starts_its_turn_instead_of_whatsapp(connect, services, db):
    agent = services.config.system_agent_wa_id
    staff = await connect(Role.STAFF)
    await staff.ask({"type": "conversation_send_message", "data": {"wa_id": agent, "message": "what is booked?"}},
                    "send_message_ack")
    assert await db.fetchval("SELECT message FROM conversation WHERE wa_id = $1 AND role = 'secretary'",
                             agent) == "what is booked?"
    assert await db.fetchval("SELECT count(*) FROM whatsapp_outbound WHERE wa_id = $1", agent) == 0


def test_the_registry_holds_every_reference_command_with_its_role():
    from handlers import ws  # noqa: F401  (loads the command modules)
    from handlers.ws_commands import COMMANDS

    expected = {
        "ping": Role.VIEWER, "set_filter": Role.VIEWER, "get_snapshot": Role.VIEWER,
        "get_notifications": Role.VIEWER, "get_customer_document": Role.VIEWER, "get_document": Role.VIEWER,
        "get_customer_doc": Role.VIEWER, "resume": Role.VIEWER, "subscribe": Role.VIEWER,
        "modify_reservation": Role.STAFF, "cancel_reservation": Role.STAFF, "conversation_send_message": Role.STAFF,
        "secretary_typing": Role.STAFF, "vacation_update": Role.STAFF,
        "record_attendance": Role.STAFF,  # Mawid (issue 24): staff mark a booking attended or no-show
    }
    assert {name: entry.role for name, entry in COMMANDS.items()} == expected
    assert all(entry.schema is not None for entry in COMMANDS.values())
