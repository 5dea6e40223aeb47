"""`/conversations/*`: history order, appending, clearing, calendar overlay, and their error branches."""
from __future__ import annotations

from datetime import date, time

WA = "966501234567"


async def add(db, wa_id, role, message, day, clock):
    await db.execute("INSERT INTO customers (wa_id) VALUES ($1) ON CONFLICT DO NOTHING", wa_id)
    await db.execute(
        "INSERT INTO conversation (wa_id, role, message, local_date, local_time) VALUES ($1, $2, $3, $4, $5)",
        wa_id, role, message, day, clock,
    )


async def test_history_orders_and_null_placement(viewer_client, db):
    await add(db, WA, "user", "first", date(2025, 3, 1), time(9))
    await add(db, WA, "assistant", "second", date(2025, 3, 1), time(9, 0, 5))
    await add(db, WA, "user", "third", date(2025, 3, 2), time(8))
    await add(db, WA, "user", "undated", None, None)
    body = await (await viewer_client.get(f"/conversations/{WA}?limit=0")).json()
    assert body["success"] is True
    assert [m["message"] for m in body["data"][WA]] == ["first", "second", "third", "undated"]
    assert body["data"][WA][0] == {"role": "user", "message": "first", "date": "2025-03-01", "time": "09:00:00"}
    assert body["data"][WA][-1] == {"role": "user", "message": "undated", "date": None, "time": None}
    newest = await (await viewer_client.get(f"/conversations/{WA}", params={"limit": "2"})).json()
    # quirk 1 kept: limit>0 answers newest first (NULL dates first, as PostgreSQL sorts them)
    assert [m["message"] for m in newest["data"][WA]] == ["undated", "third"]
    negative = await (await viewer_client.get(f"/conversations/{WA}", params={"limit": "-5"})).json()
    assert len(negative["data"][WA]) == 4
    unknown = await (await viewer_client.get("/conversations/000000000000")).json()
    assert unknown == {"success": True, "data": {}}
    bad = await viewer_client.get(f"/conversations/{WA}", params={"limit": "many"})
    assert bad.status == 422 and "limit" in (await bad.json())["message"]


async def test_history_text_comes_back_exactly_as_stored(viewer_client, db):
    """The history's JSON is assembled by PostgreSQL: quotes, backslashes, control characters, Arabic and emoji
    come back as they were stored, and a key that needs escaping is escaped."""
    tricky = 'قال "مرحبا" \\ back\tslash\nnew line \x01\x1f 😀 </script>'
    await add(db, WA, "user", tricky, date(2025, 3, 1), time(23, 59, 59))
    for limit in ("0", "5"):
        answer = await viewer_client.get(f"/conversations/{WA}", params={"limit": limit})
        assert answer.content_type == "application/json"
        assert (await answer.json())["data"][WA] == [
            {"role": "user", "message": tricky, "date": "2025-03-01", "time": "23:59:59"}]
    # time(0) rounds 23:59:59.6 up to 24:00:00, which PostgreSQL keeps (and Python cannot hold): served as stored
    await db.execute("UPDATE conversation SET local_time = '24:00:00' WHERE wa_id = $1", WA)
    stored = await (await viewer_client.get(f"/conversations/{WA}", params={"limit": "5"})).json()
    assert stored["data"][WA][0]["time"] == "24:00:00"
    odd = 'x"y\\z'
    await add(db, odd, "user", "hi", date(2025, 3, 1), time(9))
    assert (await (await viewer_client.get(f"/conversations/{odd}")).json())["data"] == {
        odd: [{"role": "user", "message": "hi", "date": "2025-03-01", "time": "09:00:00"}]}


async def test_post_appends_announces_and_validates(staff_client, db, events):
    ok = await staff_client.post(f"/conversations/{WA}", json={
        "role": "secretary", "message": "See you tomorrow", "date": "2025-03-01", "time": "12:04",
        "_call_source": "frontend"})
    assert ok.status == 200 and await ok.json() == {"success": True}
    row = await db.fetchrow("SELECT role, message, local_date, local_time FROM conversation WHERE wa_id = $1", WA)
    assert (row["role"], row["local_date"], row["local_time"]) == ("secretary", date(2025, 3, 1), time(12, 4))
    assert await db.fetchval("SELECT customer_name IS NULL FROM customers WHERE wa_id = $1", WA)
    [event] = [e for e in events if e.type == "conversation_new_message"]
    assert event.data == {"wa_id": WA, "role": "secretary", "message": "See you tomorrow", "date": "2025-03-01",
                          "time": "12:04:00", "_source": "frontend"}
    now = await staff_client.post(f"/conversations/{WA}", json={"role": "user", "message": "now"})
    assert now.status == 200
    assert await db.fetchval("SELECT count(*) FROM conversation WHERE wa_id = $1", WA) == 2

    refusals = [
        ({"message": "no role"}, 422), ({"role": "user"}, 422), ({"role": "", "message": "x"}, 422),
        ({"role": "user", "message": "x", "date": "2025-02-30", "time": "10:00"}, 422),
        ({"role": "user", "message": "x", "date": "01/03/2025", "time": "10:00"}, 422),
        ({"role": "user", "message": "x", "date": "2025-03-01", "time": "25:00"}, 422),
        ({"role": "user", "message": "x", "date": "2025-03-01", "time": "10 AM"}, 422),
        ({"role": "user", "message": "x", "date": "2025-03-01"}, 400),
        ({"role": "user", "message": 5}, 422),
    ]
    for payload, status in refusals:
        response = await staff_client.post(f"/conversations/{WA}", json=payload)
        assert response.status == status, payload
        assert (await response.json())["message"]
    for raw in (b"", b"[1]", b"not json"):
        response = await staff_client.post(f"/conversations/{WA}", data=raw,
                                           headers={"Content-Type": "application/json"})
        assert response.status == 422
    assert await db.fetchval("SELECT count(*) FROM conversation WHERE wa_id = $1", WA) == 2


async def test_delete_clears_messages_only(staff_client, db, events):
    await add(db, WA, "user", "a", date(2025, 3, 1), time(9))
    await add(db, WA, "assistant", "b", date(2025, 3, 1), time(9, 1))
    await add(db, "966500000002", "user", "other", date(2025, 3, 1), time(9))
    body = await (await staff_client.delete(f"/conversations/{WA}")).json()
    assert body == {"success": True, "data": {"deleted": 2}}
    assert await db.fetchval("SELECT count(*) FROM customers WHERE wa_id = $1", WA) == 1
    assert await db.fetchval("SELECT count(*) FROM conversation") == 1
    again = await (await staff_client.delete(f"/conversations/{WA}")).json()
    assert again == {"success": True, "data": {"deleted": 0}}
    assert [e.data["deleted"] for e in events if e.type == "conversation_cleared"] == [2, 0]


async def test_calendar_events_last_message_per_customer(viewer_client, db):
    await add(db, "966500000001", "user", "old", date(2025, 3, 1), time(9))
    await add(db, "966500000001", "tool", "<details>x</details>", date(2025, 3, 3), time(9))
    await add(db, "966500000002", "user", "mid", date(2025, 3, 2), time(23))
    await add(db, "966500000003", "user", "later", date(2025, 3, 9), time(8))
    await add(db, "966500000003", "user", "undated", None, None)
    body = await (await viewer_client.get(
        "/conversations/calendar/events", params={"from_date": "2025-03-01", "to_date": "2025-03-05"})).json()
    assert list(body["data"]) == ["966500000001", "966500000002"]
    assert body["data"]["966500000001"] == [
        {"role": "tool", "message": "<details>x</details>", "date": "2025-03-03", "time": "09:00:00"}]
    everything = await (await viewer_client.get("/conversations/calendar/events")).json()
    # without bounds a NULL-dated row is that customer's "last" message and sorts first (reference behaviour)
    assert list(everything["data"]) == ["966500000003", "966500000001", "966500000002"]
    assert everything["data"]["966500000003"][0]["date"] is None
    reversed_range = await (await viewer_client.get(
        "/conversations/calendar/events", params={"from_date": "2025-03-05", "to_date": "2025-03-01"})).json()
    assert reversed_range == {"success": True, "data": {}}
    for bad in ({"from_date": "March"}, {"to_date": "2025-02-30"}):
        response = await viewer_client.get("/conversations/calendar/events", params=bad)
        assert response.status == 422


async def test_roles(viewer_client, client):
    assert (await viewer_client.post(f"/conversations/{WA}", json={"role": "user", "message": "x"})).status == 403
    assert (await viewer_client.delete(f"/conversations/{WA}")).status == 403
    assert (await client.get(f"/conversations/{WA}")).status == 401


async def test_calendar_events_assembled_by_postgresql_equal_the_rows_encoded_in_python(viewer_client, db):
    """The route's JSON is built by the statement; the oracle is the plain statement's rows as Python encodes them."""
    import json
    import random

    from actors.customers.wire import wire_date, wire_time
    from runtime.db import QUERIES

    rng = random.Random(5)
    texts = ["plain", "سلام 👋", 'quote " and \\ backslash', "line\nbreak\ttab", "\x01\x1f control", "", "</script>"]
    for n in range(150):
        day = None if n % 17 == 0 else date(2025, 3, 1 + rng.randrange(20))
        clock = None if day is None else time(rng.randrange(24), rng.randrange(60), rng.randrange(60),
                                              rng.choice((0, 999_999)))  # dated and timed together (a constraint)
        await add(db, f"96650000{rng.randrange(40):04d}", rng.choice(("user", "assistant", "tool")), rng.choice(texts),
                  day, clock)
    for params, low, high in (({}, None, None), ({"from_date": "2025-03-05"}, date(2025, 3, 5), None),
                              ({"to_date": "2025-03-10"}, None, date(2025, 3, 10)),
                              ({"from_date": "2025-03-07", "to_date": "2025-03-07"}, date(2025, 3, 7),
                               date(2025, 3, 7)),
                              ({"from_date": "2026-01-01"}, date(2026, 1, 1), None)):
        rows = await db.fetch(QUERIES.conversation_calendar_events, low, high)
        want = [(r["wa_id"], [[("role", r["role"]), ("message", r["message"]), ("date", wire_date(r["local_date"])),
                              ("time", wire_time(r["local_time"]))]]) for r in rows]
        response = await viewer_client.get("/conversations/calendar/events", params=params)
        body = json.loads(await response.text(), object_pairs_hook=list)  # every key, in its order
        assert body == [("success", True), ("data", want)], params
        assert params.get("from_date") == "2026-01-01" or want  # the comparison saw events
