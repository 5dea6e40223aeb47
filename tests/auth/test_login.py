"""`POST /auth/jwt/login`: form login, cookies, legacy hashes, disabled users, throttling."""
from __future__ import annotations

import asyncio

import asyncpg
import bcrypt
import jwt

from runtime.auth import ACCESS_COOKIE, REFRESH_COOKIE
from runtime.routes import Role
from tests.auth.conftest import PASSWORD, log_in
from tests.conftest import TEST_JWT_SECRET


async def test_login_answers_tokens_and_sets_cookies(client, make_user):
    user = await make_user(Role.STAFF)
    resp = await log_in(client, user["email"].upper(), PASSWORD)  # email is case-insensitive
    assert resp.status == 200
    body = await resp.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "refresh_token", "refresh_expires_in"}
    assert body["token_type"] == "bearer" and body["expires_in"] == 900
    claims = jwt.decode(body["access_token"], TEST_JWT_SECRET, algorithms=["HS256"])
    assert claims["sub"] == user["id"] and claims["role"] == "staff"
    assert resp.headers["Cache-Control"] == "no-store"

    cookies = {c.key: c for c in resp.cookies.values()}
    access, refresh = cookies[ACCESS_COOKIE], cookies[REFRESH_COOKIE]
    assert access.value == body["access_token"] and refresh.value == body["refresh_token"]
    for cookie in (access, refresh):
        assert cookie["httponly"] is True
        assert cookie["samesite"] == "Lax"
        assert not cookie["secure"]  # COOKIE_SECURE defaults to false (plain HTTP on a LAN)
    assert access["path"] == "/" and refresh["path"] == "/auth/jwt"
    assert access["max-age"] == "900"

    me = await client.get("/users/me")  # the client's cookie jar now carries the access cookie
    assert me.status == 200 and (await me.json())["email"] == user["email"]


async def test_secure_cookies_when_configured(aiohttp_client, env, make_user):
    from runtime.config import load_config
    from tests.auth.conftest import auth_app

    client = await aiohttp_client(auth_app(load_config({**env, "COOKIE_SECURE": "true"})))
    user = await make_user(Role.VIEWER)
    resp = await log_in(client, user["email"], PASSWORD)
    assert all(cookie["secure"] is True for cookie in resp.cookies.values())


async def test_bad_credentials_look_the_same(client, make_user):
    user = await make_user(Role.STAFF)
    disabled = await make_user(Role.STAFF, active=False)
    for email, password in ((user["email"], "wrong password"), ("nobody@example.com", PASSWORD),
                            (disabled["email"], PASSWORD)):
        resp = await log_in(client, email, password)
        assert resp.status == 400
        assert (await resp.json())["detail"] == "LOGIN_BAD_CREDENTIALS"
        assert ACCESS_COOKIE not in resp.cookies


async def test_missing_form_fields_get_422_naming_the_field(client):
    resp = await client.post("/auth/jwt/login", data={"username": "a@example.com"})
    assert resp.status == 422
    assert (await resp.json())["message"].startswith("body.password")


async def test_json_login_is_accepted_for_api_clients(client, make_user):
    user = await make_user(Role.VIEWER)
    resp = await client.post("/auth/jwt/login", json={"username": user["email"], "password": PASSWORD})
    assert resp.status == 200


async def test_reference_bcrypt_hash_logs_in_and_is_rehashed(client, make_user, db):
    legacy = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(rounds=4)).decode()
    user = await make_user(Role.STAFF, hashed=legacy)
    assert (await log_in(client, user["email"], PASSWORD)).status == 200
    stored = await db.fetchval("SELECT hashed_password FROM users WHERE email = $1", user["email"])
    assert stored.startswith("$argon2id$")
    assert (await log_in(client, user["email"], PASSWORD)).status == 200


async def test_throttle_after_five_failures_spares_other_accounts(client, make_user, db):
    victim = await make_user(Role.ADMIN)
    other = await make_user(Role.STAFF)
    for _ in range(5):
        assert (await log_in(client, victim["email"], "guess")).status == 400
    throttled = await log_in(client, victim["email"], PASSWORD)  # even the right password waits
    assert throttled.status == 429
    assert 1 <= int(throttled.headers["Retry-After"]) <= 900
    assert (await throttled.json())["detail"] == "LOGIN_THROTTLED"
    # Same client address, another account: not locked out.
    assert (await log_in(client, other["email"], PASSWORD)).status == 200
    # The state is in PostgreSQL, so every process sees it.
    count = await db.fetchval("SELECT count(*) FROM auth_login_attempts WHERE account = lower($1)", victim["email"])
    assert count == 5


async def test_success_forgets_the_accounts_failures(client, make_user):
    user = await make_user(Role.STAFF)
    for _ in range(4):
        await log_in(client, user["email"], "typo")
    assert (await log_in(client, user["email"], PASSWORD)).status == 200
    for _ in range(4):
        assert (await log_in(client, user["email"], "typo")).status == 400
    assert (await log_in(client, user["email"], PASSWORD)).status == 200


async def test_parallel_guesses_count_too(aiohttp_client, app, make_user, db_url):
    user = await make_user(Role.ADMIN)
    # Two clients (as two processes would) racing ten guesses each.
    clients = [await aiohttp_client(app), await aiohttp_client(app)]
    results = await asyncio.gather(*(log_in(c, user["email"], f"guess-{i}") for i in range(10) for c in clients))
    statuses = sorted(r.status for r in results)
    assert statuses.count(400) == 5 and statuses.count(429) == 15
    conn = await asyncpg.connect(db_url)
    try:
        assert await conn.fetchval("SELECT count(*) FROM auth_login_attempts") == 5
    finally:
        await conn.close()


async def test_address_is_throttled_after_twenty_failures(client, make_user):
    user = await make_user(Role.STAFF)
    for i in range(20):
        assert (await log_in(client, f"nobody-{i}@example.com", "guess")).status == 400
    resp = await log_in(client, user["email"], PASSWORD)
    assert resp.status == 429 and "Retry-After" in resp.headers
