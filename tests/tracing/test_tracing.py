"""Tracing: spans reach an OTLP collector with parents intact and nothing personal in them."""
from __future__ import annotations

import json
import time

import httpx
import pytest

from runtime.masking import mask_phone, mask_text
from tests.support.fake_otlp import FakeCollector
from tests.support.servers import ServerProcess

PHONE = "966501234567"


@pytest.mark.parametrize("raw, expected", [
    ("call 966501234567 now", "call ********4567 now"),
    ("+966501234567", "********4567"),
    ("/phone/search?q=0501234567&token=eyJabc.def", "/phone/search?q=******4567&token=***"),
    ("Authorization: Bearer eyJhbGciOi.x.y", "Authorization: Bearer ***"),
    ("password=hunter2&limit=50", "password=***&limit=50"),
    ("slot 2026-11-26 10:00 for 3 people", "slot 2026-11-26 10:00 for 3 people"),
])
def test_mask_text(raw, expected):
    assert mask_text(raw) == expected


def test_mask_phone_keeps_last_four():
    assert mask_phone(PHONE) == "********4567"


def wait_for_spans(collector: FakeCollector, predicate, timeout: float = 15.0) -> list[dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate(collector.spans):
            return collector.spans
        time.sleep(0.1)
    raise AssertionError(f"spans never arrived: {[s['name'] for s in collector.spans]}")


@pytest.fixture
def collector():
    fake = FakeCollector().start()
    yield fake
    fake.stop()


def test_request_trace_reaches_collector_with_sql_children_and_masked_attributes(collector, env):
    server = ServerProcess({
        **env, "OTEL_EXPORTER_OTLP_ENDPOINT": collector.endpoint, "OTEL_BSP_SCHEDULE_DELAY": "100",
        "LOG_FORMAT": "json", "LOG_LEVEL": "INFO",
    }).start()
    try:
        response = httpx.get(f"{server.url}/readyz?phone={PHONE}&token=very-secret-token")
        assert response.status_code == 200
        spans = wait_for_spans(collector, lambda s: any(x["name"] == "GET /readyz" for x in s)
                               and any(x["parent_id"] for x in s))
    finally:
        server.stop()
    server_span = next(s for s in spans if s["name"] == "GET /readyz")
    children = [s for s in spans if s["trace_id"] == server_span["trace_id"] and s is not server_span]
    assert children, "the SQL run by /readyz must be traced under the request"
    assert all(c["parent_id"] for c in children)
    assert any("SELECT" in str(c["attributes"].get("db.statement", c["attributes"].get("db.query.text", "")))
               for c in children), [c["attributes"] for c in children]
    exported = json.dumps(spans)
    assert PHONE not in exported and "very-secret-token" not in exported
    assert "4567" in exported  # masked, not dropped: still useful to an operator

    lines = [json.loads(line) for line in server.logs().splitlines() if line.startswith("{")]
    assert lines, "JSON logs expected"
    assert all(PHONE not in json.dumps(line) for line in lines)
