"""Refresh rotation, reuse detection, expiry and logout."""
from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import asyncpg
import jwt

from actors.accounts.sessions import start_session, token_hash
from actors.accounts.store import by_email
from runtime.auth import ACCESS_COOKIE, REFRESH_COOKIE
from runtime.routes import Role
from tests.auth.conftest import PASSWORD, log_in


async def _tokens(client, user) -> dict:
    resp = await log_in(client, user["email"], PASSWORD)
    assert resp.status == 200
    return await resp.json()


async def _refresh(client, token: str):
    return await client.post("/auth/jwt/refresh", data={"refresh_token": token})


async def test_refresh_rotates_within_the_family(client, make_user, db):
    user = await make_user(Role.STAFF)
    first = await _tokens(client, user)
    resp = await _refresh(client, first["refresh_token"])
    assert resp.status == 200
    second = await resp.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert resp.cookies[REFRESH_COOKIE].value == second["refresh_token"]
    old = await db.fetchrow("SELECT * FROM refresh_tokens WHERE token_hash = $1", token_hash(first["refresh_token"]))
    new = await db.fetchrow("SELECT * FROM refresh_tokens WHERE token_hash = $1", token_hash(second["refresh_token"]))
    assert old["used_at"] is not None and old["replaced_by"] == new["id"]
    assert old["family_id"] == new["family_id"] and new["used_at"] is None
    # The raw token is never stored.
    assert await db.fetchval("SELECT count(*) FROM refresh_tokens WHERE token_hash = $1",
                             second["refresh_token"]) == 0
    assert (await _refresh(client, second["refresh_token"])).status == 200


async def test_reusing_a_spent_token_revokes_the_family(client, make_user, db):
    user = await make_user(Role.STAFF)
    stolen = (await _tokens(client, user))["refresh_token"]
    rightful = (await (await _refresh(client, stolen)).json())["refresh_token"]
    reuse = await _refresh(client, stolen)
    assert reuse.status == 401 and reuse.headers["WWW-Authenticate"] == "Bearer"
    assert (await _refresh(client, rightful)).status == 401  # the whole family is gone
    live = await db.fetchval("SELECT count(*) FROM refresh_tokens WHERE revoked_at IS NULL")
    assert live == 0
    # A fresh login starts a new family.
    assert (await _refresh(client, (await _tokens(client, user))["refresh_token"])).status == 200


async def test_concurrent_refreshes_with_one_token_cannot_both_win(aiohttp_client, app, make_user):
    user = await make_user(Role.STAFF)
    clients = [await aiohttp_client(app) for _ in range(4)]
    token = (await _tokens(clients[0], user))["refresh_token"]
    results = await asyncio.gather(*(_refresh(c, token) for c in clients))
    statuses = sorted(r.status for r in results)
    assert statuses == [200, 401, 401, 401]
    winner = next(r for r in results if r.status == 200)
    # Reuse was detected, so even the winner's new token is revoked.
    assert (await _refresh(clients[0], (await winner.json())["refresh_token"])).status == 401


async def test_expired_refresh_token_is_refused(client, make_user, db_url):
    user = await make_user(Role.STAFF)
    pool = await asyncpg.create_pool(db_url, min_size=1, max_size=1)
    try:
        account = await by_email(pool, user["email"])
        async with pool.acquire() as conn:
            session = await start_session(conn, account, ttl=60, now=datetime.now(UTC) - timedelta(hours=1))
    finally:
        await pool.close()
    assert (await _refresh(client, session.refresh_token)).status == 401


async def test_unknown_or_missing_refresh_token_is_refused(client):
    assert (await _refresh(client, "made-up")).status == 401
    resp = await client.post("/auth/jwt/refresh")
    assert resp.status == 401
    assert (await resp.json())["message"].startswith("Refresh token")


async def test_refresh_by_cookie(client, make_user):
    user = await make_user(Role.VIEWER)
    await _tokens(client, user)  # the cookie jar keeps the refresh cookie (path /auth/jwt)
    resp = await client.post("/auth/jwt/refresh")
    assert resp.status == 200


async def test_logout_revokes_and_clears_cookies(client, make_user):
    user = await make_user(Role.STAFF)
    tokens = await _tokens(client, user)
    resp = await client.post("/auth/jwt/logout")  # refresh token from the cookie
    assert resp.status == 204
    for name in (ACCESS_COOKIE, REFRESH_COOKIE):
        assert resp.cookies[name].value == "" and resp.cookies[name]["max-age"] == "0"
    assert (await _refresh(client, tokens["refresh_token"])).status == 401


async def test_logout_with_form_token_and_without_any(client, make_user):
    user = await make_user(Role.STAFF)
    tokens = await _tokens(client, user)
    client.session.cookie_jar.clear()
    assert (await client.post("/auth/jwt/logout", data={"refresh_token": tokens["refresh_token"]})).status == 204
    assert (await _refresh(client, tokens["refresh_token"])).status == 401
    assert (await client.post("/auth/jwt/logout")).status == 204


async def test_disabled_user_cannot_refresh(client, make_user, db):
    user = await make_user(Role.STAFF)
    tokens = await _tokens(client, user)
    await db.execute("UPDATE users SET is_active = false WHERE email = $1", user["email"])
    assert (await _refresh(client, tokens["refresh_token"])).status == 401


async def test_role_change_applies_at_refresh(client, make_user, db):
    user = await make_user(Role.STAFF)
    tokens = await _tokens(client, user)
    await db.execute("UPDATE users SET role = 'viewer' WHERE email = $1", user["email"])
    refreshed = await (await _refresh(client, tokens["refresh_token"])).json()
    assert jwt.decode(refreshed["access_token"], options={"verify_signature": False})["role"] == "viewer"
