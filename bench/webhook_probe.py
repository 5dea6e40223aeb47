"""Where does a co-located webhook's ack latency go? Measurements for `bench_webhook.py --probe`.

While the load runs this samples, without touching the server's code:
- `pg_stat_activity` every few milliseconds: what the webhook's and the workers' database
  sessions are doing (CPU, or waiting on which lock / WAL / client);
- CPU time per process group from /proc (webhook, workers, load generator, their PostgreSQL
  backends, PostgreSQL's own background processes) and the box's CPU pressure stall;
- the webhook process's own request-duration histogram (`/metrics`), i.e. the time its handler
  (and middlewares) took, to compare with what the client saw.
"""
from __future__ import annotations

import asyncio
import contextlib
import os
import threading
import time
from collections import Counter

import asyncpg
import httpx

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK
    except (OSError, IndexError):
        return 0.0


def children(pid: int) -> list[int]:
    with contextlib.suppress(OSError):
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    return []


def tree_cpu_seconds(pid: int) -> float:
    """A process's CPU seconds and its children's (a server's helper processes)."""
    return cpu_seconds(pid) + sum(map(cpu_seconds, children(pid)))


def steal_seconds() -> float:
    """CPU time the hypervisor gave to others while this VM's vCPUs wanted it (all vCPUs)."""
    with contextlib.suppress(OSError, IndexError), open("/proc/stat") as f:
        return int(f.readline().split()[8]) / TICK
    return 0.0


def cpu_pressure_us() -> int:
    with contextlib.suppress(OSError), open("/proc/pressure/cpu") as f:
        return int(f.readline().split("total=")[1])
    return 0


def webhook_histogram(url: str) -> dict[float, float]:
    """Cumulative bucket counts of POST /webhook from the server's own middleware."""
    text = httpx.get(url + "/metrics", timeout=5).text
    buckets: dict[float, float] = {}
    for line in text.splitlines():
        if line.startswith("http_request_duration_seconds_bucket") and 'endpoint="/webhook"' in line \
                and 'method="POST"' in line:
            le = line.split('le="')[1].split('"')[0]
            buckets[float("inf") if le == "+Inf" else float(le)] = float(line.rsplit(" ", 1)[1])
    return buckets


async def tier_cpu_seconds(db_url: str, pids: list[int], application_name: str) -> tuple[float, float]:
    """CPU seconds used so far by some processes (and their children) and by their PostgreSQL sessions."""
    conn = await asyncpg.connect(db_url)
    try:
        sessions = await conn.fetch("SELECT pid FROM pg_stat_activity WHERE application_name = $1", application_name)
    finally:
        await conn.close()
    own = sum(map(tree_cpu_seconds, pids))
    return own, sum(cpu_seconds(row["pid"]) for row in sessions)


class DiskProbe:
    """An 8 kB write and fdatasync every 10 ms beside PostgreSQL's data directory (a local database only):
    a disk stall there is one for the WAL flush that every acknowledgement waits on."""

    def __init__(self, directory: str) -> None:
        self.path = os.path.join(directory, "mawid_bench_fsync_probe.tmp")
        self.slow: list[tuple[float, float]] = []  # (monotonic start, seconds) of syncs slower than 20 ms
        self.count = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> "DiskProbe":
        self._thread.start()
        return self

    def _run(self) -> None:
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            while not self._stop.wait(0.01):
                started = time.monotonic()
                os.pwrite(fd, b"x" * 8192, (self.count % 128) * 8192)
                os.fdatasync(fd)
                self.count += 1
                if time.monotonic() - started > 0.02:
                    self.slow.append((started, time.monotonic() - started))
        finally:
            os.close(fd)
            os.unlink(self.path)

    def stop(self, since: float) -> str:
        self._stop.set()
        self._thread.join()
        worst = sorted(self.slow, key=lambda s: -s[1])[:5]
        return (f"disk: {len(self.slow)} of {self.count} probe fdatasyncs over 20 ms; slowest "
                + (", ".join(f"{d * 1000:.0f} ms at +{t - since:.1f} s" for t, d in worst) or "none"))


class Probe:
    def __init__(self, db_url: str, webhook_url: str, groups: dict[str, list[int]]) -> None:
        self.db_url = db_url
        self.webhook_url = webhook_url
        self.groups = groups  # name -> process ids (python processes)
        self.waits: dict[str, Counter] = {}
        self.cpu_queries: dict[str, Counter] = {}  # what active sessions not waiting on anything were running
        self.timeline: list[tuple[float, frozenset[str]]] = []  # (monotonic, what worker sessions were running)
        self.webhook_timeline: list[tuple[float, tuple[str, ...]]] = []  # (monotonic, webhook sessions' states)
        self.samples = 0
        self._task: asyncio.Task | None = None
        self.disk: DiskProbe | None = None  # set by start() when the database's data directory is on this machine

    async def start(self) -> None:
        self.hist0 = await asyncio.to_thread(webhook_histogram, self.webhook_url)
        self.pressure0, self.wall0, self.steal0 = cpu_pressure_us(), time.monotonic(), steal_seconds()
        self.cpu0 = await self._cpu_by_group()
        self._task = asyncio.create_task(self._sample())
        with contextlib.suppress(Exception):  # a remote database, or one whose data directory is not ours
            conn = await asyncpg.connect(self.db_url)
            try:
                directory = await conn.fetchval("SHOW data_directory")
            finally:
                await conn.close()
            self.disk = DiskProbe(directory).start()

    async def stop(self, slow_ack_times: list[float] = ()) -> str:
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        cpu1 = await self._cpu_by_group()
        wall = time.monotonic() - self.wall0
        pressure = (cpu_pressure_us() - self.pressure0) / 1e6
        hist1 = await asyncio.to_thread(webhook_histogram, self.webhook_url)
        disk = "\n" + self.disk.stop(self.wall0) if self.disk is not None else ""
        return self._report(cpu1, wall, pressure, hist1) + "\n" + self._slow_report(slow_ack_times) + disk

    def _slow_report(self, slow_ack_times: list[float]) -> str:
        """Which worker statements were running more often in the 100 ms slices with slow acks."""
        slices: dict[int, list[frozenset[str]]] = {}
        for at, running in self.timeline:
            slices.setdefault(int(at * 10), []).append(running)
        slow = Counter(int(t * 10) for t in slow_ack_times)
        with_slow = [k for k in slices if slow[k]]
        without = [k for k in slices if not slow[k]]

        def share(keys: list[int]) -> Counter:
            counts: Counter = Counter()
            for k in keys:
                for running in slices[k]:
                    counts.update(running)
            total = sum(len(slices[k]) for k in keys) or 1
            return Counter({name: n / total for name, n in counts.items()})

        a, b = share(with_slow), share(without)
        lines = [f"{len(slow_ack_times)} acks > 10 ms in {len(with_slow)} of {len(slices)} 100 ms slices; "
                 "worker statements running (share of samples) in slices with / without slow acks:"]
        for name in sorted(set(a) | set(b), key=lambda n: -(a[n] - b[n]))[:8]:
            lines.append(f"    {a[name]:.2f} / {b[name]:.2f}  {name}")
        webhook_slices: dict[int, Counter] = {}
        for at, states in self.webhook_timeline:
            webhook_slices.setdefault(int(at * 10), Counter()).update(states)
        start = min(slices, default=0)
        for k, n in slow.most_common(4):
            lines.append(f"    slice +{(k - start) / 10:.1f} s: {n} slow acks; webhook sessions "
                         + ", ".join(f"{s} {c}" for s, c in webhook_slices.get(k, Counter()).most_common(5)))
        return "\n".join(lines)

    async def _cpu_by_group(self) -> dict[str, float]:
        conn = await asyncpg.connect(self.db_url)
        try:
            rows = await conn.fetch("SELECT pid, application_name, backend_type FROM pg_stat_activity")
            wal = await conn.fetchrow("SELECT wal_records AS records, wal_fpi AS fpi, wal_bytes::float8 AS bytes, "
                                      "wal_write AS write, wal_sync AS sync FROM pg_stat_wal")
        finally:
            await conn.close()
        totals: Counter = Counter()
        for name, pids in self.groups.items():
            for pid in pids:
                # not this process's children: the load generator is a group of its own
                totals[name] += cpu_seconds(pid) if pid == os.getpid() else tree_cpu_seconds(pid)
        for row in rows:
            if row["backend_type"] == "client backend":
                group = f"pg:{row['application_name'] or 'other'}"
            else:
                group = "pg:background"
            totals[group] += cpu_seconds(row["pid"])
        totals.update({f"wal.{k}": float(v) for k, v in wal.items()})
        return totals

    async def _sample(self) -> None:
        conn = await asyncpg.connect(self.db_url)
        try:
            while True:
                rows = await conn.fetch(
                    "SELECT application_name, state, wait_event_type, wait_event, "
                    "left(ltrim(query, E'- \\n'), 48) AS query FROM pg_stat_activity "
                    "WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()")
                self.samples += 1
                self.timeline.append((time.monotonic(), frozenset(
                    row["query"][:40].replace("\n", " ") for row in rows
                    if row["state"] == "active" and row["application_name"] == "mawid-worker")))
                self.webhook_timeline.append((time.monotonic(), tuple(
                    f"{row['state']}:{row['wait_event'] or 'CPU'}" for row in rows
                    if row["application_name"] == "mawid-webhook")))
                for row in rows:
                    if row["state"] != "active":
                        continue
                    app = row["application_name"] or "other"
                    wait = f"{row['wait_event_type']}:{row['wait_event']}" if row["wait_event_type"] else "CPU"
                    self.waits.setdefault(app, Counter())[wait] += 1
                    if wait == "CPU":
                        self.cpu_queries.setdefault(app, Counter())[row["query"].replace("\n", " ")] += 1
                await asyncio.sleep(0.005)
        finally:
            await conn.close()

    def _report(self, cpu1: dict[str, float], wall: float, pressure: float, hist1: dict[float, float]) -> str:
        lines = [f"probe over {wall:.1f} s wall, {self.samples} pg_stat_activity samples; "
                 f"CPU pressure (some task waiting for a CPU) {pressure / wall:.0%} of the time; "
                 f"hypervisor steal {steal_seconds() - self.steal0:.2f} CPU-s"]
        lines.append("CPU seconds by group: " + ", ".join(
            f"{name} {cpu1[name] - self.cpu0.get(name, 0):.1f}" for name in sorted(cpu1, key=lambda n: -cpu1[n])
            if not name.startswith("wal.") and cpu1[name] - self.cpu0.get(name, 0) >= 0.05))
        wal = {k[4:]: cpu1[k] - self.cpu0.get(k, 0) for k in cpu1 if k.startswith("wal.")}
        lines.append(f"WAL: {wal['records']:.0f} records, {wal['fpi']:.0f} full-page images, "
                     f"{wal['bytes'] / 1e6:.1f} MB, {wal['write']:.0f} writes, {wal['sync']:.0f} syncs")
        for app, waits in sorted(self.waits.items()):
            total = sum(waits.values())
            top = ", ".join(f"{w} {n / total:.0%}" for w, n in waits.most_common(8))
            lines.append(f"active {app} sessions ({total / max(self.samples, 1):.2f} on average): {top}")
            running = self.cpu_queries.get(app, Counter())
            lines.extend(f"    on CPU {n / self.samples:.2f} sessions: {q}" for q, n in running.most_common(4))
        n = hist1.get(float("inf"), 0) - self.hist0.get(float("inf"), 0)
        if n:
            shares = ", ".join(f"<= {le * 1000:g} ms {(hist1[le] - self.hist0.get(le, 0)) / n:.2%}"
                               for le in sorted(hist1) if le <= 0.1)
            lines.append(f"server-side POST /webhook durations ({n:.0f} requests): {shares}")
        return "\n".join(lines)
