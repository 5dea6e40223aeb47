"""`serve --workers 2` without Redis: a change made through either worker reaches WebSocket clients of both.

The kernel spreads connections over the two processes (SO_REUSEPORT); which process holds each client's
connection is read from /proc (the socket's owner), so the test knows it has a client on each worker.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import aiohttp
import pytest

from runtime.auth import TokenCodec
from runtime.routes import Role
from tests.conftest import TEST_JWT_SECRET, create_user
from tests.support.servers import ServerProcess

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")]
MAX_CLIENTS = 40  # connections opened until both workers hold one (each lands on either: 2**-39 to miss)


def workers_of(server: ServerProcess) -> list[int]:
    parent = server.process.pid
    return [int(pid) for pid in Path(f"/proc/{parent}/task/{parent}/children").read_text().split()]


def socket_owner(server_port: int, client_port: int, pids: list[int]) -> int | None:
    """The process holding the server side of the loopback connection from `client_port`."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local, remote = int(fields[1].rsplit(":", 1)[1], 16), int(fields[2].rsplit(":", 1)[1], 16)
            if local == server_port and remote == client_port:
                inodes.add(f"socket:[{fields[9]}]")
    for pid in pids:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") in inodes:
                    return pid
            except OSError:
                continue
    return None


async def _receive_until(ws, predicate) -> list[dict]:
    got = []
    while True:
        msg = await ws.receive(timeout=15)
        assert msg.type is aiohttp.WSMsgType.TEXT, msg
        got.append(json.loads(msg.data))
        if predicate(got[-1]):
            return got


@pytest.fixture
def server(env):
    shared = {key: value for key, value in env.items() if key != "REDIS_URL"}
    proc = ServerProcess({**shared, "WORKERS": "2", "REDIS_URL": ""}).start()
    try:
        yield proc
    finally:
        proc.stop()


async def test_events_reach_clients_on_both_workers_without_redis(server, db_url):
    user = await create_user(db_url, Role.STAFF)
    token = TokenCodec(TEST_JWT_SECRET, 900).issue(user["id"], user["email"], Role.STAFF)
    pids = workers_of(server)
    assert len(pids) == 2
    async with aiohttp.ClientSession() as session:
        on_worker: dict[int, aiohttp.ClientWebSocketResponse] = {}
        extra = []
        for tab in range(MAX_CLIENTS):
            ws = await session.ws_connect(server.url + "/ws", params={"token": token, "tab": f"t{tab}"})
            await ws.send_json({"type": "ping"})
            await _receive_until(ws, lambda m: m["type"] == "pong")
            owner = socket_owner(server.port, ws.get_extra_info("sockname")[1], pids)
            if owner in pids and owner not in on_worker:
                on_worker[owner] = ws
            else:
                extra.append(ws)
            if len(on_worker) == 2:
                break
        assert set(on_worker) == set(pids), "every connection landed on one worker"
        for ws in extra:
            await ws.close()

        # Writes through REST, each on a new connection (so on either worker); every client gets every one.
        texts = [f"hello {n}" for n in range(6)]
        for text in texts:
            async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) as fresh:
                response = await fresh.post(server.url + "/conversations/966500000001",
                                            json={"role": "secretary", "message": text},
                                            headers={"Authorization": f"Bearer {token}"})
                assert response.status == 200, await response.text()
        for ws in on_worker.values():
            got = await _receive_until(ws, lambda m: m["type"] == "conversation_new_message"
                                       and m["data"].get("message") == texts[-1])
            received = [m["data"]["message"] for m in got if m["type"] == "conversation_new_message"]
            assert received == texts
            seqs = [m["seq"] for m in got if m["type"] == "conversation_new_message"]
            assert seqs == sorted(seqs) and len(set(seqs)) == len(texts)
