"""Fixtures for the WhatsApp pipeline: fake Graph API, signed deliveries, a running server."""
from __future__ import annotations

import pytest

from tests.support.waiting import eventually  # noqa: F401  (re-exported for the tests here)

APP_SECRET = "test-app-secret"


@pytest.fixture
def wa_env(env, graph) -> dict[str, str]:
    """A server that talks to the fake Graph API, with no LLM key (offline assistant)."""
    return {**env, **graph.env(), "APP_SECRET": APP_SECRET, "INBOUND_QUEUE_RETRY_SECONDS": "0.2",
            "INBOUND_QUEUE_LEASE_SECONDS": "3", "LOG_LEVEL": "INFO", "TIMEZONE": "Asia/Riyadh"}


