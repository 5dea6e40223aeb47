"""WebSocket fan-out: a stream of events to 1,000 and 5,000 connected dashboards.

One real server (`bin/mawid serve`), clients in separate load-generator processes.
A staff client sends `secretary_typing` commands; each becomes a sequenced
`conversation_typing` event (event log in PostgreSQL, bus, hub, one bounded queue
per connection) delivered to every client. Latency is measured end to end, from
the moment the command is sent to the moment each client has the event (all
processes share the machine's clock). Memory per connection is the server's
RSS growth divided by the number of clients. The server's CPU time per event
(command, event log, fan-out) is reported too: on a shared machine the wall-clock
latencies include time the server waits for a core.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/bench_ws.py [--clients 1000,5000]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import resource
import subprocess
import sys
import time

import aiohttp
import psutil
from common import bench_database  # puts the repo root on sys.path before the imports below

from bench.loadgen import percentile
from runtime.auth import TokenCodec
from runtime.routes import Role
from tests.support.servers import ServerProcess

SECRET = "bench-secret-not-for-production-0123456789"
EVENTS = 40
INTERVAL = 0.25  # seconds between events: a busy clinic is far below this rate
END = "end"


# -- load generator (runs in its own process) -----------------------------------------------------

async def _generate(url: str, clients: int) -> None:
    from urllib.parse import urlsplit

    from bench.ws_probe import open_probe

    parts = urlsplit(url)
    path = f"{parts.path}?{parts.query}"
    received: list = []
    done = []
    for start in range(0, clients, 100):
        batch = min(100, clients - start)
        done.extend(await asyncio.gather(*(open_probe(parts.hostname, parts.port, path, received, END.encode())
                                           for _ in range(batch))))
    print("READY", flush=True)
    outcomes = await asyncio.gather(*done)
    print(json.dumps({"received": received, "finished": outcomes.count("end")}), flush=True)


def generator_main() -> None:
    import uvloop

    url, clients = sys.argv[2], int(sys.argv[3])
    _raise_fd_limit()
    uvloop.install()
    asyncio.run(_generate(url, clients))


# -- the benchmark ----------------------------------------------------------------------------------

def _raise_fd_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


async def _token(db_url: str) -> str:
    import asyncpg

    conn = await asyncpg.connect(db_url)
    try:
        user_id = await conn.fetchval(
            "INSERT INTO users (email, hashed_password, role) VALUES ('bench@example.test', '!', 'staff') "
            "ON CONFLICT (email) DO UPDATE SET role = 'staff' RETURNING id")
    finally:
        await conn.close()
    return TokenCodec(SECRET, 3600).issue(str(user_id), "bench@example.test", Role.STAFF)


async def _publish_stream(server_url: str, token: str) -> dict[str, float]:
    sent: dict[str, float] = {}
    async with aiohttp.ClientSession() as session:
        ws = await session.ws_connect(f"{server_url}/ws", params={"token": token})
        for i in range(EVENTS + 1):
            wa_id = END if i == EVENTS else str(i)
            started = time.time()
            await ws.send_json({"type": "secretary_typing", "data": {"wa_id": wa_id, "typing": False}})
            sent[wa_id] = started
            while (await ws.receive_json())["type"] != "typing_ack":
                pass
            await asyncio.sleep(INTERVAL)
        await ws.close()
    return sent


def measure(server: ServerProcess, token: str, clients: int, generators: int) -> dict:
    proc = psutil.Process(server.process.pid)
    rss_before = proc.memory_info().rss
    url = f"ws://127.0.0.1:{server.port}/ws?token={token}"
    per = [clients // generators + (1 if i < clients % generators else 0) for i in range(generators)]
    loads = [subprocess.Popen([sys.executable, __file__, "--generate", url, str(n)], stdout=subprocess.PIPE,
                              text=True) for n in per]
    for load in loads:
        line = load.stdout.readline()
        if line.strip() != "READY":
            raise SystemExit(f"load generator failed: {line!r}")
    time.sleep(1.0)
    rss_connected = proc.memory_info().rss
    cpu_before = sum(proc.cpu_times()[:2])
    sent = asyncio.run(_publish_stream(server.url, token))
    cpu_per_event = (sum(proc.cpu_times()[:2]) - cpu_before) / (EVENTS + 1)
    results = [json.loads(load.stdout.read()) for load in loads]
    fanout = _fanout_stats(server)
    for load in loads:
        load.wait()
    latencies: list[float] = []
    per_event: dict[str, list[float]] = {}
    for result in results:
        for wa_id, at in result["received"]:
            delay = at - sent[wa_id]
            latencies.append(delay)
            per_event.setdefault(wa_id, []).append(delay)
    complete = [max(v) for k, v in per_event.items() if len(v) == clients]
    return {
        "clients": clients, "events": EVENTS, "deliveries": len(latencies), "expected": clients * EVENTS,
        "p50_ms": percentile(latencies, 50) * 1000, "p99_ms": percentile(latencies, 99) * 1000,
        "max_ms": max(latencies) * 1000 if latencies else float("nan"),
        "all_clients_p50_ms": percentile(complete, 50) * 1000, "all_clients_worst_ms": max(complete) * 1000,
        "events_to_all_within_250ms": sum(1 for v in complete if v <= 0.25),
        "rss_per_client_kib": (rss_connected - rss_before) / clients / 1024,
        "server_cpu_ms_per_event": cpu_per_event * 1000,
        **fanout,
    }


def _fanout_stats(server: ServerProcess) -> dict:
    """Server-side time of one fan-out (event in hand -> written or queued for every socket)."""
    import httpx

    from runtime.metrics_map import parse_exposition

    text = httpx.get(server.url + "/metrics").text
    values = parse_exposition(text)
    buckets = []
    for line in text.splitlines():
        if line.startswith("realtime_fanout_seconds_bucket"):
            bound = line.split('le="', 1)[1].split('"', 1)[0]
            buckets.append((float(bound), float(line.split()[-1])))
    count = values.get("realtime_fanout_seconds_count", 0) or 1
    p99_bound = next((bound for bound, seen in sorted(buckets) if seen >= 0.99 * count), float("inf"))
    return {"fanout_mean_ms": values.get("realtime_fanout_seconds_sum", 0) / count * 1000,
            "fanout_p99_le_ms": p99_bound * 1000}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", default="1000,5000")
    parser.add_argument("--generators", type=int, default=2)
    args = parser.parse_args()
    _raise_fd_limit()
    rows = []
    with bench_database() as url:
        token = asyncio.run(_token(url))
        for clients in (int(c) for c in args.clients.split(",")):
            server = ServerProcess({"LOG_LEVEL": "WARNING", "DATABASE_URL": url, "JWT_SECRET": SECRET}).start()
            try:
                rows.append(measure(server, token, clients, args.generators))
            finally:
                server.stop()
    print("| clients | events | deliveries | p50 ms | p99 ms | max ms | event reached all: median / worst ms "
          "| events reaching all within 250 ms | server fan-out wall mean / p99 ≤ ms | server CPU ms per event "
          "| server RSS per client KiB |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['clients']} | {r['events']} | {r['deliveries']}/{r['expected']} | {r['p50_ms']:.1f} "
              f"| {r['p99_ms']:.1f} | {r['max_ms']:.1f} | {r['all_clients_p50_ms']:.1f} / "
              f"{r['all_clients_worst_ms']:.1f} | {r['events_to_all_within_250ms']}/{r['events']} "
              f"| {r['fanout_mean_ms']:.1f} / {r['fanout_p99_le_ms']:.0f} | {r['server_cpu_ms_per_event']:.1f} "
              f"| {r['rss_per_client_kib']:.1f} |")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--generate":
        generator_main()
    else:
        main()
