"""Read routes answer a database outage with a retryable JSON 503, not a business failure or a 500."""
from __future__ import annotations

import time

import httpx
import pytest

from tests.resilience.conftest import assert_clean_unavailable, ready_status, unhandled_errors, wait_for

pytestmark = pytest.mark.faults

READ_ROUTES = ["/api/config", "/vacations", "/notifications?limit=5", "/phone/search?q=ahmad",
               "/phone/recent", "/phone/all", "/phone/stats", "/reservations"]


def test_read_routes_refuse_cleanly_while_the_database_is_down(postgres, env, servers):
    server = servers({**env, "DATABASE_URL": postgres.url, "TRUSTED_NETWORKS": "127.0.0.1/32"})
    for path in READ_ROUTES:
        assert httpx.get(server.url + path).status_code == 200, path

    postgres.stop("immediate")
    for path in READ_ROUTES:
        assert_clean_unavailable(httpx.get(server.url + path, timeout=15))
    time.sleep(4)  # background checks (the /ws event-log watcher runs every 3 s) meet the outage too

    postgres.start()
    wait_for(lambda: ready_status(server.url) == 200)
    for path in READ_ROUTES:
        assert httpx.get(server.url + path).status_code == 200, path
    assert unhandled_errors(server.logs()) == []
    assert "Traceback" not in server.logs(), "an expected outage is logged in one line, without a traceback"
