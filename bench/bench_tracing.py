"""What tracing costs: request throughput with tracing off and on (exporting to a fake OTLP collector).

Three requests, 64 connections from a separate process against a real `bin/mawid serve`:
`GET /healthz` (HTTP only), `GET /readyz` (SQL and Redis spans under the request) and a signed
`POST /webhook` delivery (enqueue SQL plus the trace context stored with the row; the same
message id each time, so after the first it is the duplicate path and no turn runs). The
collector runs in this process and receives everything the server exports (batch delay 100 ms).
Three servers (off, on, on with 10 % of traces sampled) run side by side and the rounds interleave
them, so a busy moment of a shared machine does not fall on one mode only; besides throughput, the
server's own CPU time per request (from /proc, the export thread included) is reported, which
load on the machine disturbs far less. Then, in this process, the cost of a Mawid span with
tracing off (the no-op tracer).

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python bench/bench_tracing.py [--seconds 4] [--rounds 3]
"""
from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import statistics
import time
import timeit
from pathlib import Path

from common import bench_database  # noqa: I001  (puts the repo root on sys.path first)

from bench.loadgen import load_in_subprocess
from tests.support.fake_otlp import FakeCollector
from tests.support.servers import ServerProcess
from tests.whatsapp.fakes import text_delivery

APP_SECRET = "bench-app-secret"
CONNECTIONS = 64


def _webhook_request() -> dict:
    body = json.dumps(text_delivery("966500000001", "hello", "wamid.bench-tracing")).encode()
    signature = "sha256=" + hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
    return {"method": "POST", "body": body.decode(),
            "headers": {"Content-Type": "application/json", "X-Hub-Signature-256": signature}}


REQUESTS = {"GET /healthz": ("/healthz", {}), "GET /readyz": ("/readyz", {}),
            "POST /webhook": ("/webhook", _webhook_request())}


def _cpu_seconds(server: ServerProcess) -> float:
    """User + system CPU of the server process so far (the span export thread included)."""
    fields = Path(f"/proc/{server.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _measure(server: ServerProcess, path: str, extra: dict, seconds: float) -> dict:
    before = _cpu_seconds(server)
    result = load_in_subprocess(server.url + path, CONNECTIONS, seconds, **extra)
    result["cpu_us"] = (_cpu_seconds(server) - before) / max(result["requests"], 1) * 1e6
    return result


def _noop_span_cost() -> float:
    """Nanoseconds per `with span(...)` when tracing is off (this process never configures it)."""
    from runtime.tracing import span, tracing_enabled

    assert not tracing_enabled()

    def one() -> None:
        with span("llm.tool", **{"llm.tool": "reserve_time_slot", "llm.provider": "anthropic"}):
            pass

    runs = 200_000
    return min(timeit.repeat(one, number=runs, repeat=3)) / runs * 1e9


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with bench_database() as url:
        collector = FakeCollector().start()
        base = {"DATABASE_URL": url, "LOG_LEVEL": "WARNING", "APP_SECRET": APP_SECRET, "INBOUND_WORKER": "false"}
        traced = {**base, "OTEL_EXPORTER_OTLP_ENDPOINT": collector.endpoint, "OTEL_BSP_SCHEDULE_DELAY": "100"}
        modes = {"off": base, "on": traced,
                 "on, 10 % sampled": {**traced, "OTEL_TRACES_SAMPLER": "parentbased_traceidratio",
                                      "OTEL_TRACES_SAMPLER_ARG": "0.1"}}
        servers = {mode: ServerProcess(env).start() for mode, env in modes.items()}
        results: dict[tuple[str, str], list[dict]] = {}
        try:
            for server in servers.values():
                for path, extra in REQUESTS.values():
                    load_in_subprocess(server.url + path, 16, 1.0, **extra)  # warm-up
            # Rounds interleave the modes, so a busy moment of the machine does not fall on one mode only.
            for _ in range(args.rounds):
                for name, (path, extra) in REQUESTS.items():
                    for mode, server in servers.items():
                        results.setdefault((name, mode), []).append(_measure(server, path, extra, args.seconds))
        finally:
            for server in servers.values():
                server.stop()
            time.sleep(0.5)
            exported = len(collector.spans)
            collector.stop()
    print(f"{CONNECTIONS} connections, {args.rounds} interleaved rounds of {args.seconds:.0f} s; medians of "
          "requests/s, p50 ms and server CPU µs per request\n")
    print("| request | " + " | ".join(modes) + " | CPU overhead on / sampled |")
    print("|---|" + "---|" * (len(modes) + 1))
    for name in REQUESTS:
        medians = {mode: {key: statistics.median(r[key] for r in results[(name, mode)])
                          for key in ("rps", "p50_ms", "cpu_us", "errors")} for mode in modes}
        cells = [f"{m['rps']:.0f} req/s, p50 {m['p50_ms']:.1f} ms, {m['cpu_us']:.0f} µs CPU"
                 + (f", {m['errors']:.0f} errors" if m["errors"] else "") for m in medians.values()]
        off_cpu = medians["off"]["cpu_us"]
        overheads = [f"{(medians[mode]['cpu_us'] / off_cpu - 1) * 100:+.0f} %" for mode in list(modes)[1:]]
        print(f"| {name} | " + " | ".join(cells) + f" | {' / '.join(overheads)} |")
    print(f"\nspans received by the collector: {exported}")
    print(f"a Mawid span with tracing off (no-op): {_noop_span_cost():.0f} ns")

if __name__ == "__main__":
    main()
