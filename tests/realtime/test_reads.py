"""Read commands and the history route: snapshot, notifications, customer documents, metrics push."""
from __future__ import annotations

import datetime as dt

import handlers.ws as ws_module
from runtime.events import publish
from runtime.routes import Role


async def test_snapshot_has_vacations_in_business_time_and_a_flat_metrics_map(connect, db):
    await db.execute("INSERT INTO vacation_periods (start_date, end_date, title) VALUES ($1, $2, $3), ($4, $5, NULL)",
                     dt.date(2025, 3, 20), dt.date(2025, 3, 25), "Eid holiday",
                     dt.date(2025, 4, 1), dt.date(2025, 4, 1))
    c = await connect(Role.VIEWER)
    snap = await c.ask({"type": "get_snapshot"}, "snapshot")
    assert snap["data"]["vacations"] == [
        {"start": "2025-03-20T00:00:00+03:00", "end": "2025-03-25T23:59:59.999999+03:00", "title": "Eid holiday"},
        {"start": "2025-04-01T00:00:00+03:00", "end": "2025-04-01T23:59:59.999999+03:00",
         "title": "The business is closed during this period."},
    ]
    metrics = snap["data"]["metrics"]
    assert isinstance(metrics, dict)
    assert all(isinstance(v, (int, float)) for v in metrics.values())
    assert isinstance(snap["seq"], int)


async def test_notification_history_over_ws_and_http_matches_live_timestamps(connect, services, viewer_client):
    c = await connect(Role.VIEWER)
    await publish(services, "reservation_created", {"id": 1, "wa_id": "966500000001", "date": "2025-03-04",
                                                    "time_slot": "11:00", "type": 0, "customer_name": "سارة",
                                                    "_source": "assistant"}, ["966500000001"])
    await publish(services, "conversation_typing", {"wa_id": "966500000001", "state": "start"}, ["966500000001"])
    await publish(services, "vacation_period_updated", {"periods": [], "_source": "frontend"})
    live = {m["type"]: m for m in [await c.until("reservation_created"), await c.until("vacation_period_updated")]}

    history = await c.ask({"type": "get_notifications", "data": {"limit": 100}}, "notifications_history")
    items = history["data"]["items"]
    assert [i["type"] for i in items] == ["vacation_period_updated", "reservation_created"]  # typing not persisted
    for item in items:
        assert item["timestamp"] == live[item["type"]]["timestamp"]
        assert item["data"] == live[item["type"]]["data"]
    assert items[1]["data"]["customer_name"] == "سارة"

    one = await c.ask({"type": "get_notifications", "data": {"limit": 0}, "limit": 1}, "notifications_history")
    assert len(one["data"]["items"]) == 1  # data.limit falsy -> top-level limit
    default = await c.ask({"type": "get_notifications", "limit": "x"}, "notifications_history")
    assert len(default["data"]["items"]) == 2

    resp = await viewer_client.get("/notifications", params={"limit": "1"})
    assert resp.status == 200
    body = await resp.json()
    assert body["success"] is True and body["data"] == items[:1]
    every = await viewer_client.get("/notifications")  # assembled by PostgreSQL: the same items, Arabic literal
    assert (await every.json())["data"] == items and "سارة".encode() in await every.read()
    # The reference clamped any limit to 1..100; Mawid: 0 is none, a negative count is refused.
    assert (await (await viewer_client.get("/notifications", params={"limit": "0"})).json())["data"] == []
    assert (await viewer_client.get("/notifications", params={"limit": "-5"})).status == 422
    bad = await viewer_client.get("/notifications", params={"limit": "many"})
    assert bad.status == 422 and "limit" in (await bad.json())["message"]


async def test_history_keeps_the_newest_hundred(services, viewer_client):
    for i in range(105):
        await publish(services, "conversation_new_message", {"wa_id": "1", "role": "secretary", "message": str(i),
                                                             "date": "2025-01-01", "time": "10:00:00"}, ["1"])
    body = await (await viewer_client.get("/notifications", params={"limit": "500"})).json()
    assert [item["data"]["message"] for item in body["data"]] == [str(i) for i in range(104, 4, -1)]


async def test_notifications_route_needs_a_user(client):
    assert (await client.get("/notifications")).status == 401


async def test_customer_document_and_aliases(connect, db):
    await db.execute("INSERT INTO customers (wa_id, document) VALUES ('966500000002', $1::jsonb)",
                     '{"notes": "حساسية"}')
    c = await connect(Role.VIEWER)
    reply = await c.ask({"type": "get_customer_document", "data": {"wa_id": "966500000002"}},
                        "customer_document_updated")
    assert reply["data"] == {"wa_id": "966500000002", "document": {"notes": "حساسية"}}
    alias = await c.ask({"type": "get_document", "waId": 966500000002}, "customer_document_updated")
    assert alias["data"]["document"] == {"notes": "حساسية"}
    unknown = await c.ask({"type": "get_customer_doc", "wa_id": "404"}, "customer_document_updated")
    assert unknown["data"] == {"wa_id": "404", "document": None}
    assert (await c.ask({"type": "get_customer_document", "data": {}}, "ignored"))["type"] == "ignored"


async def test_metrics_are_pushed_periodically(monkeypatch, aiohttp_client, app, token_for):
    monkeypatch.setattr(ws_module, "METRICS_PERIOD", 0.05)
    monkeypatch.setattr(ws_module, "SWEEP_PERIOD", 0.05)
    server = await aiohttp_client(app)
    _, token = await token_for(Role.VIEWER)
    ws = await server.session.ws_connect(server.make_url("/ws"), params={"token": token})
    await ws.send_json({"type": "subscribe", "data": {"types": ["metrics_updated", "no_such_type"]}})
    while True:
        body = await ws.receive_json(timeout=10)
        if body["type"] == "metrics_updated":
            break
    assert set(body) == {"type", "timestamp", "data"}  # not sequenced, no affected entities
    assert isinstance(body["data"]["metrics"], dict)
    await ws.close()
