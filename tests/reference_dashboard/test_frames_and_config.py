"""The reference dashboard's handshake receives only what the reference sends, and its `/config` page saves."""
from __future__ import annotations

import pytest

import handlers.ws as ws_module
from tests.reference_dashboard.conftest import REST_HEADERS

# What the reference answers the dashboard's own frames with: nothing unsolicited but real events.
REFERENCE_REPLIES = {"snapshot", "notifications_history", "pong"}


async def test_no_metrics_frames_reach_the_reference_dashboard(monkeypatch, client, dashboard):
    monkeypatch.setattr(ws_module, "METRICS_PERIOD", 0.01)
    monkeypatch.setattr(ws_module, "SWEEP_PERIOD", 0.01)
    reference = await dashboard("reference-tab")
    # Mawid's own /app subscribes explicitly; it is the witness that ticks happened meanwhile.
    own = await client.ws_connect("/ws", params={"tab": "mawid-app-tab"})
    await own.send_json({"type": "subscribe", "data": {"types": ["metrics_updated"]}})
    ticks = 0
    while ticks < 3:
        body = await own.receive_json(timeout=10)
        if body["type"] == "subscribe_ack":
            assert body["data"] == {"types": ["metrics_updated"]}
        ticks += body["type"] == "metrics_updated"
    # Frames of one socket are in order: whatever was pushed before the pong arrives before it.
    await reference.send({"type": "ping"})
    await reference.until("pong")
    assert {body["type"] for body in reference.received} <= REFERENCE_REPLIES, reference.received
    await own.close()


CONFIG_PAGE_SAVE = {"working_days": [0, 1, 2, 3, 4, 6], "calendar_first_day": 6}


@pytest.fixture
def env(env):
    return {**env, "TRUSTED_NETWORKS_ROLE": "admin"}


async def test_the_config_page_saves_when_the_operator_grants_the_role(client):
    response = await client.put("/api/config", json=CONFIG_PAGE_SAVE, headers=REST_HEADERS)
    assert response.status == 200, await response.text()
    assert (await response.json())["calendar_first_day"] == 6
