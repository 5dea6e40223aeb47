"""Private PostgreSQL and Redis servers that a test may stop and start at will.

Fault-injection tests must not disturb the shared services other tests use,
so each gets its own cluster / server on a free port under a temporary directory.
As root a cluster runs as `postgres`, so that directory must be reachable by that user.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

from tests.support.servers import ROOT, free_port


def _postgres_can_reach(directory: Path) -> bool:
    command = ["runuser", "-u", "postgres", "--", "test", "-x", str(directory)]
    return subprocess.run(command, capture_output=True, timeout=30).returncode == 0


def cluster_root(kind: str) -> Path:
    """A fresh directory for a private cluster: under var/faults like the rest of what tests leave, unless the
    suite runs as root in a checkout the `postgres` user cannot reach (a clone under a private directory),
    then in the system's temporary directory, which everyone may traverse. The caller removes it."""
    base = ROOT / "var" / "faults"
    base.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0 and not _postgres_can_reach(base):
        root = Path(tempfile.mkdtemp(prefix=f"mawid-{kind}-"))
        root.chmod(0o755)
        return root
    return base / f"{kind}-{uuid.uuid4().hex[:8]}"


def stop_cluster(bindir: Path | None, data: Path, mode: str = "fast") -> None:
    """Stop the cluster of one data directory (one a test started itself), if it runs."""
    if bindir is None or not (data / "postmaster.pid").exists():
        return
    command = [str(bindir / "pg_ctl"), "-D", str(data), "-m", mode, "-w", "stop"]
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    subprocess.run(command, capture_output=True, timeout=60)


def pg_bindir() -> Path | None:
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
    for directory in reversed(candidates):
        if (directory / "initdb").exists():
            return directory
    found = shutil.which("initdb")
    return Path(found).parent if found else None


class PrivatePostgres:
    def __init__(self, root: Path) -> None:
        self.bindir = pg_bindir()
        self.root = root
        self.data = root / "data"
        self.port = free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    @property
    def available(self) -> bool:
        return self.bindir is not None

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(self.bindir / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, capture_output=True, text=True, check=check, timeout=120)

    def init(self) -> "PrivatePostgres":
        self.root.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8")
        return self

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"), "-w", "-t", "60",
                  "-o", f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", check=False)


class PrivateRedis:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    @property
    def available(self) -> bool:
        return shutil.which("redis-server") is not None

    def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no",
             "--dir", str(self.root)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True).returncode == 0:
                return
            time.sleep(0.05)
        raise RuntimeError("private redis did not start")

    def stall(self) -> None:
        """SIGSTOP: the port still accepts connections (the kernel's backlog) but nothing is ever answered."""
        assert self.process is not None and self.process.poll() is None
        os.kill(self.process.pid, signal.SIGSTOP)

    def resume(self) -> None:
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGCONT)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.resume()  # a stalled server would not act on SIGTERM
            self.process.terminate()
            self.process.wait(10)
