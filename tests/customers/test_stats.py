"""`GET /stats`: the spec's worked example (30 §5.8), windows, locales and bad input."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

EXAMPLE_TODAY = date(2025, 3, 20)


def shift_for(today: date) -> timedelta:
    """Move the example near the real today by whole weeks: its window stays in the past (≤ today) while
    C's upcoming 03-22 booking stays in the future, and every weekday is kept."""
    weeks = (today - date(2025, 3, 10)).days // 7
    return timedelta(weeks=weeks)


@pytest.fixture
async def example(db):
    today = datetime.now(ZoneInfo("Asia/Riyadh")).date()
    shift = shift_for(today)
    assert date(2025, 3, 10) + shift <= today < date(2025, 3, 22) + shift

    def d(month: int, day: int) -> date:
        return date(2025, month, day) + shift

    def utc_noon(month: int, day: int) -> datetime:
        return datetime.combine(d(month, day), time(12), tzinfo=timezone.utc)

    for wa_id in "ABCDE":
        await db.execute("INSERT INTO customers (wa_id) VALUES ($1)", wa_id)
    created = utc_noon(1, 1)
    reservations = [
        ("A", d(3, 2), time(10), 0, None), ("A", d(3, 5), time(10), 1, None), ("A", d(3, 9), time(11), 1, (3, 6)),
        ("B", d(3, 3), time(9), 0, (2, 27)), ("C", d(1, 15), time(10), 0, None), ("C", d(3, 4), time(12), 0, None),
        ("C", d(3, 22), time(10), 0, None), ("D", d(2, 20), time(10), 0, None), ("D", d(2, 25), time(10), 1, None),
    ]
    for wa_id, day, slot, kind, cancelled_on in reservations:
        cancelled_at = utc_noon(*cancelled_on) if cancelled_on else None
        await db.execute(
            "INSERT INTO reservations (wa_id, slot_date, slot_time, type, status, cancelled_at, created_at, updated_at)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            wa_id, day, slot, kind, "cancelled" if cancelled_on else "active", cancelled_at, created,
            cancelled_at or created,
        )
    messages = [
        ("A", "user", (3, 2), "10:00:00"), ("A", "assistant", (3, 2), "10:02:00"), ("A", "user", (3, 2), "10:10:00"),
        ("A", "user", (3, 2), "10:11:00"), ("A", "assistant", (3, 2), "10:16:00"),
        ("E", "user", (3, 5), "23:00:00"), ("E", "assistant", (3, 6), "03:00:00"),
        ("B", "secretary", (3, 2), "09:00:00"),
        ("D", "user", (2, 20), "09:00:00"), ("D", "assistant", (2, 20), "09:04:00"),
    ]
    for wa_id, role, (month, day), clock in messages:
        await db.execute(
            "INSERT INTO conversation (wa_id, role, message, local_date, local_time) VALUES ($1, $2, $3, $4, $5)",
            wa_id, role, f"hello from {role} about booking", d(month, day), time.fromisoformat(clock),
        )
    return d


async def get_stats(client, d, **extra):
    params = {"from_date": d(3, 1).isoformat(), "to_date": d(3, 10).isoformat(), "locale": "en", **extra}
    response = await client.get("/stats", params=params)
    assert response.status == 200, await response.text()
    body = await response.json()
    assert body["success"] is True
    return body["data"]


async def test_worked_example(viewer_client, example):
    data = await get_stats(viewer_client, example)
    assert list(data) == [
        "_isMockData", "stats", "prometheusMetrics", "dailyTrends", "typeDistribution", "timeSlots",
        "messageHeatmap", "topCustomers", "conversationAnalysis", "wordFrequency", "wordFrequencyByRole",
        "dayOfWeekData", "monthlyTrends", "funnelData", "customerSegments",
    ]
    stats = data["stats"]
    assert stats["totalReservations"] == 5 and stats["totalCancellations"] == 2
    assert stats["uniqueCustomers"] == 2 and stats["returningCustomers"] == 1
    assert stats["returningRate"] == 50.0 and stats["avgFollowups"] == 2.0
    assert stats["conversionRate"] == pytest.approx(66.66666666666667)
    assert stats["avgResponseTime"] == 60.0 and stats["activeCustomers"] == 1
    trends = {k: (round(v["percentChange"], 6), v["isPositive"]) for k, v in stats["trends"].items()}
    assert trends == {
        "totalReservations": (150.0, True), "cancellations": (100.0, False), "avgFollowups": (100.0, True),
        "uniqueCustomers": (100.0, True), "conversionRate": (round(-100 / 3, 6), False),
        "avgResponseTime": (1400.0, False),
    }
    analysis = data["conversationAnalysis"]
    assert analysis["responseTimeStats"] == {"avg": 60.0, "median": 5.0, "max": 240.0}
    assert analysis["totalMessages"] == 8 and analysis["avgMessagesPerCustomer"] == 4.0
    assert analysis["messageCountDistribution"] == {"avg": 4.0, "median": 2, "max": 5}
    assert [f["count"] for f in data["funnelData"]] == [3, 3, 1, 2]
    assert [(s["segment"], s["count"], s["percentage"], s["avgReservations"]) for s in data["customerSegments"]] == [
        ("New (1 visit)", 2, 100.0, 1), ("Returning (2-5 visits)", 1, 50.0, 3), ("Loyal (6+ visits)", 0, 0.0, 0)]
    d = example
    assert data["dailyTrends"] == [
        {"date": d(3, 2).isoformat(), "reservations": 1, "cancellations": 0, "modifications": 0},
        {"date": d(3, 3).isoformat(), "reservations": 1, "cancellations": 1, "modifications": 0},
        {"date": d(3, 4).isoformat(), "reservations": 1, "cancellations": 0, "modifications": 0},
        {"date": d(3, 5).isoformat(), "reservations": 1, "cancellations": 0, "modifications": 0},
        {"date": d(3, 6).isoformat(), "reservations": 0, "cancellations": 0, "modifications": 1},
        {"date": d(3, 9).isoformat(), "reservations": 1, "cancellations": 1, "modifications": 0},
    ]
    assert data["typeDistribution"] == [
        {"type": 0, "label": "Checkup", "count": 3}, {"type": 1, "label": "Followup", "count": 2}]
    assert [(s["slot"], s["count"]) for s in data["timeSlots"]] == [
        ("09:00", 1), ("10:00", 2), ("11:00", 1), ("12:00", 1)]
    assert data["timeSlots"][0] == {
        "slot": "09:00", "time": "09:00", "count": 1, "normalized": 1, "type": "regular", "availDays": 0}
    top = {t["wa_id"]: (t["messageCount"], t["reservationCount"], t["lastActivity"]) for t in data["topCustomers"]}
    assert top == {
        "A": (5, 3, d(3, 9).isoformat()), "E": (2, 0, d(3, 6).isoformat()), "B": (1, 1, d(3, 3).isoformat()),
        "C": (0, 1, d(3, 4).isoformat()),
    }
    assert [t["wa_id"] for t in data["topCustomers"]] == ["A", "E", "B", "C"]
    assert data["dayOfWeekData"][0]["day"] == d(3, 2).strftime("%A")
    assert sum(h["count"] for h in data["messageHeatmap"]) == 8
    assert {"weekday": d(3, 2).strftime("%A"), "hour": 10, "count": 5} in data["messageHeatmap"]
    words = {w["word"]: w["count"] for w in data["wordFrequency"]}
    assert words == {"hello": 8, "from": 8, "user": 4, "assistant": 3, "secretary": 1, "about": 8, "booking": 8}
    assert {w["word"] for w in data["wordFrequencyByRole"]["user"]} == {"hello", "from", "user", "about", "booking"}
    assert analysis["avgWordsPerMessage"] == 5.0
    months = data["monthlyTrends"]
    assert sum(m["reservations"] for m in months) == 5 and sum(m["conversations"] for m in months) == 8
    assert isinstance(data["prometheusMetrics"], dict)


async def test_arabic_month_labels(viewer_client, example):
    data = await get_stats(viewer_client, example, locale="ar")
    labels = {m["month"] for m in data["monthlyTrends"]}
    assert labels <= {"يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر",
                      "نوفمبر", "ديسمبر"}


async def test_empty_database_gives_zeros(viewer_client):
    response = await viewer_client.get("/stats")
    body = await response.json()
    assert response.status == 200 and body["success"] is True
    stats = body["data"]["stats"]
    assert stats["totalReservations"] == 0 and stats["conversionRate"] == 0.0 and stats["avgResponseTime"] == 0.0
    assert body["data"]["conversationAnalysis"]["messageCountDistribution"] == {"avg": 0, "median": 0.0, "max": 0}
    assert [s["percentage"] for s in body["data"]["customerSegments"]] == [0.0, 0.0, 0.0]


@pytest.mark.parametrize("params", [
    {"from_date": "yesterday"}, {"to_date": "2025-13-01"}, {"from_date": "2025-03-01T00:00:00Z"},
])
async def test_bad_dates_are_422(viewer_client, params):
    response = await viewer_client.get("/stats", params=params)
    assert response.status == 422
    assert "date" in (await response.json())["message"]


async def test_needs_a_user(client):
    assert (await client.get("/stats")).status == 401
