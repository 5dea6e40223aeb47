"""Login throttling per (account, address), per address, and per account from unknown addresses
(issue 19 row 12), through a real server.

Clients bind to different loopback addresses (127.0.0.0/8 all reach the server), so the server sees
genuinely different client addresses.
"""
from __future__ import annotations

import pytest

from runtime.routes import Role
from tests.security.live import client, log_in, make_user

pytestmark = pytest.mark.slow

HOME = "127.0.0.1"  # where the real user logs in from
STRANGER = "127.0.0.2"


async def _fail(url: str, address: str, user: dict, times: int) -> list[int]:
    async with client(url, address) as http:
        return [(await log_in(http, user, "wrong password!")).status_code for _ in range(times)]


async def test_strangers_failures_do_not_lock_the_real_user_out_but_slow_the_stranger(env, servers, db_url):
    server = servers(env)
    victim = await make_user(db_url, Role.ADMIN)
    async with client(server.url, HOME) as http:
        assert (await log_in(http, victim)).status_code == 200  # a known-good address from now on
    statuses = await _fail(server.url, STRANGER, victim, 8)
    assert statuses[:5] == [400] * 5 and set(statuses[5:]) == {429}, statuses
    async with client(server.url, STRANGER) as http:  # the stranger waits even with the right password
        throttled = await log_in(http, victim)
        assert throttled.status_code == 429 and int(throttled.headers["Retry-After"]) > 0
    async with client(server.url, HOME) as http:
        assert (await log_in(http, victim)).status_code == 200, "strangers' failures locked the user out"


async def test_guessing_from_many_addresses_is_slowed_but_known_addresses_still_log_in(env, servers, db_url):
    server = servers(env)
    victim = await make_user(db_url, Role.STAFF)
    async with client(server.url, HOME) as http:
        assert (await log_in(http, victim)).status_code == 200
    # 50 failures from ten addresses, five each: no single address or pair reaches its own limit
    # (one address after another: the account's logins queue on its actor, argon2 makes each slow)
    results = [await _fail(server.url, f"127.0.1.{n}", victim, 5) for n in range(1, 11)]
    assert all(status == 400 for statuses in results for status in statuses), results
    async with client(server.url, "127.0.2.1") as http:  # an address never seen for this account: slowed
        assert (await log_in(http, victim)).status_code == 429
    async with client(server.url, HOME) as http:
        assert (await log_in(http, victim)).status_code == 200
