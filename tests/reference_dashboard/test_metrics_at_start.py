"""Every unlabelled series of the reference's catalogue (spec 60 §6.2) has a sample from the first scrape
and is in the first WebSocket snapshot: a dashboard or alert never sees a metric appear later."""
from __future__ import annotations

import re

import pytest

from runtime.metrics_map import parse_exposition

UNLABELLED = [
    "reservations_requested_total", "reservations_successful_total", "reservations_failed_total",
    "reservations_cancellation_requested_total", "reservations_cancellation_successful_total",
    "reservations_cancellation_failed_total", "reservations_modification_requested_total",
    "reservations_modification_successful_total", "reservations_modification_failed_total",
    "process_cpu_percent", "process_memory_bytes", "whatsapp_message_failures_total",
    "scheduler_job_missed_total", "backup_script_failures_total", "invalid_http_requests_total",
    "concurrent_task_limit_reached_total", "inbound_queue_claimed_total", "inbound_queue_claim_failures_total",
    "inbound_queue_processed_total", "inbound_queue_processing_errors_total", "inbound_queue_length",
    "inbound_queue_oldest_age_seconds",
]


@pytest.fixture
def env(env):
    # As `serve` runs it, but no inbound worker or scheduler has had a chance to sample anything.
    return {**env, "SCHEDULER_ENABLED": "true", "TRUSTED_NETWORKS": "127.0.0.1/32"}


async def test_first_scrape_and_first_snapshot_carry_every_unlabelled_series(client):
    text = await (await client.get("/metrics")).text()
    missing = [name for name in UNLABELLED if not re.search(rf"^{name} ", text, re.MULTILINE)]
    assert missing == []
    ws = await client.ws_connect("/ws", params={"tab": "metrics-first"})
    await ws.send_json({"type": "get_snapshot"})
    snapshot = await ws.receive_json(timeout=10)
    assert snapshot["type"] == "snapshot"
    assert [name for name in UNLABELLED if name not in snapshot["data"]["metrics"]] == []
    assert set(parse_exposition(text)) >= set(UNLABELLED)
    await ws.close()
