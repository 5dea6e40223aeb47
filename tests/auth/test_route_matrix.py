"""The role matrix, generated from the route table of the fully assembled app.

Every non-public route must answer 401 without credentials, 403 to every role
below its own, and something other than 401/403 to its role and those above
(any other 4xx is fine: path parameters are dummies and bodies are absent).
Routes added later by any feature are covered automatically.
"""
from __future__ import annotations

import re
from typing import Awaitable, Callable

import aiohttp
import pytest

from handlers.app import create_app
from runtime.config import load_config
from runtime.routes import ROUTES_KEY, Role, Route

_PARAMETER = re.compile(r"\{([^}:]+)(?::([^}]*))?\}")
_DUMMIES = ("966500000001", "00000000-0000-4000-8000-000000000000", "1", "2026-01-01", "x")
_SAFETY = aiohttp.ClientTimeout(total=30)  # a hung handler fails the matrix instead of the whole run


def concrete_path(path: str) -> str:
    def value(match: re.Match) -> str:
        pattern = match.group(2)
        if match.group(1).endswith("id") and not pattern:
            return _DUMMIES[1]
        return next((d for d in _DUMMIES if not pattern or re.fullmatch(pattern, d)), "1")

    return _PARAMETER.sub(value, path)


def describe(route: Route) -> str:
    return f"{route.method} {route.path} ({route.role.label if route.role else 'public'})"


async def _matrix(client, routes: list[Route], tokens_for: Callable[[], Awaitable[dict[Role, str]]]) -> list[str]:
    """`tokens_for()` gives fresh users' tokens for each route: some routes (logout everywhere) end them."""
    failures = []
    for route in routes:
        if route.role is None:
            continue
        url = concrete_path(route.path)
        anonymous = await client.request(route.method, url, timeout=_SAFETY)
        if anonymous.status != 401:
            failures.append(f"{describe(route)}: anonymous got {anonymous.status}, expected 401")
        for role, token in (await tokens_for()).items():
            resp = await client.request(route.method, url, headers={"Authorization": f"Bearer {token}"},
                                        timeout=_SAFETY)
            if role < route.role and resp.status != 403:
                failures.append(f"{describe(route)}: {role.label} got {resp.status}, expected 403")
            if role >= route.role and resp.status in (401, 403):
                failures.append(f"{describe(route)}: {role.label} got {resp.status}, expected to be let in")
    return failures


@pytest.mark.parametrize("settings", [{}, {"METRICS_PUBLIC": "false"}], ids=["default", "private-metrics"])
async def test_every_route_enforces_its_role(aiohttp_client, env, token_for, settings):
    app = create_app(load_config({**env, **settings}))
    routes = list(app[ROUTES_KEY])
    client = await aiohttp_client(app)
    async def tokens() -> dict[Role, str]:
        return {role: (await token_for(role))[1] for role in Role}

    assert any(route.role is Role.ADMIN for route in routes) and any(route.role is Role.VIEWER for route in routes)
    failures = await _matrix(client, routes, tokens)
    assert not failures, "role matrix violations:\n" + "\n".join(failures)
    secured = {route.path for route in routes if route.role is not None}
    assert ("/metrics" in secured) == (settings.get("METRICS_PUBLIC") == "false")


async def test_every_public_route_says_why(env):
    """A route without a role is a decision: it must say what protects it instead (the spec's open routes aside)."""
    app = create_app(load_config(env))
    named_open_by_spec = {"/healthz", "/readyz", "/metrics"}
    undocumented = sorted(f"{r.method} {r.path}" for r in app[ROUTES_KEY]
                          if r.role is None and not r.auth_note and r.path not in named_open_by_spec)
    assert not undocumented, f"public routes without an auth_note saying why: {undocumented}"
    public = {r.path for r in app[ROUTES_KEY] if r.role is None}
    assert {"/auth/jwt/login", "/auth/jwt/refresh", "/healthz", "/readyz"} <= public
    assert not {"/users", "/users/me", "/users/{id}", "/auth/register"} & public


async def test_trusted_networks_act_as_staff(aiohttp_client, env):
    app = create_app(load_config({**env, "TRUSTED_NETWORKS": "127.0.0.0/8,::1/128"}))
    client = await aiohttp_client(app)
    failures = []
    for route in app[ROUTES_KEY]:
        if route.role is None:
            continue
        resp = await client.request(route.method, concrete_path(route.path), timeout=_SAFETY)
        if route.role is Role.ADMIN and resp.status != 403:
            failures.append(f"{describe(route)}: trusted network got {resp.status}, expected 403")
        if route.role <= Role.STAFF and resp.status in (401, 403):
            failures.append(f"{describe(route)}: trusted network got {resp.status}, expected staff access")
    assert not failures, "\n".join(failures)
