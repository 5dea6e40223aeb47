"""The real server process, started the way the README starts it."""
from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import httpx
import pytest

from tests.support.database import ADMIN_URL, with_database
from tests.support.private_services import cluster_root, pg_bindir, stop_cluster
from tests.support.requirements import require_program
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


@pytest.mark.parametrize("how", [["--port", "99999"], ["PORT=99999"]])
def test_a_port_out_of_range_is_refused_not_wrapped(env, how):
    """99999 would be taken modulo 65536 by the socket layer: the server listened on 34463, saying nothing."""
    option, variables = (how, {}) if how[0] == "--port" else ([], dict([how[0].split("=")]))
    result = subprocess.run([str(ROOT / "bin" / "mawid"), "serve", *option], env={**os.environ, **env, **variables},
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "65535" in result.stderr and "Traceback" not in result.stderr, result.stderr[-2000:]


def _without_services(**extra: str) -> dict[str, str]:
    """The environment of a newcomer's shell: no DATABASE_URL, no REDIS_URL."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    return {**env, **extra}


@pytest.mark.slow
def test_make_run_starts_a_private_postgres_when_database_url_is_unset():
    """The README's run command on the embedded default: no DATABASE_URL, a private cluster under var/.

    Under a var/ of its own (MAWID_VAR), on a port of its own: the suite's cluster (`make test` runs on one
    when DATABASE_URL is unset) and a `make run` of this checkout are neither reused nor stopped here."""
    require_program("make", "make")
    var = cluster_root("make-run")
    port, pg_port = free_port(), free_port()
    env = _without_services(PORT=str(port), HOST="127.0.0.1", MAWID_VAR=str(var), MAWID_PG_PORT=str(pg_port),
                            LOG_FORMAT="text")
    var.mkdir(parents=True, exist_ok=True)
    log_path = var / "run.log"
    proc = subprocess.Popen(["make", "run"], cwd=ROOT, env=env, stdout=log_path.open("wb"),
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        eventually_ready(proc, f"http://127.0.0.1:{port}/readyz", log_path)
        # The server's database is the cluster `make run` made in that var/, on the port asked for, migrated.
        assert (var / "pg" / "data" / "PG_VERSION").exists()
        url = f"postgresql://postgres@127.0.0.1:{pg_port}/mawid"
        assert asyncio.run(_fetchval(url, "SELECT count(*) FROM schema_migrations")) > 0
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)
        stop_cluster(pg_bindir(), var / "pg" / "data")
        shutil.rmtree(var, ignore_errors=True)
    # The suite's own PostgreSQL is still there for the tests after this one.
    assert asyncio.run(_fetchval(ADMIN_URL, "SELECT 1")) == 1


async def _fetchval(url: str, query: str) -> int:
    conn = await asyncpg.connect(url)
    try:
        return await conn.fetchval(query)
    finally:
        await conn.close()


def eventually_ready(proc: subprocess.Popen, url: str, log_path: Path, deadline: float = 180.0) -> None:
    """Wait until `url` answers 200; the deadline only guards against a hang (a first run creates a cluster)."""
    started = time.monotonic()
    while time.monotonic() - started < deadline:
        assert proc.poll() is None, log_path.read_text(errors="replace")[-3000:]
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise AssertionError(log_path.read_text(errors="replace")[-3000:])


@pytest.mark.parametrize("command", [["bin/mawid", "serve"], ["bin/mawid", "migrate"], ["bin/mawid", "user", "list"],
                                     ["make", "run"]])
def test_an_unreachable_database_is_one_line_naming_host_and_port(command):
    """A wrong DATABASE_URL is the operator's to fix: one line saying where and what to check, no traceback."""
    port = free_port()  # nothing listens there
    env = _without_services(DATABASE_URL=f"postgresql://postgres@127.0.0.1:{port}/mawid",
                            JWT_SECRET="test-secret-not-for-production-0123456789", LOG_FORMAT="text")
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr
    own_lines = [line for line in result.stderr.splitlines() if not re.match(r"make(\[\d+\])?: \*\*\*", line)]
    assert own_lines == [
        f"error: cannot connect to PostgreSQL at 127.0.0.1:{port} (user postgres, database mawid): connection "
        "refused; check that PostgreSQL is running there and DATABASE_URL has the right host and port"
    ], result.stderr


def test_a_missing_database_is_named_with_what_to_do():
    url = with_database(ADMIN_URL, "mawid_no_such_database")
    parts = urlsplit(url)
    result = subprocess.run([str(ROOT / "bin" / "mawid"), "migrate"], env=_without_services(DATABASE_URL=url),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        f"error: cannot connect to PostgreSQL at {parts.hostname}:{parts.port} (user {parts.username}, "
        "database mawid_no_such_database): database 'mawid_no_such_database' does not exist; create it "
        "(createdb) or fix the name in DATABASE_URL"
    ]


def test_servers_and_jobs_started_by_tests_inherit_no_redis():
    # under `make test` REDIS_URL is exported: inherited, every test server would share one event channel
    from tests.support.servers import ServerProcess

    assert "REDIS_URL" not in os.environ and "REDIS_CHANNEL" not in os.environ
    assert "REDIS_URL" not in ServerProcess({"DATABASE_URL": "postgresql://x/y"}).env
