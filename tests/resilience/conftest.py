"""Fault-injection fixtures: private PostgreSQL / Redis that tests stop and start, fakes, servers.

Private clusters live where the `postgres` user can reach them when the suite runs as root
(`cluster_root`: the repository's var/, not pytest's private tmp dir).
"""
from __future__ import annotations

import asyncio
import shutil
import time
from datetime import date, timedelta
from typing import Any, Callable

import asyncpg
import httpx
import pytest

from runtime.migrate import migrate
from tests.support.private_services import PrivatePostgres, PrivateRedis, cluster_root
from tests.support.requirements import require_program
from tests.support.waiting import eventually  # noqa: F401  (re-exported for the tests here)

APP_SECRET = "test-app-secret"


def private_root(kind: str):
    return cluster_root(kind)


@pytest.fixture
def postgres():
    root = private_root("pg")
    pg = PrivatePostgres(root)
    if not pg.available:
        require_program("initdb", "postgresql")
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


@pytest.fixture
def private_redis():
    root = private_root("redis")
    server = PrivateRedis(root)
    if not server.available:
        require_program("redis-server", "redis-server")
    server.start()
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def fault_env(env, graph) -> dict[str, str]:
    """A server acting as staff for loopback callers, talking to the fake Graph API (offline assistant)."""
    return {**env, **graph.env(), "APP_SECRET": APP_SECRET, "TRUSTED_NETWORKS": "127.0.0.1/32",
            "INBOUND_QUEUE_RETRY_SECONDS": "0.2", "INBOUND_QUEUE_LEASE_SECONDS": "3", "LOG_LEVEL": "WARNING",
            "TIMEZONE": "Asia/Riyadh"}


def wait_for(predicate: Callable[[], Any], timeout: float = 30.0) -> Any:
    """Poll a synchronous check; the deadline only guards against hangs."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"condition not met within {timeout}s")


def ready_status(url: str) -> int:
    try:
        return httpx.get(url + "/readyz", timeout=5).status_code
    except httpx.HTTPError:
        return 0


def future_workday(offset: int = 7) -> str:
    """A Sunday–Thursday date `offset`+ days ahead (open in the default schedule)."""
    day = date.today() + timedelta(days=offset)
    while day.weekday() in (4, 5):  # Friday, Saturday
        day += timedelta(days=1)
    return day.isoformat()


def assert_clean_unavailable(response: httpx.Response) -> None:
    """A refusal a client can act on: JSON 503 with Retry-After, no traceback."""
    assert response.status_code == 503, (response.status_code, response.text[:300])
    assert response.headers.get("Retry-After", "").isdigit()
    body = response.json()
    assert body["detail"] and "Traceback" not in response.text


def unhandled_errors(logs: str) -> list[str]:
    """Lines where a request failed with an unhandled exception (a 500)."""
    return [line for line in logs.splitlines() if "unhandled error in" in line]
