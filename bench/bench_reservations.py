"""Reservation benchmarks: POST /reserve into distinct slots and into one contended slot, and
GET /reservations latency with 100,000 reservations loaded.

`bench_reservations.py resources`: POST /reserve throughput with 1 resource, then with 5 (requests
naming no resource, so "any resource" picks one, and requests naming one, round robin).

Load comes from a separate process (closed loop, 64 connections). Requests come
from 127.0.0.1, a trusted network, so they act as staff without a login.
"""
from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import aiohttp
from common import bench_database  # noqa: I001  (puts the repo root on sys.path first)

from bench.loadgen import load_in_subprocess, percentile
from tests.support.servers import ServerProcess

ROOT = Path(__file__).resolve().parent.parent
CONNECTIONS = 64
SECONDS = 10.0


def bookable_slots(first: date, days: int) -> list[tuple[str, str]]:
    """(date, HH:MM) of the default schedule, skipping Fridays (and Ramadan, which has other hours)."""
    from hijridate import Gregorian

    slots = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        if day.weekday() == 4 or Gregorian(day.year, day.month, day.day).to_hijri().month == 9:
            continue
        hours = ("16:00", "18:00", "20:00") if day.weekday() == 5 else ("11:00", "13:00", "15:00")
        slots.extend((day.isoformat(), hour) for hour in hours)
    return slots


def body(index: int, day: str, hour: str, resource: int | None = None) -> bytes:
    fields = {"wa_id": f"9665{10_000_000 + index:08d}", "customer_name": f"Bench {index}", "date_str": day,
              "time_slot": hour, "reservation_type": index % 2, "_call_source": "frontend"}
    if resource is not None:
        fields["resource"] = resource
    return json.dumps(fields).encode()


async def _reserve_load(url: str, mode: str, seconds: float, connections: int, offset: int,
                        resources: list[int] | None = None) -> dict:
    slots = bookable_slots(date.today() + timedelta(days=2), 700)
    counter = iter(range(offset, offset + 10_000_000))
    latencies: list[float] = []
    outcomes = {"success": 0, "refused": 0, "errors": 0}
    stop_at = time.perf_counter() + seconds

    async def worker(session: aiohttp.ClientSession) -> None:
        while time.perf_counter() < stop_at:
            i = next(counter)
            day, hour = slots[i % len(slots)] if mode == "distinct" else slots[0]
            resource = resources[i % len(resources)] if resources else None
            started = time.perf_counter()
            async with session.post(url, data=body(i, day, hour, resource),
                                    headers={"Content-Type": "application/json"}) as r:
                answer = await r.json() if r.status == 200 else None
            latencies.append(time.perf_counter() - started)
            if answer is None:
                outcomes["errors"] += 1
            else:
                outcomes["success" if answer["success"] else "refused"] += 1

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=connections)) as session:
        await asyncio.gather(*(worker(session) for _ in range(connections)))
    return {"requests": len(latencies), "rps": len(latencies) / seconds, **outcomes,
            "p50_ms": percentile(latencies, 50) * 1000, "p95_ms": percentile(latencies, 95) * 1000}


def reserve_load(url: str, mode: str, seconds: float = SECONDS, offset: int = 0,
                 resources: list[int] | None = None) -> dict:
    spec = json.dumps({"url": url, "mode": mode, "seconds": seconds, "connections": CONNECTIONS, "offset": offset,
                       "resources": resources})
    out = subprocess.run([sys.executable, __file__, "--reserve-load", spec], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout)


async def _set_capacity(url: str, total: int) -> None:
    from actors.app_config import update_app_config
    from runtime.auth import TokenCodec
    from runtime.config import load_config
    from runtime.db import create_pool
    from runtime.services import Services

    config = load_config({"DATABASE_URL": url, "JWT_SECRET": "bench-secret-0123456789-0123456789"})
    services = Services(config=config, tokens=TokenCodec.from_config(config))
    services.pool = await create_pool(url, min_size=1, max_size=2)
    try:
        await update_app_config(services, {"slot_capacity_settings": {
            "agent": {"total_max": total}, "secretary": {"total_max": total}}})
    finally:
        await services.pool.close()


async def _actor_writes(url: str, mode: str, count: int = 3000, in_flight: int = 64) -> dict:
    """The day actors' write path alone (lock, recount, insert, commit): no HTTP, no event log."""
    from datetime import time as clock_time

    from actors.reservation.actor import day_ref
    from actors.reservation.messages import BookSlot
    from runtime.actor_system import ActorSystem
    from runtime.auth import TokenCodec
    from runtime.config import load_config
    from runtime.db import create_pool
    from runtime.services import Services

    config = load_config({"DATABASE_URL": url, "JWT_SECRET": "bench-secret-0123456789-0123456789"})
    services = Services(config=config, tokens=TokenCodec.from_config(config))
    services.pool = await create_pool(url, min_size=4, max_size=20)
    services.actors = ActorSystem(services)
    slots = bookable_slots(date.today() + timedelta(days=2), 700)
    gate = asyncio.Semaphore(in_flight)
    latencies: list[float] = []
    outcomes: dict[str, int] = {}
    offset = {"distinct": 20_000_000, "contended": 30_000_000}[mode]

    async def one(i: int) -> None:
        day, hour = slots[(i * 7) % len(slots)] if mode == "distinct" else slots[1]
        msg = BookSlot(f"9665{offset + i:08d}", "Bench", date.fromisoformat(day),
                       clock_time(int(hour[:2]), 0), 0, 50, 50)
        async with gate:
            started = time.perf_counter()
            outcome = await day_ref(services, msg.slot_date).ask(msg)
            latencies.append(time.perf_counter() - started)
        outcomes[outcome.status] = outcomes.get(outcome.status, 0) + 1

    started = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(count)))
    elapsed = time.perf_counter() - started
    await services.actors.stop()
    await services.pool.close()
    return {"rps": count / elapsed, "p50_ms": percentile(latencies, 50) * 1000,
            "p95_ms": percentile(latencies, 95) * 1000, "success": outcomes.get("created", 0),
            "refused": count - outcomes.get("created", 0), "errors": 0}


def server_env(url: str) -> dict[str, str]:
    return {"DATABASE_URL": url, "LOG_LEVEL": "ERROR", "TRUSTED_NETWORKS": "127.0.0.1/32",
            "JWT_SECRET": "bench-secret-0123456789-0123456789", "ENVIRONMENT": "production"}


def main() -> None:
    rows = []
    with bench_database() as url:
        asyncio.run(_set_capacity(url, 50))
        server = ServerProcess(server_env(url)).start()
        try:
            reserve_load(server.url + "/reserve", "distinct", 2.0, offset=9_000_000)  # warm-up
            distinct = reserve_load(server.url + "/reserve", "distinct")
            contended = reserve_load(server.url + "/reserve", "contended", offset=5_000_000)
        finally:
            server.stop()
        rows.append(("POST /reserve, distinct slots (capacity 50)", distinct))
        rows.append(("POST /reserve, one contended slot (capacity 50)", contended))
        rows.append(("day actors only (BookSlot), distinct slots", asyncio.run(_actor_writes(url, "distinct"))))
        rows.append(("day actors only (BookSlot), one contended slot",
                     asyncio.run(_actor_writes(url, "contended"))))
        seed = subprocess.run([sys.executable, str(ROOT / "bin" / "mawid"), "seed-demo", "--customers", "50000",
                               "--messages-per-customer", "0", "--reservations-per-customer", "2", "--seed", "7",
                               "--database-url", url, "--append"], capture_output=True, text=True, cwd=ROOT)
        if seed.returncode != 0:
            raise SystemExit(seed.stderr[-2000:])
        server = ServerProcess(server_env(url)).start()
        try:
            listing = {}
            for label, query in (("default (today onwards)", ""), ("one month", "?from_date={0}&to_date={1}"),
                                 ("future=false (-30…+90 days)", "?future=false")):
                first = date.today()
                path = "/reservations" + query.format(first.isoformat(), (first + timedelta(days=30)).isoformat())
                load_in_subprocess(server.url + path, 4, 1.0)  # warm-up
                listing[label] = load_in_subprocess(server.url + path, 8, SECONDS)
        finally:
            server.stop()
    print("| scenario | requests/s | p50 ms | p95 ms | booked | refused | errors |")
    print("|---|---|---|---|---|---|---|")
    for label, r in rows:
        print(f"| {label} | {r['rps']:.0f} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} | {r['success']} "
              f"| {r['refused']} | {r['errors']} |")
    print()
    print("| GET /reservations, 100k+ rows loaded | requests/s | p50 ms | p95 ms | errors |")
    print("|---|---|---|---|---|")
    for label, r in listing.items():
        print(f"| {label} | {r['rps']:.1f} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} | {r['errors']} |")


async def _add_resources(url: str, count: int) -> list[int]:
    """`count` more resources with the clinic's schedule and capacity; returns every resource id."""
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        for n in range(count):
            await conn.execute("INSERT INTO resources (name_ar, name_en) VALUES ($1, $1)", f"Bench {n + 2}")
        return [r["id"] for r in await conn.fetch("SELECT id FROM resources ORDER BY id")]
    finally:
        await conn.close()


def resources_main() -> None:
    rows = []
    with bench_database() as url:
        asyncio.run(_set_capacity(url, 50))
        server = ServerProcess(server_env(url)).start()
        try:
            reserve_load(server.url + "/reserve", "distinct", 2.0, offset=9_000_000)  # warm-up
            rows.append(("1 resource", reserve_load(server.url + "/reserve", "distinct")))
        finally:
            server.stop()
        ids = asyncio.run(_add_resources(url, 4))
        server = ServerProcess(server_env(url)).start()
        try:
            reserve_load(server.url + "/reserve", "distinct", 2.0, offset=8_000_000)  # warm-up
            rows.append(("5 resources, any resource", reserve_load(server.url + "/reserve", "distinct",
                                                                   offset=1_000_000)))
            rows.append(("5 resources, named round robin", reserve_load(server.url + "/reserve", "distinct",
                                                                        offset=2_000_000, resources=ids)))
        finally:
            server.stop()
    print("| POST /reserve, distinct slots (capacity 50) | requests/s | p50 ms | p95 ms | booked | refused | errors |")
    print("|---|---|---|---|---|---|---|")
    for label, r in rows:
        print(f"| {label} | {r['rps']:.0f} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} | {r['success']} "
              f"| {r['refused']} | {r['errors']} |")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "resources":
        resources_main()
    elif len(sys.argv) > 2 and sys.argv[1] == "--reserve-load":
        args = json.loads(sys.argv[2])
        print(json.dumps(asyncio.run(_reserve_load(**args))))
    else:
        main()
