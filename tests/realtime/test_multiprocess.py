"""Two real server processes sharing PostgreSQL and Redis: a change on one reaches clients of both, once."""
from __future__ import annotations

import json
import uuid

import aiohttp
import pytest

from runtime.auth import TokenCodec
from runtime.routes import Role
from tests.conftest import TEST_JWT_SECRET, create_user
from tests.support.servers import ServerProcess

pytestmark = pytest.mark.slow


@pytest.fixture
def servers(env, redis_url):
    shared = {**env, "REDIS_URL": redis_url, "REDIS_CHANNEL": f"mawid:test:{uuid.uuid4().hex}"}
    started = []
    try:
        for _ in range(2):
            started.append(ServerProcess(shared).start())
        yield started
    finally:
        for proc in started:
            proc.stop()


async def _token(db_url: str, role: Role) -> str:
    user = await create_user(db_url, role)
    return TokenCodec(TEST_JWT_SECRET, 900).issue(user["id"], user["email"], role)


async def _receive_until(ws, predicate):
    got = []
    while True:
        msg = await ws.receive(timeout=15)
        assert msg.type is aiohttp.WSMsgType.TEXT, msg
        body = json.loads(msg.data)
        got.append(body)
        if predicate(body):
            return got


def _typing_of(messages, wa_id):
    return [m for m in messages if m["type"] == "conversation_typing" and m["data"]["wa_id"] == wa_id]


async def test_an_event_on_one_process_reaches_clients_of_both_exactly_once(servers, db_url):
    one, two = servers
    staff = await _token(db_url, Role.STAFF)
    viewer = await _token(db_url, Role.VIEWER)
    async with aiohttp.ClientSession() as session:
        actor = await session.ws_connect(one.url + "/ws", params={"token": staff})
        here = await session.ws_connect(one.url + "/ws", params={"token": viewer, "tab": "a"})
        there = await session.ws_connect(two.url + "/ws", params={"token": viewer, "tab": "b"})
        for ws in (here, there):  # both registered before anything is published
            await ws.send_json({"type": "ping"})
            await _receive_until(ws, lambda m: m["type"] == "pong")

        # Phone numbers: typing for a wa_id that is not one (nor a customer) is refused (tests/reference_dashboard).
        for wa_id in ("966500000111", "966500000222", "966500000333"):
            await actor.send_json({"type": "secretary_typing", "data": {"wa_id": wa_id, "typing": True}})
            await _receive_until(actor, lambda m: m["type"] == "typing_ack")
        # a change made on the other process, then a last marker from the first
        other = await session.ws_connect(two.url + "/ws", params={"token": staff})
        await other.send_json({"type": "secretary_typing", "data": {"wa_id": "966500000444", "typing": False}})
        await _receive_until(other, lambda m: m["type"] == "typing_ack")
        await actor.send_json({"type": "secretary_typing", "data": {"wa_id": "966500000999", "typing": False}})

        for ws in (here, there):
            got = await _receive_until(ws, lambda m: m.get("data", {}).get("wa_id") == "966500000999")
            events = [m for m in got if m["type"] == "conversation_typing"]
            assert [m["data"]["wa_id"][-3:] for m in events] == ["111", "222", "333", "444", "999"]
            seqs = [m["seq"] for m in events]
            assert seqs == sorted(seqs) and len(set(seqs)) == 5
            # a ping behind the marker: nothing arrives a second time
            await ws.send_json({"type": "ping"})
            rest = await _receive_until(ws, lambda m: m["type"] == "pong")
            assert not [m for m in rest if m["type"] == "conversation_typing"]

        # a client of process two that missed events catches up from the shared log
        last = seqs[1]
        await there.close()
        back = await session.ws_connect(two.url + "/ws", params={"token": viewer, "tab": "b", "since": last})
        caught = await _receive_until(back, lambda m: m.get("seq") == seqs[-1])
        assert [m["seq"] for m in caught if m["type"] == "conversation_typing"] == seqs[2:]
        for ws in (actor, here, other, back):
            await ws.close()
