"""Read-your-writes for the reference dashboard (runtime/write_barrier.py): its refetch, sent in the same
millisecond as its own write, never shows the state from before that write."""
from __future__ import annotations

from tests.reference_dashboard.conftest import REST_HEADERS
from tests.reservations.conftest import add_reservation

ITERATIONS = 40
DAYS = ("2025-06-02", "2025-06-03", "2025-06-04", "2025-06-05")  # Monday … Thursday, open 11:00-17:00
CALENDAR_QUERY = {"future": "true", "from_date": "2025-06-01", "to_date": "2025-06-07", "include_cancelled": "false"}


def active_ids(body: dict) -> set[int]:
    return {item["id"] for items in body["data"].values() for item in items if not item["cancelled"]}


def times_of(body: dict, reservation_id: int) -> list[str]:
    return [item["time_slot"] for items in body["data"].values() for item in items if item["id"] == reservation_id]


async def test_a_cancel_sent_over_the_socket_is_never_missing_from_the_refetch(client, db, clock, dashboard):
    socket = await dashboard()
    stale = []
    for i in range(ITERATIONS):
        wa_id, day = f"9665012{i:05d}", DAYS[i % len(DAYS)]
        reservation_id = await add_reservation(db, wa_id, day, "11:00")
        # The context menu's cancel: the frame is sent, and the calendar refetches at once.
        await socket.send({"type": "cancel_reservation", "data": {"wa_id": wa_id, "date": day, "ar": False}})
        response = await client.get("/reservations", params=CALENDAR_QUERY, headers=REST_HEADERS)
        assert response.status == 200
        if reservation_id in active_ids(await response.json()):
            stale.append(reservation_id)
        await socket.until("cancel_reservation_ack", "cancel_reservation_nack")
    assert stale == []
    assert await db.fetchval("SELECT count(*) FROM reservations WHERE status = 'active'") == 0


async def test_a_move_sent_over_the_socket_is_seen_by_the_refetch(client, db, clock, dashboard):
    socket = await dashboard()
    wa_id, day = "966501300000", "2025-06-02"
    reservation_id = await add_reservation(db, wa_id, day, "11:00")
    stale = []
    for i in range(ITERATIONS):
        target = "13:00" if i % 2 == 0 else "11:00"
        await socket.send({"type": "modify_reservation", "data": {
            "wa_id": wa_id, "date": day, "time_slot": target, "customer_name": "Sara", "type": 0,
            "approximate": False, "reservation_id": reservation_id, "ar": False}})
        response = await client.get("/reservations", params=CALENDAR_QUERY, headers=REST_HEADERS)
        if times_of(await response.json(), reservation_id) != [target]:
            stale.append((i, target))
        ack = await socket.until("modify_reservation_ack", "modify_reservation_nack")
        assert ack["type"] == "modify_reservation_ack", ack
    assert stale == []


async def test_rest_writes_are_seen_by_reads_sent_alongside(db, clock, raw_http):
    """The dashboard's REST fallback (no socket): the cancel is written, then the refetch, at once."""
    target = "/reservations?" + "&".join(f"{key}={value}" for key, value in CALENDAR_QUERY.items())
    stale = []
    for i in range(ITERATIONS):
        wa_id, day = f"9665014{i:05d}", DAYS[i % len(DAYS)]
        reservation_id = await add_reservation(db, wa_id, day, "11:00")
        write, read = await raw_http.open(), await raw_http.open()
        await raw_http.write(write[1], "POST", "/cancel-reservation", {"id": wa_id, "date": day})
        await raw_http.write(read[1], "GET", target)
        status, body = await raw_http.answer(*read)
        assert status == 200
        if reservation_id in active_ids(body):
            stale.append(reservation_id)
        status, result = await raw_http.answer(*write)
        assert status == 200 and result["success"] is True, result
    assert stale == []
