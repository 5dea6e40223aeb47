"""Every route × role against a running server, with real users' tokens (the matrix of tests/auth, live).

401 without credentials, 403 below the route's role, let in at and above it. Each route gets fresh
users, since some routes (logout everywhere) end the caller's tokens.
"""
from __future__ import annotations

import httpx
import pytest

from handlers.app import create_app
from runtime.auth import TokenCodec
from runtime.config import load_config
from runtime.routes import ROUTES_KEY, Role
from tests.auth.test_route_matrix import concrete_path, describe
from tests.conftest import TEST_JWT_SECRET, create_user

pytestmark = pytest.mark.slow


async def test_every_route_enforces_its_role_on_a_running_server(env, servers, db_url):
    server = servers(env)
    routes = [route for route in create_app(load_config(env))[ROUTES_KEY] if route.role is not None]
    codec = TokenCodec(TEST_JWT_SECRET, 900)
    failures = []
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
        for route in routes:
            url = concrete_path(route.path)
            anonymous = await http.request(route.method, url)
            if anonymous.status_code != 401:
                failures.append(f"{describe(route)}: anonymous got {anonymous.status_code}")
            for role in Role:
                user = await create_user(db_url, role)
                token = codec.issue(user["id"], user["email"], role)
                got = (await http.request(route.method, url, headers={"Authorization": f"Bearer {token}"}))
                if role < route.role and got.status_code != 403:
                    failures.append(f"{describe(route)}: {role.label} got {got.status_code}, expected 403")
                if role >= route.role and got.status_code in (401, 403):
                    failures.append(f"{describe(route)}: {role.label} got {got.status_code}, expected access")
    assert not failures, "\n".join(failures)
