"""A small closed-loop HTTP load generator, run in its own process.

`run_load(url, connections, seconds)` keeps `connections` requests in flight
for `seconds` and returns the throughput and latency percentiles. Benchmarks
call it through `load_in_subprocess` so the generator never shares a core's
event loop with the server under test.
"""
from __future__ import annotations

import asyncio
import json
import statistics
import subprocess
import sys
import time

import aiohttp


def percentile(samples: list[float], pct: float) -> float:
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


async def _worker(session: aiohttp.ClientSession, url: str, method: str, body: bytes | None,
                  stop_at: float, latencies: list[float], errors: list[int]) -> None:
    while time.perf_counter() < stop_at:
        started = time.perf_counter()
        try:
            async with session.request(method, url, data=body,
                                       headers={"Content-Type": "application/json"} if body else None) as resp:
                await resp.read()
                if resp.status >= 400:
                    errors.append(resp.status)
        except aiohttp.ClientError:
            errors.append(0)
        latencies.append(time.perf_counter() - started)


async def run_load(url: str, connections: int, seconds: float, method: str = "GET", body: bytes | None = None,
                   headers: dict | None = None) -> dict:
    latencies: list[float] = []
    errors: list[int] = []
    connector = aiohttp.TCPConnector(limit=connections)
    async with aiohttp.ClientSession(connector=connector, headers=headers) as session:
        stop_at = time.perf_counter() + seconds
        await asyncio.gather(*(_worker(session, url, method, body, stop_at, latencies, errors)
                               for _ in range(connections)))
    return {
        "requests": len(latencies), "errors": len(errors), "rps": len(latencies) / seconds,
        "p50_ms": percentile(latencies, 50) * 1000, "p95_ms": percentile(latencies, 95) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "mean_ms": statistics.fmean(latencies) * 1000 if latencies else float("nan"),
    }


def load_in_subprocess(url: str, connections: int, seconds: float, **extra) -> dict:
    spec = json.dumps({"url": url, "connections": connections, "seconds": seconds, **extra})
    out = subprocess.run([sys.executable, __file__, spec], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


if __name__ == "__main__":
    args = json.loads(sys.argv[1])
    if args.get("body") is not None:
        args["body"] = args["body"].encode()
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    print(json.dumps(asyncio.run(run_load(**args))))
