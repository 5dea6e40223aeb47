"""PostgreSQL goes away and comes back while a real server is running.

Requests during the outage fail fast and cleanly (JSON 503 with Retry-After,
no hang, no traceback); /readyz reports the outage and then the recovery; the
pool reconnects by itself without a restart of Mawid.
"""
from __future__ import annotations

import asyncio
import shutil
import time
import uuid

import asyncpg
import httpx
import pytest

from runtime.migrate import migrate
from tests.support.private_services import PrivatePostgres
from tests.support.servers import ROOT, ServerProcess

pytestmark = pytest.mark.faults


@pytest.fixture
def postgres():
    # Under var/, not pytest's tmp dir: the `postgres` user must be able to reach it when we run as root.
    root = ROOT / "var" / "faults" / uuid.uuid4().hex[:8]
    pg = PrivatePostgres(root)
    if not pg.available:
        pytest.skip("PostgreSQL server binaries are not installed")
    pg.init().start()

    async def prepare() -> None:
        conn = await asyncpg.connect(pg.url)
        try:
            await migrate(conn)
        finally:
            await conn.close()

    asyncio.run(prepare())
    yield pg
    pg.stop("immediate")
    shutil.rmtree(root, ignore_errors=True)


def wait_for(predicate, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_outage_is_reported_and_recovered(postgres, env):
    server = ServerProcess({**env, "DATABASE_URL": postgres.url}).start()
    try:
        assert httpx.get(server.url + "/readyz").status_code == 200

        postgres.stop("immediate")
        started = time.monotonic()
        during = httpx.get(server.url + "/readyz", timeout=15)
        assert time.monotonic() - started < 10, "readiness must not hang while the database is down"
        assert during.status_code == 503
        assert during.json()["checks"]["database"].startswith("unreachable")
        assert httpx.get(server.url + "/healthz").status_code == 200  # alive, just not ready

        postgres.start()
        assert wait_for(lambda: httpx.get(server.url + "/readyz", timeout=5).status_code == 200), \
            "the pool did not reconnect by itself"
    finally:
        server.stop()
    assert "Traceback" not in server.logs()
