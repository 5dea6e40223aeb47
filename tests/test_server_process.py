"""The real server process, started the way the README starts it."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.support.servers import ROOT, ServerProcess, free_port


@pytest.fixture
def server(env):
    proc = ServerProcess(env).start()
    yield proc
    proc.stop()


def test_served_by_bin_mawid(server):
    assert httpx.get(server.url + "/healthz").json() == {"status": "ok"}
    ready = httpx.get(server.url + "/readyz")
    assert ready.status_code == 200, ready.text
    metrics = httpx.get(server.url + "/metrics").text
    assert 'http_requests_total{endpoint="/healthz",http_status="200",method="GET"}' in metrics
    assert httpx.post(server.url + "/readyz").status_code == 405


def test_sigterm_shuts_down_cleanly(server):
    assert server.stop(signal.SIGTERM) == 0
    assert "Traceback" not in server.logs()


def test_bad_configuration_exits_with_a_clear_message(env):
    result = subprocess.run(
        [str(ROOT / "bin" / "mawid"), "serve"], env={**os.environ, **env, "TIMEZONE": "Nowhere/Special"},
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode != 0
    assert "TIMEZONE='Nowhere/Special' is invalid" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_make_run_starts_a_private_postgres_when_database_url_is_unset(tmp_path):
    """The README's run command on the embedded default: no DATABASE_URL, a cluster under var/."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    port, pg_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update({"PORT": str(port), "HOST": "127.0.0.1", "MAWID_PG_PORT": str(pg_port), "LOG_FORMAT": "text"})
    log = (Path(tmp_path) / "run.log").open("wb")
    proc = subprocess.Popen(["make", "run"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        deadline = 120
        import time

        started = time.monotonic()
        while time.monotonic() - started < deadline:
            assert proc.poll() is None, (Path(tmp_path) / "run.log").read_text()[-3000:]
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        else:
            raise AssertionError((Path(tmp_path) / "run.log").read_text()[-3000:])
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)
        _stop_private_cluster(pg_port)


def _stop_private_cluster(pg_port: int) -> None:
    data = ROOT / "var" / "pg" / "data"
    bindirs = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
    if not bindirs or not (data / "postmaster.pid").exists():
        return
    pg_ctl = str(bindirs[-1] / "pg_ctl")
    command = [pg_ctl, "-D", str(data), "-m", "fast", "stop"]
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    subprocess.run(command, capture_output=True, timeout=60)
