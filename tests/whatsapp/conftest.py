"""Fixtures for the WhatsApp pipeline: fake Graph API, signed deliveries, a running server."""
from __future__ import annotations

import pytest

from tests.support.waiting import eventually  # noqa: F401  (re-exported for the tests here)

APP_SECRET = "test-app-secret"


@pytest.fixture
def wa_env(env, graph) -> dict[str, str]:
    """A server that talks to the fake Graph API, with no LLM key (offline assistant).

    Replies are plain text (numbered choices), which most tests read and count; the tests of
    lists and buttons (test_interactive_*) switch WHATSAPP_INTERACTIVE back on.
    """
    return {**env, **graph.env(), "APP_SECRET": APP_SECRET, "INBOUND_QUEUE_RETRY_SECONDS": "0.2",
            "INBOUND_QUEUE_LEASE_SECONDS": "3", "LOG_LEVEL": "INFO", "TIMEZONE": "Asia/Riyadh",
            "WHATSAPP_INTERACTIVE": "false"}


@pytest.fixture
def interactive_env(wa_env) -> dict[str, str]:
    """As `wa_env`, with slots offered as WhatsApp lists and small choices as reply buttons (the default)."""
    return {**wa_env, "WHATSAPP_INTERACTIVE": "true"}


