"""`/phone/all`, `/phone/recent`, `/phone/stats`: filters, order, pagination, countries."""
from __future__ import annotations

from datetime import date, datetime, time, timezone

import pytest

PEOPLE = [
    # wa_id, name, blocked, last user message (local), reservation (date, time, status)
    ("966500000001", "zaid", False, (date(2025, 3, 10), time(0, 30)), (date(2025, 3, 10), time(11), "cancelled")),
    ("966500000002", "Adam", True, (date(2025, 3, 9), time(23, 59)), None),
    ("966500000003", "", False, None, None),
    ("966500000004", None, False, (date(2025, 3, 11), time(9)), (date(2025, 4, 1), time(13), "active")),
    ("966500000005", "966500000005", False, None, None),
    ("966500000006", "+966500000006", True, None, None),
    ("201012345678", "أحمد", False, (date(2025, 3, 8), time(9)), None),
    ("971501234567", "Bob", False, None, None),
    ("13105550178", "Daniel", False, None, None),
    ("16135550123", "Celine", False, None, None),  # +1 Canada: a shared calling code
    ("12125550123", "Calendar AI Assistant", False, None, None),
]


@pytest.fixture
async def directory(db):
    for wa_id, name, blocked, last, booking in PEOPLE:
        await db.execute("INSERT INTO customers (wa_id, customer_name, is_blocked) VALUES ($1, $2, $3)",
                         wa_id, name, blocked)
        if last:
            await db.execute("INSERT INTO conversation (wa_id, role, message, local_date, local_time)"
                             " VALUES ($1, 'user', 'hi', $2, $3), ($1, 'assistant', 'hello', $2, $3)", wa_id, *last)
        if booking:
            day, slot, status = booking
            cancelled = datetime(2025, 3, 1, tzinfo=timezone.utc) if status == "cancelled" else None
            await db.execute("INSERT INTO reservations (wa_id, slot_date, slot_time, type, status, cancelled_at,"
                             " updated_at) VALUES ($1, $2, $3, 0, $4, $5, '2025-03-06 14:02:11.532811+00')",
                             wa_id, day, slot, status, cancelled)
    return PEOPLE


async def page(client, **params):
    response = await client.get("/phone/all", params=params)
    assert response.status == 200, await response.text()
    body = await response.json()
    assert body["success"] is True
    return [item["wa_id"] for item in body["data"]], body["pagination"], body["data"]


async def test_order_and_item_shape(viewer_client, directory):
    ids, pagination, items = await page(viewer_client)
    # real names first by lower(name), then the rest by wa_id (quirk 17: '+966…6' is not a real name)
    assert ids == ["966500000002", "971501234567", "12125550123", "16135550123", "13105550178", "966500000001",
                   "201012345678", "966500000003", "966500000004", "966500000005", "966500000006"]
    assert pagination == {"page": 1, "page_size": 100, "total": 11, "total_pages": 1}
    zaid = next(i for i in items if i["wa_id"] == "966500000001")
    assert zaid == {"wa_id": "966500000001", "customer_name": "zaid", "last_message_at": "2025-03-10T00:30:00",
                    "last_reservation_at": "2025-03-06T14:02:11.532811", "similarity": 1.0,
                    "is_favorite": False, "is_blocked": False}


async def test_pages_filters_and_exclusions(viewer_client, directory):
    first, p1, _ = await page(viewer_client, page=1, page_size=4)
    second, p2, _ = await page(viewer_client, page=2, page_size=4)
    third, _, _ = await page(viewer_client, page=3, page_size=4)
    beyond, _, _ = await page(viewer_client, page=9, page_size=4)
    assert p1["total_pages"] == 3 and len(first + second + third) == 11 and not set(first) & set(second)
    assert beyond == []
    registered, pr, _ = await page(viewer_client, status="registered")
    assert pr["total"] == 7 and "966500000006" not in registered
    unknown, _, _ = await page(viewer_client, registration="unknown")
    assert unknown == ["966500000003", "966500000004", "966500000005", "966500000006"]
    assert (await page(viewer_client, status="blocked"))[0] == ["966500000002", "966500000006"]
    assert len((await page(viewer_client, status="whatever"))[0]) == 11
    excluded, pe, _ = await page(viewer_client, exclude=" 966500000002, ,966500000003 ")
    assert pe["total"] == 9 and "966500000002" not in excluded


async def test_date_windows_use_business_zone_days(viewer_client, directory):
    # the dashboard's "2025-03-10 in Riyadh" arrives as UTC instants (quirk 15)
    ids, _, _ = await page(viewer_client, date_range_type="messages",
                           date_from="2025-03-09T21:00:00.000Z", date_to="2025-03-10T20:59:59.999Z")
    assert ids == ["966500000001"]
    one_day, _, _ = await page(viewer_client, date_range_type="messages", date_from="2025-03-09")
    assert one_day == ["966500000002"]
    span, _, _ = await page(viewer_client, date_range_type="messages", date_from="2025-03-08", date_to="2025-03-11")
    assert set(span) == {"966500000001", "966500000002", "966500000004", "201012345678"}
    booked, _, _ = await page(viewer_client, date_range_type="reservations", date_from="2025-03-10")
    assert booked == ["966500000001"]  # cancelled bookings count
    ignored, _, _ = await page(viewer_client, date_range_type="other", date_from="2025-03-10")
    assert len(ignored) == 11
    for bad in ("yesterday", "2025-02-30", "10/03/2025"):
        response = await viewer_client.get("/phone/all", params={"date_range_type": "messages", "date_from": bad})
        assert response.status == 422 and "date_from" in (await response.json())["message"]


async def test_country_filter(viewer_client, directory):
    assert (await page(viewer_client, country="EG"))[0] == ["201012345678"]
    assert (await page(viewer_client, country="ae"))[0] == ["971501234567"]  # quirk 16: case-insensitive
    us, pus, _ = await page(viewer_client, country="US")
    assert set(us) == {"12125550123", "13105550178"} and pus["total"] == 2
    assert (await page(viewer_client, country="CA"))[0] == ["16135550123"]
    sa, psa, _ = await page(viewer_client, country="SA", status="registered", page_size=1, page=2)
    assert psa["total"] == 2 and sa == ["966500000001"]
    assert (await page(viewer_client, country="XX"))[1]["total"] == 0


async def test_bad_directory_parameters(viewer_client):
    for params in ({"page": "0"}, {"page_size": "0"}, {"page_size": "501"}, {"page": "x"}, {"country": "SAUDI"}):
        response = await viewer_client.get("/phone/all", params=params)
        assert response.status == 422, params


async def test_recent(viewer_client, directory, db):
    body = await (await viewer_client.get("/phone/recent")).json()
    assert [i["wa_id"] for i in body["data"]] == ["966500000004", "966500000001", "966500000002", "201012345678"]
    limited = await (await viewer_client.get("/phone/recent", params={"limit": "2"})).json()
    assert len(limited["data"]) == 2
    for bad in ("0", "101", "x"):
        assert (await viewer_client.get("/phone/recent", params={"limit": bad})).status == 422
    # the latest time follows deletes too (kept by triggers on conversation)
    await db.execute("DELETE FROM conversation WHERE wa_id = '966500000004'")
    after = await (await viewer_client.get("/phone/recent")).json()
    assert after["data"][0]["wa_id"] == "966500000001"


async def test_phone_stats(viewer_client, directory):
    body = await (await viewer_client.get("/phone/stats")).json()
    assert body["data"]["countries"] == {"SA": 6, "US": 2, "EG": 1, "AE": 1, "CA": 1}
    assert body["data"]["status"] == {"registered": 7, "unknown": 4, "blocked": 2}
    assert body["data"]["registration"] == body["data"]["status"]


async def test_items_built_by_postgresql_equal_contact_item(viewer_client, db):
    """/phone/recent and /phone/all send items PostgreSQL assembled (0830 contact_item_json): each must equal what
    actors/customers/wire.contact_item makes of the same row, value and type, across the formats that differ."""
    from actors.customers.wire import contact_item

    odd_name = 'a "quoted" \\ name\twith\ncontrols \x01, عربي and 🙂'
    rows = [  # wa_id, name, favourite, last message (naive), reservation updated_at (aware)
        ("966500000101", odd_name, True, datetime(2025, 3, 10, 0, 30), datetime(2025, 3, 6, 14, 2, 11, 532811,
                                                                                tzinfo=timezone.utc)),
        ("966500000102", None, False, datetime(2025, 3, 10, 0, 30, 0, 500), datetime(2025, 3, 6, 23, 0,
                                                                                     tzinfo=timezone.utc)),
        ("966500000103", "", False, datetime(2025, 3, 9, 23, 59, 59, 999999), None),
        ("966500000104", "Ann", False, None, None),
    ]
    for wa_id, name, favourite, last, updated in rows:
        await db.execute("INSERT INTO customers (wa_id, customer_name, is_favorite, last_user_message_at)"
                         " VALUES ($1, $2, $3, $4)", wa_id, name, favourite, last)
        if updated:
            await db.execute("INSERT INTO reservations (wa_id, slot_date, slot_time, type, status, updated_at)"
                             " VALUES ($1, '2025-04-01', '11:00', 0, 'active', $2)", wa_id, updated)
    expected = {}
    for row in await db.fetch(
            "SELECT c.wa_id, c.customer_name, c.last_user_message_at, c.is_favorite, c.is_blocked,"
            " 1.0::real AS similarity, (SELECT max(r.updated_at) FROM reservations AS r WHERE r.wa_id = c.wa_id)"
            " AS last_reservation_at FROM customers AS c"):
        expected[row["wa_id"]] = contact_item(row)
    assert expected["966500000102"]["last_message_at"] == "2025-03-10T00:30:00.000500"

    recent = await viewer_client.get("/phone/recent")
    directory = await viewer_client.get("/phone/all")
    for response, listed in ((recent, 3), (directory, 4)):
        assert response.status == 200
        items = (await response.json())["data"]
        assert len(items) == listed
        for item in items:
            assert item == expected[item["wa_id"]]
            assert list(item) == list(expected[item["wa_id"]])  # key order
            assert type(item["similarity"]) is float and type(item["is_favorite"]) is bool

    # /phone/search: a small directory's first search reads rows (it counts the directory first) and builds the
    # items here; every later one has PostgreSQL build them: both answers must be the same, value and type
    for query in ("9665000001", "Ann", "name"):
        answers = []
        for _ in range(2):
            response = await viewer_client.get("/phone/search", params={"q": query})
            assert response.status == 200
            answers.append((await response.json())["data"])
        assert answers[0] and answers[0] == answers[1], query
        assert [list(i) for i in answers[0]] == [list(i) for i in answers[1]]
        assert [type(i["similarity"]) for i in answers[1]] == [float] * len(answers[1])
        assert all(i == {**expected[i["wa_id"]], "similarity": i["similarity"]} for i in answers[1])
