"""Forged, stale and foreign tokens against a running server (issue 19 row 1, and the probes that held).

A token is honoured only when it is signed with Mawid's own key (JWT_SECRET, or the key generated once
and kept in the database — never the Meta APP_SECRET) *and* its subject is an existing active account.
"""
from __future__ import annotations

import uuid

import asyncpg
import jwt
import pytest

from runtime.auth import ACCESS_COOKIE
from runtime.routes import Role
from tests.auth.test_tokens import forged_tokens
from tests.conftest import TEST_JWT_SECRET
from tests.security.live import access_token, bearer, client, eventually, log_in, make_user, wall_clock

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")

NEW_USER = {"email": "planted@example.com", "password": "a long enough password", "role": "admin"}


def _signed(key: str, sub: str, role: str = "admin", **extra) -> str:
    now = wall_clock()
    return jwt.encode({"sub": sub, "email": "x@example.com", "role": role, "iat": now, "exp": now + 600, **extra},
                      key, algorithm="HS256")


async def _refused_everywhere(url: str, token: str) -> list[str]:
    problems = []
    async with client(url) as http:
        for how, kwargs in (("header", {"headers": bearer(token)}),
                            ("cookie", {"headers": {"Cookie": f"{ACCESS_COOKIE}={token}"}})):
            got = await http.get("/users", **kwargs)
            if got.status_code != 401:
                problems.append(f"GET /users via {how}: {got.status_code}")
            planted = await http.post("/auth/register", json=NEW_USER, **kwargs)
            if planted.status_code != 401:
                problems.append(f"POST /auth/register via {how}: {planted.status_code}")
    return problems


def _without_jwt_secret(env: dict) -> dict:
    return {k: v for k, v in env.items() if k != "JWT_SECRET"}


async def test_tokens_signed_with_the_meta_app_secret_are_refused(env, servers, db_url):
    server = servers(_without_jwt_secret(env))
    admin = await make_user(db_url, Role.ADMIN)
    for subject in ("ghost", admin["id"]):
        problems = await _refused_everywhere(server.url, _signed(env["APP_SECRET"], subject))
        assert not problems, f"APP_SECRET-signed token for {subject!r} accepted: {problems}"
    async with client(server.url) as http:  # and the server's real tokens still work
        assert (await http.get("/users", headers=bearer(await access_token(http, admin)))).status_code == 200


async def test_a_correctly_signed_token_for_no_active_account_is_refused(env, servers, db_url, db):
    server = servers(env)
    doomed = await make_user(db_url, Role.ADMIN)
    async with client(server.url) as http:
        real = await access_token(http, doomed)
        assert (await http.get("/users", headers=bearer(real))).status_code == 200
    subjects = {"a ghost name": "ghost", "an unknown id": str(uuid.uuid4())}
    for what, subject in subjects.items():
        problems = await _refused_everywhere(server.url, _signed(TEST_JWT_SECRET, subject))
        assert not problems, f"token for {what} accepted: {problems}"
    await db.execute("DELETE FROM users WHERE id = $1", uuid.UUID(doomed["id"]))
    async with client(server.url) as http:
        gone = await eventually_status(http, real, 401)
        assert gone == 401, "a deleted user's token is still honoured"
    assert await db.fetchval("SELECT count(*) FROM users WHERE email = $1", NEW_USER["email"]) == 0


async def eventually_status(http, token: str, status: int) -> int:
    resp = await eventually(lambda: http.get("/users", headers=bearer(token)), lambda r: r.status_code == status)
    return resp.status_code


async def test_without_jwt_secret_the_generated_key_is_shared_by_processes_and_restarts(env, servers, db_url):
    """Production without JWT_SECRET starts (docs/security.md says why) and every process agrees on the key."""
    settings = {**_without_jwt_secret(env), "ENVIRONMENT": "production"}
    first, second = servers(settings), servers(settings)
    user = await make_user(db_url, Role.STAFF)
    async with client(first.url) as http:
        token = await access_token(http, user)
    async with client(second.url) as http:
        assert (await http.get("/users/me", headers=bearer(token))).status_code == 200
    first.stop()
    restarted = servers(settings)
    async with client(restarted.url) as http:
        assert (await http.get("/users/me", headers=bearer(token))).status_code == 200
    conn = await asyncpg.connect(db_url)
    try:
        keys = await conn.fetch("SELECT value FROM auth_secrets")
    finally:
        await conn.close()
    assert len(keys) == 1 and len(keys[0]["value"]) >= 43 and keys[0]["value"] != env["APP_SECRET"]
    assert "JWT_SECRET is not set" in second.logs()  # the operator is told


async def test_forged_and_expired_tokens_are_refused(env, servers, db_url):
    server = servers(env)
    admin = await make_user(db_url, Role.ADMIN)
    tokens = {**forged_tokens(admin["id"]), "signed with APP_SECRET": _signed(env["APP_SECRET"], admin["id"])}
    failures = []
    for name, token in tokens.items():
        failures += [f"{name}: {p}" for p in await _refused_everywhere(server.url, token)]
    assert not failures, "\n".join(failures)


async def test_a_spent_refresh_token_revokes_its_session(env, servers, db_url):
    server = servers(env)
    user = await make_user(db_url, Role.STAFF)
    async with client(server.url) as http:
        first = (await log_in(http, user)).json()["refresh_token"]
        rotated = await http.post("/auth/jwt/refresh", data={"refresh_token": first})
        assert rotated.status_code == 200
        second = rotated.json()["refresh_token"]
        http.cookies.clear()
        reused = await http.post("/auth/jwt/refresh", data={"refresh_token": first})
        assert reused.status_code == 401
        # reuse means theft: the successor dies with its family
        assert (await http.post("/auth/jwt/refresh", data={"refresh_token": second})).status_code == 401
