"""Fixtures for the WhatsApp pipeline: fake Graph API, signed deliveries, a running server."""
from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from tests.support.servers import ServerProcess
from tests.whatsapp.fakes import FakeGraph

APP_SECRET = "test-app-secret"


@pytest.fixture
async def graph():
    fake = await FakeGraph().start()
    yield fake
    await fake.stop()


@pytest.fixture
def wa_env(env, graph) -> dict[str, str]:
    """A server that talks to the fake Graph API, with no LLM key (offline assistant)."""
    return {**env, **graph.env(), "APP_SECRET": APP_SECRET, "INBOUND_QUEUE_RETRY_SECONDS": "0.2",
            "INBOUND_QUEUE_LEASE_SECONDS": "3", "LOG_LEVEL": "INFO", "TIMEZONE": "Asia/Riyadh"}


@pytest.fixture
def servers():
    started: list[ServerProcess] = []

    def start(env: dict[str, str]) -> ServerProcess:
        server = ServerProcess(env).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
        # Kept for reading after a failure (var/ is shared with other suites' servers).
        (server.log_path.parent / "whatsapp-last-server.log").write_text(server.logs())


async def eventually(check: Callable[[], Awaitable[Any]], within: float = 60.0, what: str = "condition") -> Any:
    """Poll until `check` returns something truthy; a generous deadline only guards against hangs."""
    deadline = time.monotonic() + within
    while True:
        value = await check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}; last value {value!r}")
        await asyncio.sleep(0.05)
