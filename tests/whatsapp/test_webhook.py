"""The webhook end to end: signature, durable queue, duplicates, batches, statuses, media, blocked senders."""
from __future__ import annotations

import asyncio
import json

import httpx

from tests.whatsapp.conftest import APP_SECRET, eventually
from tests.whatsapp.fakes import fixture, post_delivery, sign, status_delivery, text_delivery

SARA, OMAR = "966501234567", "201001234567"


async def queue_rows(db):
    return await db.fetch("SELECT message_id, wa_id, status, attempts FROM inbound_message_queue ORDER BY id")


async def test_handshake_echoes_the_challenge(client):
    ok = await client.get("/webhook", params={"hub.mode": "subscribe", "hub.verify_token": "test-verify-token",
                                              "hub.challenge": "1158201444"})
    assert ok.status == 200 and await ok.text() == "1158201444"
    wrong = await client.get("/webhook", params={"hub.mode": "subscribe", "hub.verify_token": "nope",
                                                 "hub.challenge": "1"})
    assert wrong.status == 403 and await wrong.json() == {"detail": "Verification failed"}
    missing = await client.get("/webhook", params={"hub.mode": "subscribe"})
    assert missing.status == 400 and await missing.json() == {"detail": "Missing parameters"}


async def test_bad_signature_is_refused_and_nothing_is_stored(client, db):
    body = json.dumps(fixture("text.json")).encode()
    for header in ("sha256=" + "0" * 64, "", sign("another-secret", body), sign("test-app-secret", body)[:-1]):
        response = await client.post("/webhook", data=body, headers={"X-Hub-Signature-256": header,
                                                                    "Content-Type": "application/json"})
        assert response.status == 403
        assert await response.json() == {"detail": "Invalid signature"}
    assert await queue_rows(db) == []
    assert await db.fetchval("SELECT count(*) FROM conversation") == 0


async def test_invalid_json_and_unknown_payloads(client, db):
    bad = b"{not json"
    response = await client.post("/webhook", data=bad, headers={"X-Hub-Signature-256": sign("test-app-secret", bad)})
    assert response.status == 400 and await response.json() == {"detail": "Invalid JSON provided"}
    for payload in ({"object": "whatsapp_business_account", "entry": []}, [1, 2], {"hello": "world"}):
        body = json.dumps(payload).encode()
        response = await client.post("/webhook", data=body,
                                     headers={"X-Hub-Signature-256": sign("test-app-secret", body)})
        assert response.status == 200 and await response.json() == {"status": "unknown"}
    assert await queue_rows(db) == []


async def test_a_text_gets_one_reply_from_the_offline_assistant(wa_env, servers, graph, db):
    server = servers(wa_env)
    response = await post_delivery(server.url, APP_SECRET, fixture("text.json"))
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    replies = await eventually(lambda: _texts(graph, SARA), what="a reply")
    assert len(replies) == 1 and "اختر الموعد" in replies[0]  # Arabic slot choice: they asked to book
    rows = await eventually(lambda: _done(db), what="the queue row done")
    assert [(r["status"], r["attempts"]) for r in rows] == [("done", 1)]
    roles = [r["role"] for r in await db.fetch("SELECT role FROM conversation WHERE wa_id = $1 ORDER BY id", SARA)]
    assert roles == ["user", "assistant"]


async def test_the_same_message_delivered_five_times_gives_one_reply(wa_env, servers, graph, db):
    server = servers(wa_env)
    payload = fixture("text.json")
    async with httpx.AsyncClient(timeout=10) as http:
        responses = await asyncio.gather(*(post_delivery(server.url, APP_SECRET, payload, client=http)
                                           for _ in range(5)))
    assert [r.status_code for r in responses] == [200] * 5
    await eventually(lambda: _done(db), what="the queue row done")
    again = await post_delivery(server.url, APP_SECRET, payload)  # a late redelivery after processing
    assert again.status_code == 200
    await asyncio.sleep(0.5)
    assert len(graph.texts_to(SARA)) == 1
    assert len(await queue_rows(db)) == 1
    assert await db.fetchval("SELECT count(*) FROM conversation WHERE wa_id = $1 AND role = 'user'", SARA) == 1


async def test_a_delivery_with_several_messages_processes_all_in_order(wa_env, servers, graph, db):
    server = servers(wa_env)
    response = await post_delivery(server.url, APP_SECRET, fixture("batch_two_customers.json"))
    assert response.status_code == 200
    rows = await eventually(lambda: _done(db, 3), what="three rows done")
    assert [r["message_id"] for r in rows] == ["wamid.batch0001", "wamid.batch0002", "wamid.batch0003"]
    sara = [r["message"] for r in await db.fetch(
        "SELECT message FROM conversation WHERE wa_id = $1 AND role = 'user' ORDER BY id", SARA)]
    assert sara == ["Hello", "tomorrow at 1 pm please"]
    assert await db.fetchval("SELECT count(*) FROM conversation WHERE wa_id = $1 AND role = 'user'", OMAR) == 1
    assert len(graph.texts_to(SARA)) == 2 and len(graph.texts_to(OMAR)) == 1


async def test_statuses_are_recorded_without_downgrade(wa_env, servers, graph, db):
    server = servers(wa_env)
    for name in ("status_read_before_delivered.json", "status_sent_delivered_read.json", "status_failed.json"):
        response = await post_delivery(server.url, APP_SECRET, fixture(name))
        assert response.status_code == 200 and response.json() == {"status": "ok"}
    status_of = "SELECT status FROM whatsapp_message_status WHERE wamid = $1"
    assert await db.fetchval(status_of, "wamid.outbound0002") == "read"
    assert await db.fetchval(status_of, "wamid.outbound0003") == "failed"
    async with httpx.AsyncClient() as http:
        metrics = (await http.get(server.url + "/metrics")).text
    assert 'whatsapp_message_failures_by_reason_total{message_type="delivery_status",reason="Re-engagement message"}' \
        in metrics
    assert await queue_rows(db) == []


async def test_status_callbacks_keep_the_echoed_callback_data(client, db):
    deliveries = [status_delivery("wamid.cb1", "sent", SARA, "reply:7:000"),
                  status_delivery("wamid.cb1", "delivered", SARA, "reply:7:000"),  # repeated by every status
                  status_delivery("wamid.cb2", "sent", OMAR)]  # a message sent without callback data
    for payload in deliveries:
        body = json.dumps(payload).encode()
        response = await client.post("/webhook", data=body, headers={
            "X-Hub-Signature-256": sign(APP_SECRET, body), "Content-Type": "application/json"})
        assert response.status == 200 and await response.json() == {"status": "ok"}
    rows = await db.fetch("SELECT callback_data, wamid, status, recipient_id FROM whatsapp_status_callback_data")
    assert [tuple(r) for r in rows] == [("reply:7:000", "wamid.cb1", "sent", SARA)]
    statuses = await db.fetch("SELECT wamid, status FROM whatsapp_message_status ORDER BY wamid")
    assert [tuple(r) for r in statuses] == [("wamid.cb1", "delivered"), ("wamid.cb2", "sent")]


async def test_media_gets_the_unsupported_media_reply(wa_env, servers, graph, db):
    server = servers({**wa_env, "UNSUPPORTED_MEDIA_MESSAGE": "Please send text."})
    await post_delivery(server.url, APP_SECRET, fixture("image.json"))
    await post_delivery(server.url, APP_SECRET, fixture("reaction.json"))
    await eventually(lambda: _done(db, 2), what="two rows done")
    assert graph.texts_to(SARA) == ["Please send text."]
    assert await db.fetchval("SELECT count(*) FROM conversation") == 0


async def test_blocked_customers_are_ignored(wa_env, servers, graph, db):
    await db.execute("INSERT INTO customers (wa_id, is_blocked) VALUES ($1, true)", SARA)
    server = servers(wa_env)
    response = await post_delivery(server.url, APP_SECRET, fixture("text.json"))
    assert response.json() == {"status": "ok", "ignored": True}
    other = await post_delivery(server.url, APP_SECRET, text_delivery(OMAR, "hello", "wamid.omar1"))
    assert other.json() == {"status": "ok"}
    await eventually(lambda: _done(db), what="Omar's message done")
    assert graph.texts_to(SARA) == [] and len(graph.texts_to(OMAR)) == 1
    assert [r["wa_id"] for r in await queue_rows(db)] == [OMAR]


async def _texts(graph, wa_id):
    return graph.texts_to(wa_id)


async def _done(db, count=1):
    rows = await queue_rows(db)
    return rows if len(rows) >= count and all(r["status"] == "done" for r in rows) else None


async def test_bin_mawid_simulate_prints_the_reply(wa_env, servers, graph):
    import subprocess
    import sys

    from tests.support.servers import ROOT

    server = servers(wa_env)
    result = await asyncio.to_thread(
        subprocess.run, [sys.executable, str(ROOT / "bin" / "mawid"), "simulate", "hello", "--wa-id", "14155550199",
                         "--url", server.url, "--wait", "60"],
        env={**server.env}, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "1. Free appointments" in result.stdout
    assert "webhook: HTTP 200" in result.stderr and "queue: done" in result.stderr
