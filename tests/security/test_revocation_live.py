"""Disable, role change, password change and logout-everywhere reach every route of every process within
seconds (issue 19 row 2).

Two real servers share PostgreSQL and Redis. Their account cache is set to keep entries for ten minutes,
so only the change announced over Redis can make the second server refuse quickly; the loops poll a
bounded number of times (no timed assertion).
"""
from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest

from runtime.routes import Role
from tests.security.live import PASSWORD, access_token, bearer, client, eventually, make_user
from tests.support.servers import ROOT

pytestmark = pytest.mark.slow

CUSTOMER = "/customers/966500000123"


@pytest.fixture
def pair(env, servers, redis_url):
    shared = {**env, "REDIS_URL": redis_url, "REDIS_CHANNEL": f"mawid:test:{uuid.uuid4().hex}",
              "ACCOUNT_CACHE_SECONDS": "600"}
    return shared, servers(shared), servers(shared)


async def _write_status(url: str, token: str) -> int:
    async with client(url) as http:
        return (await http.put(CUSTOMER, headers=bearer(token), json={"name": "probe"})).status_code


async def _until_status(url: str, token: str, expected: int) -> int:
    return await eventually(lambda: _write_status(url, token), lambda status: status == expected)


async def test_disable_and_role_change_on_one_process_reach_the_other(pair, db_url):
    _, first, second = pair
    admin, staff, demoted = (await make_user(db_url, Role.ADMIN), await make_user(db_url, Role.STAFF),
                             await make_user(db_url, Role.STAFF))
    async with client(first.url) as http:
        admin_token, staff_token, demoted_token = [await access_token(http, u) for u in (admin, staff, demoted)]
    assert await _write_status(second.url, staff_token) == 200  # cached on the second process now
    assert await _write_status(second.url, demoted_token) == 200
    async with client(first.url) as http:
        for user, change in ((staff, {"is_active": False}), (demoted, {"role": "viewer"})):
            resp = await http.patch(f"/users/{user['id']}", headers=bearer(admin_token), json=change)
            assert resp.status_code == 200, resp.text
    assert await _until_status(second.url, staff_token, 401) == 401, "a disabled user still writes"
    assert await _until_status(second.url, demoted_token, 403) == 403, "a demoted user keeps its old role"
    async with client(second.url) as http:  # reads too
        assert (await http.get("/users/me", headers=bearer(staff_token))).status_code == 401
        assert (await http.get("/users/me", headers=bearer(demoted_token))).json()["role"] == "viewer"


async def test_password_change_and_logout_everywhere_end_old_tokens_on_every_process(pair, db_url):
    _, first, second = pair
    changer, leaver = await make_user(db_url, Role.STAFF), await make_user(db_url, Role.STAFF)
    async with client(first.url) as http:
        changer_token, leaver_token = await access_token(http, changer), await access_token(http, leaver)
    for token in (changer_token, leaver_token):
        assert await _write_status(second.url, token) == 200
    async with client(first.url) as http:
        changed = await http.patch("/users/me", headers=bearer(changer_token),
                                   json={"password": "another long password", "current_password": PASSWORD})
        assert changed.status_code == 200, changed.text
        left = await http.post("/auth/jwt/logout-everywhere", headers=bearer(leaver_token))
        assert left.status_code == 204
    assert await _until_status(second.url, changer_token, 401) == 401, "a token from before a password change"
    assert await _until_status(second.url, leaver_token, 401) == 401, "a token from before logout-everywhere"
    async with client(second.url) as http:  # a fresh login works again
        fresh = await access_token(http, {**changer, "password": "another long password"})
        assert (await http.put(CUSTOMER, headers=bearer(fresh), json={"name": "probe"})).status_code == 200


def _cli(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "bin" / "mawid"), *args], env={**os.environ, **env},
                          cwd=ROOT, capture_output=True, text=True, timeout=60)


async def test_the_command_line_disable_reaches_running_servers_through_redis(pair, db_url):
    shared, first, second = pair
    user = await make_user(db_url, Role.STAFF)
    async with client(first.url) as http:
        token = await access_token(http, user)
    for server in (first, second):
        assert await _write_status(server.url, token) == 200
    done = _cli(shared, "user", "disable", user["email"])
    assert done.returncode == 0, done.stderr
    for server in (first, second):
        assert await _until_status(server.url, token, 401) == 401


async def test_without_redis_a_command_line_change_is_noticed_within_the_cache_lifetime(env, servers, db_url):
    settings = {**env, "ACCOUNT_CACHE_SECONDS": "1"}
    server = servers(settings)
    user = await make_user(db_url, Role.STAFF)
    async with client(server.url) as http:
        token = await access_token(http, user)
    assert await _write_status(server.url, token) == 200
    done = _cli(settings, "user", "set-role", user["email"], "viewer")
    assert done.returncode == 0, done.stderr
    assert await _until_status(server.url, token, 403) == 403
    done = _cli(settings, "user", "logout", user["email"])
    assert done.returncode == 0, done.stderr
    assert await _until_status(server.url, token, 401) == 401
