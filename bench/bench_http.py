"""`/healthz` throughput at 64 connections, load generated from a separate process."""
from __future__ import annotations

from common import bench_database  # noqa: I001  (puts the repo root on sys.path first)

from bench.loadgen import load_in_subprocess
from tests.support.servers import ServerProcess


def main() -> None:
    with bench_database() as url:
        server = ServerProcess({"LOG_LEVEL": "WARNING", "DATABASE_URL": url}).start()
        try:
            result = _measure(server)
        finally:
            server.stop()
    print("| endpoint | connections | requests/s | p50 ms | p95 ms | p99 ms | errors |")
    print("|---|---|---|---|---|---|---|")
    print(f"| GET /healthz | 64 | {result['rps']:.0f} | {result['p50_ms']:.2f} | {result['p95_ms']:.2f} "
          f"| {result['p99_ms']:.2f} | {result['errors']} |")


def _measure(server: ServerProcess) -> dict:
    load_in_subprocess(server.url + "/healthz", 16, 1.0)  # warm-up
    return load_in_subprocess(server.url + "/healthz", 64, 10.0)


if __name__ == "__main__":
    main()
