"""Event publishing throughput: N events from concurrent producers in one process (sequenced, logged, bused)."""
from __future__ import annotations

import argparse
import asyncio
import time

from common import bench_database  # noqa: I001  (puts the repo root on sys.path first)

from bench.loadgen import percentile
from runtime.auth import TokenCodec
from runtime.bus import LocalBus
from runtime.config import load_config
from runtime.db import create_pool
from runtime.events import publish
from runtime.services import Services


async def measure(url: str, events: int, producers: int) -> dict:
    config = load_config({"DATABASE_URL": url})
    services = Services(config=config, tokens=TokenCodec.from_config(config))
    services.pool = await create_pool(url, min_size=2, max_size=10)
    services.bus = LocalBus()
    latencies: list[float] = []

    async def producer(index: int) -> None:
        for n in range(events // producers):
            started = time.perf_counter()
            await publish(services, "conversation_new_message",
                          {"wa_id": f"9665{index:08d}", "message": f"m{n}", "_source": "bench"})
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(producer(i) for i in range(producers)))
    elapsed = time.perf_counter() - started
    await services.pool.close()
    return {"rate": len(latencies) / elapsed, "p50": percentile(latencies, 50) * 1000,
            "p99": percentile(latencies, 99) * 1000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--producers", type=int, default=50)
    args = parser.parse_args()
    with bench_database() as url:
        result = asyncio.run(measure(url, args.events, args.producers))
    print("| events | producers | events/s | p50 ms | p99 ms |")
    print("|---|---|---|---|---|")
    print(f"| {args.events} | {args.producers} | {result['rate']:.0f} | {result['p50']:.1f} | {result['p99']:.1f} |")


if __name__ == "__main__":
    main()
