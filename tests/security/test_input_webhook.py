"""The signed webhook facing hostile input, through a running server (issue 19 rows 4, 5, 6, body limit).

Meta retries every delivery that is not answered 200, so a delivery we can never store must not be
answered 500 forever, and must never take the valid deliveries sharing its group commit down with it.
"""
from __future__ import annotations

import asyncio

import httpx

from tests.security.input_support import APP_SECRET, nested, post_signed, raw_delivery
from tests.support.waiting import eventually
from tests.whatsapp.fakes import sign

VALID_SENDERS = [f"9665{index:08d}" for index in range(60)]
NUL_SENDER, SURROGATE_SENDER = "966599000001", "966599000002"


async def test_non_ascii_signature_or_verify_token_is_refused_not_a_crash(servers, env):
    server = servers(env)
    async with httpx.AsyncClient(timeout=10) as http:
        # httpx sends header bytes as given: the UTF-8 of "é" is what curl's $'\xc3\xa9' sends
        signed = await http.post(server.url + "/webhook", content=b"{}",
                                 headers=[(b"X-Hub-Signature-256", "sha256=é".encode())])
        latin = await http.post(server.url + "/webhook", content=b"{}",
                                headers=[(b"X-Hub-Signature-256", b"sha256=\xe9\xff")])
        verify = await http.get(server.url + "/webhook", params={
            "hub.mode": "subscribe", "hub.verify_token": "tökén", "hub.challenge": "1"})
        ok = await http.get(server.url + "/webhook", params={
            "hub.mode": "subscribe", "hub.verify_token": "test-verify-token", "hub.challenge": "42"})
    assert (signed.status_code, signed.json()) == (403, {"detail": "Invalid signature"})
    assert (latin.status_code, latin.json()) == (403, {"detail": "Invalid signature"})
    assert (verify.status_code, verify.json()) == (403, {"detail": "Verification failed"})
    assert (ok.status_code, ok.text) == (200, "42")
    assert "Traceback" not in server.logs()


async def test_deeply_nested_delivery_is_a_400_not_a_500(servers, env, db):
    server = servers(env)
    async with httpx.AsyncClient(timeout=10) as http:
        answers = [await post_signed(http, server.url, nested(depth)) for depth in (100, 3000, 5000)]
    for answer in answers:
        assert (answer.status_code, answer.json()) == (400, {"detail": "Invalid JSON provided"})
    assert await db.fetchval("SELECT count(*) FROM inbound_message_queue") == 0
    assert "Traceback" not in server.logs() and "RecursionError" not in server.logs()


async def test_a_poison_delivery_among_valid_ones_fails_none_of_them(servers, env, db):
    """A NUL and a lone surrogate in a customer's text, sent concurrently with 60 valid deliveries: all
    62 are acknowledged, queued and answered; the two odd texts are stored cleaned (NUL dropped, the lone
    surrogate as U+FFFD) so the customers get their answer and Meta stops retrying."""
    server = servers(env)  # no ACCESS_TOKEN: outbox mode, every reply is recorded in whatsapp_outbound
    bodies = [raw_delivery(wa_id, "hello", f"wamid.valid{index}") for index, wa_id in enumerate(VALID_SENDERS)]
    bodies.insert(20, raw_delivery(NUL_SENDER, "hel\\u0000lo", "wamid.poison.nul"))
    bodies.insert(40, raw_delivery(SURROGATE_SENDER, "hi \\ud800 there", "wamid.poison.surrogate"))
    async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=100)) as http:
        answers = await asyncio.gather(*(post_signed(http, server.url, body) for body in bodies))
    assert [a.status_code for a in answers] == [200] * len(bodies), [a.text for a in answers if a.status_code != 200]
    assert {a.json()["status"] for a in answers} == {"ok"}

    everyone = {*VALID_SENDERS, NUL_SENDER, SURROGATE_SENDER}

    async def answered() -> set[str]:
        rows = await db.fetch("SELECT DISTINCT wa_id FROM whatsapp_outbound WHERE wa_id = ANY($1::text[])",
                              list(everyone))
        found = {row["wa_id"] for row in rows}
        return found if found == everyone else set()

    await eventually(answered, within=120, what="a reply to every sender")
    stored = dict(await db.fetch("SELECT wa_id, message FROM conversation WHERE role = 'user' AND wa_id = ANY($1)",
                                 [NUL_SENDER, SURROGATE_SENDER]))
    assert stored == {NUL_SENDER: "hello", SURROGATE_SENDER: "hi \ufffd there"}
    assert await db.fetchval("SELECT count(*) FROM inbound_message_queue WHERE status = 'failed'") == 0


async def test_bodies_over_the_limit_are_refused_before_the_signature_is_checked(servers, env):
    server = servers({**env, "MAX_BODY_BYTES": "4096"})
    body = b'{"object": "' + b"x" * 5000 + b'"}'
    async with httpx.AsyncClient(timeout=10) as http:
        answer = await post_signed(http, server.url, body, signature=sign(APP_SECRET, body))
    assert answer.status_code == 413
    assert answer.json()["detail"] == "Request body is too large"
