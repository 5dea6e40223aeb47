"""Webhook acknowledgement latency under load, and end-to-end inbound throughput.

A real `bin/mawid serve` talks to a fake WhatsApp Cloud API and a fake Anthropic API
(on loopback, in this process) that takes 2 s per turn. A separate process sends
signed deliveries open-loop at a fixed rate (500/s by default), each one message
from one of 1,000 customers in turn, and records how long each webhook took to
answer 200 — by then the message is in the durable queue. Then we wait for every
message to be answered and report messages/s end to end. The load generator is
`bench/lean_client.py`: on this box it shares the CPUs with the server it measures.

    .venv/bin/python bench/bench_webhook.py [--rate 500] [--seconds 10] [--customers 1000] [--llm-delay 2]
"""
from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import os
import subprocess
import sys
import time

import asyncpg
from common import bench_database  # noqa: I001  (puts the repo root on sys.path first)

from bench.loadgen import percentile
from bench.placement import deprioritize, nice_sessions, split_cores, tiers
from bench.webhook_probe import tier_cpu_seconds
from tests.support.servers import ServerProcess
from tests.whatsapp.fake_llm import FakeLLM
from tests.whatsapp.fakes import FakeGraph, text_delivery

APP_SECRET = "bench-app-secret"


# -- the load generator (runs in its own process) -------------------------------------------------
async def generate(url: str, rate: float, seconds: float, customers: int, run_id: str) -> dict:
    from urllib.parse import urlsplit

    from bench.lean_client import LeanClient

    total = int(rate * seconds)
    target = urlsplit(url)
    client = LeanClient(target.hostname, target.port, limit=256)
    requests = []
    for i in range(total):
        wa_id = str(966500000000 + i % customers)
        body = json.dumps(text_delivery(wa_id, f"hello {i}", f"wamid.bench{run_id}.{i}")).encode()
        signature = "sha256=" + hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
        requests.append(client.render(target.path, body, {"Content-Type": "application/json",
                                                          "X-Hub-Signature-256": signature}))
    latencies: list[float] = []
    errors: list[int] = []
    lateness: list[float] = []
    slow_at: list[float] = []  # when (time.monotonic, shared with the probe) each ack slower than 10 ms was sent
    lags: list[float] = []  # this process's own event-loop lag: is the load generator itself starved?
    async def send(request: bytes) -> None:
        started = time.perf_counter()
        try:
            status = await client.post(request)
        except OSError:
            status = 0
        if status != 200:
            errors.append(status)
        latencies.append(time.perf_counter() - started)
        if latencies[-1] > 0.010:
            slow_at.append(time.monotonic() - latencies[-1])

    async def watch_lag() -> None:
        while True:
            before = time.perf_counter()
            await asyncio.sleep(0.001)
            lags.append(time.perf_counter() - before - 0.001)

    tasks = []
    start, cpu_start = time.perf_counter(), time.process_time()
    lag_watch = asyncio.create_task(watch_lag())
    for i, request in enumerate(requests):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        else:
            lateness.append(-delay)
        tasks.append(asyncio.create_task(send(request)))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - start
    lag_watch.cancel()
    client.close()
    return {"generator_cpu_s": time.process_time() - cpu_start, "generator_lag_p99_ms": percentile(lags, 99) * 1000,
            "generator_lag_max_ms": max(lags, default=0) * 1000, "late_sends": len(lateness),
            "slow_ack_times": slow_at,
            "sent": total, "errors": len(errors), "offered_rate": total / elapsed,
            "p50_ms": percentile(latencies, 50) * 1000, "p99_ms": percentile(latencies, 99) * 1000,
            "max_ms": max(latencies) * 1000, "generator_late_max_ms": max(lateness, default=0) * 1000}


# -- the benchmark ----------------------------------------------------------------------------------
async def wait_until_done(db_url: str, expected: int, within: float) -> tuple[float, dict]:
    conn = await asyncpg.connect(db_url)
    try:
        deadline = time.monotonic() + within
        while True:
            done = await conn.fetchval("SELECT count(*) FROM inbound_message_queue WHERE status = 'done'")
            if done >= expected or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.2)
        stats = await conn.fetchrow("""
            SELECT count(*) FILTER (WHERE status = 'done') AS done,
                   count(*) FILTER (WHERE status = 'failed') AS failed,
                   extract(epoch FROM max(done_at) - min(created_at))::float8 AS span,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM done_at - created_at)) AS p50,
                   percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM done_at - created_at)) AS p99
            FROM inbound_message_queue""")
        replies = await conn.fetchval("SELECT count(*) FROM whatsapp_outbound WHERE idempotency_key LIKE 'reply:%'")
        return time.monotonic(), {**dict(stats), "replies": replies}
    finally:
        await conn.close()


async def settle_disk(db_url: str) -> None:
    """Write out what creating and migrating the bench database left dirty, before measuring: the kernel
    flushed it ~30 s later (dirty_expire), in the middle of the run, and the WAL fsyncs the webhook's
    acknowledgements wait on queued behind it for hundreds of milliseconds. A database in service has
    no such backlog of a moment ago."""
    conn = await asyncpg.connect(db_url)
    try:
        await conn.execute("CHECKPOINT")
    finally:
        await conn.close()
    await asyncio.to_thread(os.sync)


async def run(args: argparse.Namespace, db_url: str) -> None:
    graph = await FakeGraph().start()
    llm = await FakeLLM(delay=args.llm_delay).start()
    env = {"DATABASE_URL": db_url, "APP_SECRET": APP_SECRET, "LOG_LEVEL": "WARNING",
           "INBOUND_QUEUE_CONCURRENCY": str(args.concurrency), "DB_POOL_MAX": "15",
           **graph.env(), **llm.env("anthropic")}
    # One process receives webhooks only; worker processes run the turns (INBOUND_WORKER), so a
    # burst of LLM turns never competes with acknowledgements on one event loop.
    # the database sessions are named so that --nice-worker-sessions and --probe can tell them apart
    def named(app: str) -> str:
        return db_url + ("&" if "?" in db_url else "?") + f"application_name={app}"

    server = await asyncio.to_thread(lambda: ServerProcess({**env, "INBOUND_WORKER": "false",
                                                            "DATABASE_URL": named("mawid-webhook")}).start())
    worker_env = {**env, "DATABASE_URL": named("mawid-worker"), "DB_POOL_MAX": str(args.worker_db_pool)}
    workers = [await asyncio.to_thread(lambda: ServerProcess(worker_env).start())
               for _ in range(args.worker_processes)]
    for process in workers:  # as if the webhook tier had its own cores: turns never delay an ack
        deprioritize(process.process.pid, args.worker_nice, args.idle_workers)
    renicer = (asyncio.create_task(nice_sessions(db_url, args.worker_nice, args.idle_workers))
               if args.nice_worker_sessions else None)
    pinner = (asyncio.create_task(split_cores(db_url, [server.process.pid],
                                              [w.process.pid for w in workers] + [os.getpid()]))
              if args.split_cores else None)
    try:
        # Warm-up: connections, SDK clients, actor activation paths.
        await asyncio.to_thread(_generate_in_subprocess, server.url, 50, 1, 50, "warmup")
        if workers:
            await wait_until_done(db_url, 50, 60)
        await settle_disk(db_url)
        turn_cpu_before = await tier_cpu_seconds(db_url, [w.process.pid for w in workers], "mawid-worker")
        probe = None
        if args.probe:
            from webhook_probe import Probe

            probe = Probe(db_url, server.url, {"webhook": [server.process.pid],
                                               "workers": [w.process.pid for w in workers],
                                               "bench (fake LLM and Graph, probe)": [os.getpid()]})
            await probe.start()
        result = await asyncio.to_thread(_generate_in_subprocess, server.url, args.rate, args.seconds,
                                         args.customers, "run", args.generator_nice,
                                         sorted(tiers()[0 if args.split_cores == "generator-with-webhook" else 1])
                                         if args.split_cores else None)
        if probe is not None:
            print(await probe.stop(result["slow_ack_times"]))
            print("load generator:", json.dumps({k: v for k, v in result.items() if "generator" in k
                                                 or k == "late_sends"}))
        expected = 50 + result["sent"]
        e2e = (await wait_until_done(db_url, expected, 600))[1] if workers and not args.ack_only else None
        # sessions close with their processes: measured before the stop
        turn_cpu_after = await tier_cpu_seconds(db_url, [w.process.pid for w in workers], "mawid-worker")
        turn_cpu = [after - before for after, before in zip(turn_cpu_after, turn_cpu_before)]
    finally:
        for task in (renicer, pinner):
            if task is not None:
                task.cancel()
        for process in [server, *workers]:
            await asyncio.to_thread(process.stop)
    await llm.stop()
    await graph.stop()
    if e2e is None:
        print(f"acknowledgements only: {json.dumps({k: v for k, v in result.items() if k != 'slow_ack_times'})}")
        return
    measured = e2e["done"] - 50
    print(f"Fake LLM {args.llm_delay:.0f} s per turn; {args.customers} customers; "
          f"one webhook process + {args.worker_processes} worker process(es), "
          f"INBOUND_QUEUE_CONCURRENCY={args.concurrency} and DB_POOL_MAX={args.worker_db_pool} each, "
          f"worker niceness {args.worker_nice}"
          f"{' (their database sessions too)' if args.nice_worker_sessions else ''}"
          f"{', SCHED_IDLE' if args.idle_workers else ''}"
          f"{'; tiers on their own CPUs, load generator ' + args.split_cores if args.split_cores else ''}.")
    print("| webhook deliveries | offered rate/s | ack p50 ms | ack p99 ms | ack max ms | errors |")
    print("|---|---|---|---|---|---|")
    print(f"| {result['sent']} | {result['offered_rate']:.0f} | {result['p50_ms']:.2f} | {result['p99_ms']:.2f} "
          f"| {result['max_ms']:.1f} | {result['errors']} |")
    print(f"(load generator, niceness {args.generator_nice}: its own event-loop lag p99 "
          f"{result['generator_lag_p99_ms']:.1f} ms, max {result['generator_lag_max_ms']:.1f} ms; "
          f"{result['late_sends']} sends late, at most {result['generator_late_max_ms']:.1f} ms)")
    print()
    # every count below includes the 50 warm-up messages: replies are compared with all answered messages
    print("| messages answered | failed | end-to-end messages/s | queue→done p50 s | queue→done p99 s "
          "| replies (all messages) | messages answered (all) |")
    print("|---|---|---|---|---|---|---|")
    print(f"| {measured} | {e2e['failed']} | {e2e['done'] / e2e['span']:.0f} | {e2e['p50']:.2f} "
          f"| {e2e['p99']:.2f} | {e2e['replies']} | {e2e['done']} |")
    print(f"CPU per answered message, after the warm-up: worker processes {turn_cpu[0] / measured * 1000:.1f} ms, "
          f"their database sessions {turn_cpu[1] / measured * 1000:.1f} ms (sessions opened later count whole)")


def _generate_in_subprocess(url: str, rate: float, seconds: float, customers: int, run_id: str,
                           nice: int = 0, cpus: list[int] | None = None) -> dict:
    spec = json.dumps({"url": url + "/webhook", "rate": rate, "seconds": seconds, "customers": customers,
                       "run_id": run_id, "nice": nice, "cpus": cpus})
    out = subprocess.run([sys.executable, __file__, "--generate", spec], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--generate")
    parser.add_argument("--rate", type=float, default=500)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--llm-delay", type=float, default=2.0)
    parser.add_argument("--concurrency", type=int, default=500)
    parser.add_argument("--worker-processes", type=int, default=2)
    parser.add_argument("--split-cores", choices=("generator-with-webhook", "generator-with-turns"),
                        help="Pin the webhook process and its database sessions to the first CPU and the workers, "
                             "theirs and the fake LLM/Graph to the others; the load generator to the chosen side.")
    parser.add_argument("--worker-db-pool", type=int, default=6,
                        help="DB_POOL_MAX of the worker processes. A turn's database work beyond the cores only "
                             "queues for a CPU in the kernel, beside the webhook's session; in the pool it waits "
                             "in the worker instead (15: ack p99 17-200 ms, 111-120 msg/s; 6: 12-77 ms, 133-144).")
    parser.add_argument("--worker-nice", type=int, default=10, help="Scheduling niceness of worker processes.")
    parser.add_argument("--nice-worker-sessions", action="store_true",
                        help="Also renice the workers' PostgreSQL backends (a local database only).")
    parser.add_argument("--idle-workers", action="store_true",
                        help="SCHED_IDLE instead of niceness for the workers (and, with the option above, sessions).")
    parser.add_argument("--generator-nice", type=int, default=0,
                        help="Niceness of the load generator (negative needs root): the client is not on this box "
                             "in production, so its own CPU starvation is not the webhook's latency.")
    parser.add_argument("--ack-only", action="store_true",
                        help="Report the acknowledgements without waiting for the turns (no end-to-end rate).")
    parser.add_argument("--probe", action="store_true",
                        help="Sample database waits, CPU by process group and server-side durations (webhook_probe).")
    args = parser.parse_args()
    if args.generate:
        try:
            import uvloop

            uvloop.install()
        except ImportError:
            pass
        spec = json.loads(args.generate)
        nice = spec.pop("nice", 0)
        cpus = spec.pop("cpus", None)
        if cpus:
            os.sched_setaffinity(0, cpus)
        if nice:  # Meta's servers are not on this machine: let the client's own starvation not count
            os.setpriority(os.PRIO_PROCESS, 0, nice)
        print(json.dumps(asyncio.run(generate(**spec))))
        return
    with bench_database() as db_url:
        asyncio.run(run(args, db_url))


if __name__ == "__main__":
    main()
