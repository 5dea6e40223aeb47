"""PostgreSQL ends the server's idle connections (an administrator, idle_session_timeout, a proxy): the pool hands
one out before asyncpg has seen its socket close, and the request's statement fails. That is the database being
unavailable for an instant, a JSON 503 the client retries, never a 500."""
from __future__ import annotations

import asyncio
import itertools
from urllib.parse import urlsplit

import asyncpg
import httpx
import pytest

from tests.resilience.conftest import assert_clean_unavailable, unhandled_errors

pytestmark = pytest.mark.faults

READS = ["/vacations", "/phone/search?q=ahmad", "/phone/recent", "/phone/all", "/reservations", "/notifications"]


async def test_idle_connections_ended_by_the_database_are_a_retryable_503(env, servers):
    server = servers({**env, "TRUSTED_NETWORKS": "127.0.0.1/32"})
    database = urlsplit(env["DATABASE_URL"]).path.lstrip("/")
    admin = await asyncpg.connect(env["DATABASE_URL"])
    answers: list[httpx.Response] = []
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=20) as http:
            # The window is the millisecond or two between the notice and the socket's close: rounds at several
            # delays after the termination, until requests have met it (a loaded machine shifts the window)
            for delay in itertools.islice(itertools.cycle([0, 0.0005, 0.001, 0.002, 0.004]), 400):
                warm = await asyncio.gather(*(http.get(path) for path in READS * 2))  # the pools hold connections
                assert all(r.status_code == 200 for r in warm), [(r.url.path, r.status_code) for r in warm]
                await admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = $1 AND state = 'idle' AND pid <> pg_backend_pid()", database)
                await asyncio.sleep(delay)
                answers += await asyncio.gather(*(http.get(path) for path in READS * 2))
                if sum(r.status_code != 200 for r in answers) >= 5:
                    break
    finally:
        await admin.close()
    refused = [r for r in answers if r.status_code != 200]
    for response in refused:
        assert_clean_unavailable(response)
    assert refused, "no request met an ended connection: the test did not test anything"
    assert unhandled_errors(server.logs()) == []
    assert "Traceback" not in server.logs()
