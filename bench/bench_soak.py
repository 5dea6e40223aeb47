"""Soak: mixed traffic against one real server for a long time, watching memory, tasks and latency.

Traffic, all at once for `--seconds` (default 60; the issue asks for an hour):
- WhatsApp webhook deliveries (signed; new message ids; a rotating set of customers, so
  conversation actors activate, go idle and are passivated), answered by the offline assistant
  into the outbox (no Graph API);
- REST as staff (TRUSTED_NETWORKS): GET /reservations, GET /reservations?future=false and
  POST /reserve on rotating slots (some refused "slot full": a normal business answer);
- `--ws` WebSocket clients (default 500) held open by separate processes (`--ws-procs`),
  each client receiving every event.

Every `--every` seconds it prints: server RSS (from /proc), asyncio tasks and active actors
(from /metrics), open WebSockets, requests done and p50/p99 latency of that window.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/bench_soak.py --seconds 600
"""
from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import itertools
import json
import os
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import bench_database  # noqa: E402
from bench.loadgen import percentile  # noqa: E402
from tests.support.servers import ServerProcess  # noqa: E402

SECRET = "soak-app-secret"


# -- WebSocket holder (child process) -------------------------------------------------------------

async def hold_sockets(url: str, count: int, seconds: float) -> None:
    received = 0
    closed = 0
    # No connector limit: aiohttp's default (100) would silently hold the rest of the sockets back.
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        async def one(i: int) -> None:
            nonlocal received, closed
            ws = await session.ws_connect(url + "/ws", params={"tab": f"soak-{os.getpid()}-{i}"}, heartbeat=None)
            async for msg in ws:
                if msg.type is aiohttp.WSMsgType.TEXT:
                    received += 1
            closed += 1

        tasks = [asyncio.create_task(one(i)) for i in range(count)]
        await asyncio.sleep(seconds)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    print(json.dumps({"received": received, "closed_by_server": closed}), flush=True)


# -- traffic (parent) -----------------------------------------------------------------------------

def delivery(wa_id: str, message_id: str) -> bytes:
    return json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{
        "field": "messages", "value": {
            "messaging_product": "whatsapp", "metadata": {"display_phone_number": "1", "phone_number_id": "1"},
            "contacts": [{"profile": {"name": "Soak"}, "wa_id": wa_id}],
            "messages": [{"from": wa_id, "id": message_id, "timestamp": str(int(time.time())), "type": "text",
                          "text": {"body": "hello"}}]}}]}]}).encode()


class Window:
    def __init__(self) -> None:
        self.latencies: dict[str, list[float]] = {}
        self.errors: dict[str, int] = {}

    def note(self, kind: str, seconds: float, ok: bool) -> None:
        self.latencies.setdefault(kind, []).append(seconds)
        if not ok:
            self.errors[kind] = self.errors.get(kind, 0) + 1


async def timed(window: Window, kind: str, session: aiohttp.ClientSession, method: str, url: str,
                **kwargs) -> None:
    started = time.perf_counter()
    try:
        async with session.request(method, url, **kwargs) as response:
            await response.read()
            ok = response.status < 500
    except aiohttp.ClientError:
        ok = False
    window.note(kind, time.perf_counter() - started, ok)


async def webhook_loop(session, url, rate, stop, state) -> None:
    numbers = itertools.count(1)
    while not stop.is_set():
        n = next(numbers)
        body = delivery(f"9665{n % 3000:08d}", f"wamid.soak.{n}")
        signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        headers = {"Content-Type": "application/json", "X-Hub-Signature-256": signature}
        await timed(state["window"], "webhook", session, "POST", url + "/webhook", data=body, headers=headers)
        await asyncio.sleep(1 / rate)


async def rest_loop(session, url, rate, stop, state, offset) -> None:
    numbers = itertools.count(offset)
    while not stop.is_set():
        n = next(numbers)
        if n % 4 == 0:
            day = (date.today() + timedelta(days=7 + (n // 12) % 700)).isoformat()
            await timed(state["window"], "reserve", session, "POST", url + "/reserve", json={
                "wa_id": f"9667{n % 5000:08d}", "customer_name": "Soak", "date_str": day,
                "time_slot": ("11:00", "13:00", "15:00")[n % 3], "reservation_type": 0, "_call_source": "frontend"})
        else:
            await timed(state["window"], "list", session, "GET", url + "/reservations")
        await asyncio.sleep(1 / rate)


def metric(text: str, name: str) -> float:
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name) and (len(line) == len(name) or line[len(name)] in " {"):
            total += float(line.rsplit(" ", 1)[-1])
    return total


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def run(args, db_url: str) -> None:
    env = {"DATABASE_URL": db_url, "APP_SECRET": SECRET, "TRUSTED_NETWORKS": "127.0.0.1/32",
           "LOG_LEVEL": "WARNING", "LOG_FORMAT": "text", "SCHEDULER_ENABLED": "false",
           "ACTOR_IDLE_TIMEOUT": str(args.idle), "LLM_PROVIDER": "offline"}
    server = ServerProcess(env).start()
    holders = []
    try:
        per_proc = args.ws // args.ws_procs
        holders = [subprocess.Popen([  # noqa: ASYNC220 (started once, before any traffic)
            sys.executable, __file__, "--hold", server.url, str(per_proc),
                                     str(args.seconds + 5)], stdout=subprocess.PIPE, text=True)
                   for _ in range(args.ws_procs)]
        stop = asyncio.Event()
        state = {"window": Window()}
        connector = aiohttp.TCPConnector(limit=64)
        async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=30)) as session:
            loops = [asyncio.create_task(webhook_loop(session, server.url, args.webhook_rate, stop, state))]
            loops += [asyncio.create_task(rest_loop(session, server.url, args.rest_rate / 4, stop, state, i))
                      for i in range(4)]
            print(f"soak: {args.seconds}s, webhook {args.webhook_rate}/s, REST {args.rest_rate}/s, "
                  f"{args.ws} WebSocket clients in {args.ws_procs} processes", flush=True)
            print(f"{'t(s)':>6} {'rss MB':>7} {'tasks':>6} {'actors':>6} {'ws':>5} {'req':>6} "
                  f"{'p50 ms':>7} {'p99 ms':>7} {'wh p99':>7} {'errors':>6}", flush=True)
            started = time.monotonic()
            while time.monotonic() - started < args.seconds:
                await asyncio.sleep(args.every)
                window, state["window"] = state["window"], Window()
                async with session.get(server.url + "/metrics") as response:
                    text = await response.text()
                every = [s for samples in window.latencies.values() for s in samples]
                print(f"{time.monotonic() - started:6.0f} {rss_mb(server.process.pid):7.1f} "
                      f"{metric(text, 'mawid_event_loop_tasks'):6.0f} {metric(text, 'mawid_actors_active'):6.0f} "
                      f"{metric(text, 'realtime_connections'):5.0f} {len(every):6d} "
                      f"{percentile(every, 50) * 1000:7.1f} {percentile(every, 99) * 1000:7.1f} "
                      f"{percentile(window.latencies.get('webhook', []), 99) * 1000:7.1f} "
                      f"{sum(window.errors.values()):6d}", flush=True)
            stop.set()
            await asyncio.gather(*loops)
            async with session.get(server.url + "/metrics") as response:
                text = await response.text()
        print(f"inbound queue: enqueued {metric(text, 'inbound_queue_enqueued_total'):.0f}, "
              f"failed {metric(text, 'inbound_queue_failed_total'):.0f}; actors passivated "
              f"{metric(text, 'mawid_actor_passivations_total'):.0f}; ws dropped "
              f"{metric(text, 'realtime_clients_dropped_total'):.0f}", flush=True)
    finally:
        for holder in holders:
            try:
                out, _ = holder.communicate(timeout=30)
                print("ws holder:", out.strip(), flush=True)
            except subprocess.TimeoutExpired:
                holder.kill()
        server.stop()


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--hold":
        asyncio.run(hold_sockets(sys.argv[2], int(sys.argv[3]), float(sys.argv[4])))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--every", type=float, default=10)
    parser.add_argument("--ws", type=int, default=500)
    parser.add_argument("--ws-procs", type=int, default=4)
    parser.add_argument("--webhook-rate", type=float, default=20, help="deliveries per second")
    parser.add_argument("--rest-rate", type=float, default=40, help="REST requests per second")
    parser.add_argument("--idle", type=float, default=30, help="ACTOR_IDLE_TIMEOUT of the server")
    args = parser.parse_args()
    with bench_database() as db_url:
        asyncio.run(run(args, db_url))


if __name__ == "__main__":
    main()
