"""Ask round trips through the actor runtime: spread over 10,000 actors, and into one hot actor.

Run: .venv/bin/python bench/bench_actors.py [--asks N] [--concurrency N]
Latency is one ask, from the caller's `await` to its answer, with `concurrency` callers in flight.
"""

import argparse
import asyncio
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from runtime.actor_system import Actor, ActorSystem  # noqa: E402 - needs the repo root on sys.path

SPREAD_ACTORS = 10_000


@dataclass(frozen=True)
class Ping:
    n: int


class Echo(Actor):
    async def on_ping(self, msg: Ping) -> int:
        return msg.n


@dataclass
class Row:
    scenario: str
    asks: int
    seconds: float
    latencies: list[float]

    def cells(self) -> list[str]:
        cuts = statistics.quantiles(self.latencies, n=100)
        micros = [f"{cuts[p - 1] * 1e6:,.0f}" for p in (50, 95, 99)]
        return [self.scenario, f"{self.asks:,}", f"{self.asks / self.seconds:,.0f}", *micros]


async def ask_round_trips(system: ActorSystem, scenario: str, keys: list[str], asks: int, concurrency: int) -> Row:
    latencies: list[float] = []

    async def caller(first: int) -> None:
        for n in range(first, asks, concurrency):
            echo = system.ref(Echo, keys[n % len(keys)])
            sent = time.perf_counter()
            await echo.ask(Ping(n))
            latencies.append(time.perf_counter() - sent)

    started = time.perf_counter()
    await asyncio.gather(*(caller(first) for first in range(concurrency)))
    return Row(scenario, asks, time.perf_counter() - started, latencies)


async def run(asks: int, concurrency: int) -> list[Row]:
    system = ActorSystem()
    spread = [f"day-{n}" for n in range(SPREAD_ACTORS)]
    rows = [
        await ask_round_trips(
            system, f"{SPREAD_ACTORS:,} actors, first message (activation)", spread, SPREAD_ACTORS, concurrency
        ),
        await ask_round_trips(system, f"{SPREAD_ACTORS:,} actors, active", spread, asks, concurrency),
        await ask_round_trips(system, "1 hot actor", ["hot"], asks, concurrency),
        await ask_round_trips(system, "1 hot actor, one caller", ["hot"], asks // 10, 1),
    ]
    await system.stop()
    return rows


def print_table(rows: list[Row], loop_name: str, concurrency: int) -> None:
    header = ["scenario", "asks", "asks/s", "p50 µs", "p95 µs", "p99 µs"]
    table = [header, *(row.cells() for row in rows)]
    widths = [max(len(line[i]) for line in table) for i in range(len(header))]
    print(f"event loop: {loop_name}, callers in flight: {concurrency} (except 'one caller')")
    for line in table:
        print("  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(line, widths))))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--asks", type=int, default=100_000)
    parser.add_argument("--concurrency", type=int, default=100)
    args = parser.parse_args()
    try:
        import uvloop
    except ImportError:
        rows, loop_name = asyncio.run(run(args.asks, args.concurrency)), "asyncio"
    else:
        rows, loop_name = uvloop.run(run(args.asks, args.concurrency)), f"uvloop {uvloop.__version__}"
    print_table(rows, loop_name, args.concurrency)


if __name__ == "__main__":
    main()
