"""`serve --workers N`: N server processes sharing one port, as replicas of one deployment.

Each worker is a whole `serve` process (its own pools, actors and hub) listening with SO_REUSEPORT, so the
kernel spreads connections over them. They share what replicas share: scheduled jobs through leader election,
the inbound queue through the database, events through Redis or, without it, PostgreSQL LISTEN/NOTIFY
(runtime/bus_postgres.py). This process only starts them, forwards SIGTERM/SIGINT, and stops them all when one
exits on its own (a supervisor, systemd or Docker, then restarts the server as a whole).
"""
from __future__ import annotations

import ctypes
import logging
import os
import signal
import subprocess
import sys
from pathlib import Path

log = logging.getLogger("mawid.workers")

WORKER_ENV = "MAWID_WORKER"  # set in each worker: its index (it then serves instead of starting workers)
MAWID = Path(__file__).resolve().parents[1] / "mawid"
_PR_SET_PDEATHSIG = 1


def is_worker() -> bool:
    return bool(os.environ.get(WORKER_ENV))


def _die_with_parent() -> None:
    """In the child before exec: a SIGKILLed parent takes its workers with it (Linux; elsewhere, no-op)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


def run_workers(count: int, host: str, port: int) -> int:
    """Start `count` workers on host:port and wait for them; the exit code is the first failing worker's."""
    procs: dict[int, subprocess.Popen] = {}
    stopping = False

    def stop_all(signum: int, frame: object = None) -> None:
        nonlocal stopping
        stopping = True
        for proc in procs.values():
            if proc.poll() is None:
                proc.send_signal(signum)

    signal.signal(signal.SIGTERM, stop_all)
    signal.signal(signal.SIGINT, stop_all)
    for index in range(count):
        env = {**os.environ, WORKER_ENV: str(index + 1), "WORKERS": str(count), "MAWID_NO_REEXEC": "1"}
        # Own session: a terminal's Ctrl-C reaches this process only, which forwards it once.
        proc = subprocess.Popen([sys.executable, str(MAWID), "serve", "--host", host, "--port", str(port)],
                                env=env, start_new_session=True, preexec_fn=_die_with_parent)
        procs[proc.pid] = proc
    log.warning("serving on %s:%s with %d worker processes", host, port, count)
    exit_code = 0
    while procs:
        pid, status = os.wait()
        proc = procs.pop(pid, None)
        if proc is None:
            continue
        code = os.waitstatus_to_exitcode(status)
        proc.returncode = code
        if code not in (0, -signal.SIGTERM, -signal.SIGINT) and exit_code == 0:
            exit_code = code if code > 0 else 1
        if not stopping:
            log.warning("worker %d exited (code %s): stopping the others", pid, code)
            stop_all(signal.SIGTERM)
    return exit_code
