"""Redis disappears (or stalls) under two server processes sharing PostgreSQL, then comes back.

Each process keeps serving its own WebSocket clients in-process, reports cross-process
fan-out as degraded (/readyz, `realtime_bus_degraded`), and recovers by itself; the
other process's clients get what they missed from the shared event log (catch-up or an
explicit resume), each event exactly once. A stalled Redis (SIGSTOP: connections are
accepted, nothing is answered) is noticed by the bus's probe and hangs no request.
"""
from __future__ import annotations

import asyncio
import json
import uuid

import aiohttp
import httpx
import pytest

from tests.resilience.conftest import eventually, future_workday, unhandled_errors

pytestmark = pytest.mark.faults


class Listener:
    """A WebSocket client recording every sequenced reservation event it receives."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse, early: list[dict]) -> None:
        self.ws = ws
        self.events: list[dict] = early
        self.task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for msg in self.ws:
            if msg.type is aiohttp.WSMsgType.TEXT:
                body = json.loads(msg.data)
                if body.get("type", "").startswith("reservation_"):
                    self.events.append(body)

    def wa_ids(self) -> list[str]:
        return [e["data"].get("wa_id") for e in self.events]

    async def has(self, wa_id: str) -> bool:
        return wa_id in self.wa_ids()

    async def close(self) -> None:
        await self.ws.close()
        await self.task


async def connect(session: aiohttp.ClientSession, url: str, tab: str, since: int | None = None) -> Listener:
    params = {"tab": tab, **({"since": str(since)} if since is not None else {})}
    ws = await session.ws_connect(url + "/ws", params=params)
    await ws.send_json({"type": "ping"})  # registered before anything is published
    early = []  # a resume's replay may come before the pong
    while True:
        msg = await ws.receive(timeout=15)
        body = json.loads(msg.data) if msg.type is aiohttp.WSMsgType.TEXT else {}
        if body.get("type") == "pong":
            break
        if body.get("type", "").startswith("reservation_"):
            early.append(body)
    return Listener(ws, early)


async def reserve(url: str, wa_id: str, day: str) -> None:
    async with httpx.AsyncClient(timeout=20) as http:
        response = await http.post(url + "/reserve", json={
            "wa_id": wa_id, "customer_name": "Redis", "date_str": day, "time_slot": "13:00", "reservation_type": 0,
            "_call_source": "frontend", "max_reservations": 1000})
    assert response.status_code == 200 and response.json()["success"] is True, response.text


async def bus_state(url: str) -> tuple[str, str]:
    async with httpx.AsyncClient(timeout=10) as http:
        ready = (await http.get(url + "/readyz")).json()
        metrics = (await http.get(url + "/metrics")).text
    gauge = next((line.split()[-1] for line in metrics.splitlines() if line.startswith("realtime_bus_degraded")), "")
    return ready["checks"].get("bus", ""), gauge


async def test_each_process_serves_its_clients_through_a_redis_outage(private_redis, fault_env, servers):
    env = {**fault_env, "REDIS_URL": private_redis.url, "REDIS_CHANNEL": f"mawid:faults:{uuid.uuid4().hex}"}
    one, two = servers(env), servers(env)
    day = future_workday()
    async with aiohttp.ClientSession() as session:
        here, there = await connect(session, one.url, "a"), await connect(session, two.url, "b")
        await reserve(one.url, "966501110001", day)
        for client in (here, there):
            await eventually(lambda c=client: c.has("966501110001"), what="the event before the outage")
        before_outage = max(e["seq"] for e in there.events)
        assert await bus_state(one.url) == ("ok", "0")

        private_redis.stop()
        await reserve(one.url, "966501110002", day)  # published while Redis is gone
        await eventually(lambda: here.has("966501110002"), what="the in-process delivery on the publisher")
        await reserve(two.url, "966501110003", day)
        await eventually(lambda: there.has("966501110003"), what="the in-process delivery on the other process")
        for server in (one, two):
            async def degraded(url=server.url):
                bus, gauge = await bus_state(url)
                return bus.startswith("degraded") and gauge == "1"
            await eventually(degraded, what="bus reported degraded")
        async with httpx.AsyncClient() as http:
            ready = await http.get(one.url + "/readyz")
        assert ready.status_code == 200 and ready.json()["status"] == "degraded"  # still serving its clients

        # A client of the other process that reconnects resumes from its last seq and gets what it missed.
        await there.close()
        resumed = await connect(session, two.url, "b", since=before_outage)
        for wa_id in ("966501110002", "966501110003"):
            await eventually(lambda w=wa_id: resumed.has(w), what=f"{wa_id} after resume")

        private_redis.start()  # same port: the processes reconnect by themselves
        for server in (one, two):
            async def recovered(url=server.url):
                return await bus_state(url) == ("ok", "0")
            await eventually(recovered, what="bus recovered")
        await reserve(two.url, "966501110004", day)
        for client in (here, resumed):
            await eventually(lambda c=client: c.has("966501110004"), what="cross-process delivery again")
        # The publisher's own clients got the other process's outage event from the log meanwhile.
        await eventually(lambda: here.has("966501110003"), what="catch-up from the log")
        await asyncio.sleep(1.0)  # anything duplicated would arrive now

        for client, expected in ((here, ["966501110001", "966501110002", "966501110003", "966501110004"]),
                                 (resumed, ["966501110002", "966501110003", "966501110004"])):
            seqs = [e["seq"] for e in client.events]
            assert len(seqs) == len(set(seqs)), f"an event was delivered twice: {client.wa_ids()}"
            assert sorted(client.wa_ids()) == expected
        await here.close()
        await resumed.close()
    for server in (one, two):
        assert unhandled_errors(server.logs()) == []


async def test_a_stalled_redis_degrades_fan_out_without_hanging_anything(private_redis, fault_env, servers):
    env = {**fault_env, "REDIS_URL": private_redis.url, "REDIS_CHANNEL": f"mawid:faults:{uuid.uuid4().hex}"}
    one, two = servers(env), servers(env)
    day = future_workday()
    async with aiohttp.ClientSession() as session:
        here, there = await connect(session, one.url, "a"), await connect(session, two.url, "b")
        await reserve(one.url, "966501120001", day)
        for client in (here, there):
            await eventually(lambda c=client: c.has("966501120001"), what="the event before the stall")
        before_stall = max(e["seq"] for e in there.events)
        assert await bus_state(one.url) == ("ok", "0")

        private_redis.stall()
        try:
            # Noticed by each process on its own, before anything is published (a receiving-only
            # process would otherwise believe a silent subscription).
            for server in (one, two):
                async def degraded(url=server.url):
                    bus, gauge = await bus_state(url)
                    return bus.startswith("degraded") and gauge == "1"
                await eventually(degraded, what="bus reported degraded")
            async with httpx.AsyncClient(timeout=10) as http:  # the timeouts only guard against a hang
                for server in (one, two):
                    assert (await http.get(server.url + "/healthz")).status_code == 200
                    ready = await http.get(server.url + "/readyz")
                    assert ready.status_code == 200 and ready.json()["status"] == "degraded"
                    listed = await http.get(server.url + "/reservations", params={"future": "true"})
                    assert listed.status_code == 200, listed.text
            await reserve(one.url, "966501120002", day)  # published while Redis answers nothing
            await eventually(lambda: here.has("966501120002"), what="the in-process delivery on the publisher")
            await reserve(two.url, "966501120003", day)
            await eventually(lambda: there.has("966501120003"), what="the in-process delivery on the other process")

            await there.close()  # a client of the other process resumes from its last seq
            resumed = await connect(session, two.url, "b", since=before_stall)
            for wa_id in ("966501120002", "966501120003"):
                await eventually(lambda w=wa_id: resumed.has(w), what=f"{wa_id} after resume")
        finally:
            private_redis.resume()

        for server in (one, two):
            async def recovered(url=server.url):
                return await bus_state(url) == ("ok", "0")
            await eventually(recovered, what="bus recovered")
        await reserve(two.url, "966501120004", day)
        for client in (here, resumed):
            await eventually(lambda c=client: c.has("966501120004"), what="cross-process delivery again")
        await eventually(lambda: here.has("966501120003"), what="catch-up from the log")
        await asyncio.sleep(1.0)  # anything duplicated (a publish Redis ran late) would arrive now

        for client, expected in ((here, ["966501120001", "966501120002", "966501120003", "966501120004"]),
                                 (resumed, ["966501120002", "966501120003", "966501120004"])):
            seqs = [e["seq"] for e in client.events]
            assert len(seqs) == len(set(seqs)), f"an event was delivered twice: {client.wa_ids()}"
            assert sorted(client.wa_ids()) == expected
        await here.close()
        await resumed.close()
    for server in (one, two):
        assert unhandled_errors(server.logs()) == []
