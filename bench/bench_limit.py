"""How close each read route of the dashboard comes to what PostgreSQL allows it (issue 22's benchmark).

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/bench_limit.py
        [--seconds 5] [--connections 8] [--workers 1 2] [--compare /path/to/another/checkout] [--rounds 1]

On the adopted fixture (shared/fixtures/reference-db restored into a private database, `bin/mawid adopt`,
migrated, vacuumed as autovacuum would leave it):
1. capture (bench/limit_capture.py): the statements each route sends, with their arguments, taken from the
   route itself through asyncpg's query logger, and its JSON answer;
2. for each route, in turn: load a real `bin/mawid serve` (loopback, `--connections` in flight, wrk when
   installed, else bench/loadgen.py in its own process), then the route's limit (bench/limit_replay.py): the
   same statements replayed on bare asyncpg connections, same concurrency, encoding the same JSON.
Prints `route  req/s  limit req/s  ratio  statements/request` per variant, the median latency of requests
sent one at a time, and the server's CPU per request under load (its processes' CPU time over the requests
served: steadier than req/s on a noisy machine, and what a change to the request path moves). `--compare`
adds another checkout (e.g. main before a change) as a variant, run interleaved with this one route by route,
so the tables share the machine's conditions; `--workers` runs this checkout's server with each worker count.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import pickle
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

import common  # noqa: F401, I001  (puts the repo root on sys.path first)
import httpx
from loadgen import load_in_subprocess

from tests.support.servers import free_port

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SECRET = "bench-limit-secret-0123456789abcdef0123456789"
# Why a route sends more than two statements (printed next to it).
WHY_MORE = {
    "/stats 30 days": "about a dozen independent aggregates (this window and the previous one), run side by side",
}


def routes(wa_id: str) -> list[dict]:
    def route(label: str, path: str, **params: str) -> dict:
        return {"label": label, "path": path, "params": params}

    return [
        route("/reservations 90 days", "/reservations", from_date="2026-09-01", to_date="2026-11-29",
              future="false"),
        route("/phone/search?q=محمد", "/phone/search", q="محمد"),
        route("/phone/search?q=0501", "/phone/search", q="0501"),
        route("/phone/all page of 50", "/phone/all", page="1", page_size="50"),
        route("/stats 30 days", "/stats", from_date="2026-10-28", to_date="2026-11-26"),
        route("/conversations/{wa_id}?limit=50", f"/conversations/{wa_id}", limit="50"),
        route("/vacations", "/vacations"),
        route("/customers/{wa_id}", f"/customers/{wa_id}"),
        route("/conversations/calendar/events", "/conversations/calendar/events", from_date="2026-11-01",
              to_date="2026-11-30"),
        route("/phone/recent", "/phone/recent"),
        route("/notifications", "/notifications"),
    ]


async def adopted_fixture() -> tuple[str, str, str]:
    import asyncpg

    from tests.adoption import support

    url = await support.create_database("mawid_bench_limit")
    support.restore_fixture(url)
    for command in (("adopt",), ("migrate",)):
        result = support.mawid(*command, database_url=url)
        if result.returncode != 0:
            raise SystemExit(f"bin/mawid {' '.join(command)} failed: {result.stdout}{result.stderr}")
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("VACUUM (ANALYZE)")
        wa_id = await conn.fetchval("SELECT wa_id FROM conversation GROUP BY wa_id ORDER BY count(*) DESC, wa_id"
                                    " LIMIT 1")
        # tokens must name an existing, active account (runtime/auth.py checks it on every request)
        user_id = await conn.fetchval("INSERT INTO users (email, hashed_password, role) VALUES"
                                      " ('bench-limit@example.com', '!', 'staff') RETURNING id::text")
    finally:
        await conn.close()
    return url, wa_id, user_id


def http_load(url: str, token: str, connections: int, seconds: float) -> tuple[float, int]:
    """Successful requests per second, and how many requests failed (reported, not hidden)."""
    header = f"Authorization: Bearer {token}"
    if shutil.which("wrk"):
        out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "-H", header, url],
                             capture_output=True, text=True, check=True).stdout
        failed = sum(int(n) for n in re.findall(r"(?:Non-2xx or 3xx responses|timeout) (\d+)", out.replace(":", "")))
        total = int(re.search(r"(\d+) requests in", out).group(1))
        return (total - failed) / float(re.search(r"requests in ([\d.]+)s", out).group(1)), failed
    result = load_in_subprocess(url, connections, seconds, headers={"Authorization": f"Bearer {token}"})
    return (result["requests"] - result["errors"]) / seconds, result["errors"]


def tree_cpu_seconds(root_pid: int) -> float:
    """CPU seconds used so far by a process and its live descendants (a server's workers), from Linux's /proc."""
    usage: dict[int, tuple[int, float]] = {}  # pid -> (parent pid, CPU seconds)
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # ended meanwhile
        usage[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick)
    tree, grew = {root_pid}, True
    while grew:
        grown = tree | {pid for pid, (parent, _) in usage.items() if parent in tree}
        grew, tree = grown != tree, grown
    return sum(usage[pid][1] for pid in tree if pid in usage)


def served_with_cpu(variant: "Variant", url: str, token: str, connections: int,
                    seconds: float) -> tuple[float, int, float]:
    """http_load's answer, and the server's CPU microseconds per request served meanwhile."""
    cpu_before, started = tree_cpu_seconds(variant.process.pid), time.monotonic()
    rps, failed = http_load(url, token, connections, seconds)
    served = rps * (time.monotonic() - started)
    return rps, failed, (tree_cpu_seconds(variant.process.pid) - cpu_before) / max(served, 1) * 1e6


def one_at_a_time_ms(url: str, token: str, seconds: float) -> float:
    """The median latency of requests sent one at a time (one connection): what one user waits."""
    if not shutil.which("wrk"):
        return load_in_subprocess(url, 1, seconds, headers={"Authorization": f"Bearer {token}"})["p50_ms"]
    out = subprocess.run(["wrk", "-t1", "-c1", f"-d{max(1, round(seconds))}s", "--latency", "-H",
                          f"Authorization: Bearer {token}", url], capture_output=True, text=True, check=True).stdout
    value, unit = re.search(r"50%\s+([\d.]+)(us|ms|s)", out).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def limit(capture: str, label: str, url: str, connections: int, seconds: float, processes: int) -> float:
    """The replay, in as many processes as the server has workers (each with its share of the connections)."""
    share = max(1, connections // processes)
    runs = [subprocess.Popen([sys.executable, str(HERE / "limit_replay.py"), capture, label, str(share),
                              str(seconds), url], stdout=subprocess.PIPE, text=True) for _ in range(processes)]
    return sum(json.loads(run.communicate()[0])["rps"] for run in runs)


class Variant:
    def __init__(self, name: str, root: Path, workers: int, database_url: str, wa_id: str, user_id: str) -> None:
        self.name, self.root, self.workers = name, root, workers
        self.capture = tempfile.NamedTemporaryFile(suffix=".pickle", delete=False).name
        spec = json.dumps({"routes": routes(wa_id), "secret": SECRET, "user": user_id})
        subprocess.run([sys.executable, str(HERE / "limit_capture.py"), str(root), database_url, spec, self.capture],
                       cwd=root, check=True)
        with open(self.capture, "rb") as handle:
            self.statements = {label: len(route["statements"]) for label, route in pickle.load(handle).items()}
        self.rows: list[tuple[str, float, float, int, int, float, float]] = []
        self.ceiling = self.ceiling_cpu_us = 0.0

    def start_server(self, database_url: str) -> None:
        env = {**os.environ, "DATABASE_URL": database_url, "JWT_SECRET": SECRET, "LOG_LEVEL": "WARNING",
               "LOG_FORMAT": "text", "SCHEDULER_ENABLED": "false", "MAWID_NO_REEXEC": "1", "HOST": "127.0.0.1",
               "DB_POOL_MAX": "10",  # several servers at once on one PostgreSQL (max_connections 100)
               "PORT": str(free_port())}
        env.pop("REDIS_URL", None)  # the embedded default: no Redis
        if self.workers > 1:
            env["WORKERS"] = str(self.workers)
        self.url = f"http://127.0.0.1:{env['PORT']}"
        self.process = subprocess.Popen([sys.executable, str(self.root / "bin" / "mawid"), "serve"], env=env,
                                        cwd=self.root, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.name}: the server exited ({self.process.returncode})")
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise SystemExit(f"{self.name}: the server did not become healthy")

    def stop_server(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def print_table(variant: Variant) -> None:
    print(f"\n{variant.name}  (workers: {variant.workers}; /healthz, the HTTP ceiling: {variant.ceiling:.0f} req/s,"
          f" server CPU {variant.ceiling_cpu_us:.0f} µs/request)")
    print(f"{'route':36} {'req/s':>8} {'limit req/s':>12} {'ratio':>6} {'statements/request':>19}"
          f" {'one at a time ms':>17} {'server CPU µs/request':>22}")
    for label, rps, limit_rps, statements, failed, single, cpu_us in variant.rows:
        why = f"  ({WHY_MORE[label]})" if statements > 2 and label in WHY_MORE else ""
        errors = f"  [{failed} failed requests]" if failed else ""
        print(f"{label:36} {rps:8.1f} {limit_rps:12.1f} {rps / limit_rps:6.0%} {statements:19d} {single:17.1f}"
              f" {cpu_us:22.0f}{why}{errors}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, nargs="+", default=[1])
    parser.add_argument("--compare", type=Path, help="another checkout, run as a variant (single worker)")
    parser.add_argument("--only", default="", help="only the routes whose label contains this text")
    args = parser.parse_args()
    from runtime.auth import TokenCodec
    from runtime.config import load_config
    from runtime.routes import Role
    from tests.adoption import support

    url, wa_id, user_id = asyncio.run(adopted_fixture())
    config = load_config({"DATABASE_URL": url, "JWT_SECRET": SECRET, "ACCESS_TOKEN_TTL": "86400"})
    token = TokenCodec.from_config(config).issue(user_id, "bench-limit@example.com", Role.STAFF)
    try:
        variants = []
        if args.compare:
            variants.append(Variant(f"compare: {args.compare}", args.compare.resolve(), 1, url, wa_id, user_id))
        variants += [Variant(f"this checkout: {ROOT}", ROOT, n, url, wa_id, user_id) for n in args.workers]
        # One server at a time (started for each route): several idle servers' pools would hold sessions that
        # PostgreSQL's max_connections (shared with whatever else runs) cannot spare.
        for variant in variants:  # the server's own ceiling: no statement, a tiny answer
            variant.start_server(url)
            try:
                variant.ceiling, variant.ceiling_cpu_us = served_with_cpu(
                    variant, f"{variant.url}/healthz", token, args.connections, args.seconds)[::2]
            finally:
                variant.stop_server()
        for route in routes(wa_id):
            if args.only and args.only not in route["label"]:
                continue
            for variant in variants:  # interleaved: each route's variants run one after the other
                variant.start_server(url)
                try:
                    path = f"{variant.url}{urllib.parse.quote(route['path'])}?{urllib.parse.urlencode(route['params'])}"
                    http_load(path, token, args.connections, 1)  # warm-up: pools, plans, caches of a new server
                    rps, failed, cpu_us = served_with_cpu(variant, path, token, args.connections, args.seconds)
                    single = one_at_a_time_ms(path, token, max(1.0, args.seconds / 2))
                finally:
                    variant.stop_server()
                limit_rps = limit(variant.capture, route["label"], url, args.connections, args.seconds,
                                  variant.workers)
                variant.rows.append((route["label"], rps, limit_rps, variant.statements[route["label"]], failed,
                                     single, cpu_us))
                print(f"  {variant.name[-40:]:40} w{variant.workers} {route['label']:36} {rps:8.1f} req/s"
                      f"  limit {limit_rps:8.1f}  one at a time {single:6.1f} ms  server CPU {cpu_us:5.0f} µs/request",
                      flush=True)
        for variant in variants:
            print_table(variant)
            os.unlink(variant.capture)
    finally:
        asyncio.run(support.drop_database(url))


if __name__ == "__main__":
    main()
