"""`/auth/register`, `/users/me`, `/users/{id}`, `/users`: fastapi-users' shapes plus `role`."""
from __future__ import annotations

import asyncio
import uuid

from runtime.config import load_config
from runtime.routes import Role
from tests.auth.conftest import PASSWORD, auth_app, log_in

USER_KEYS = {"id", "email", "is_active", "is_superuser", "is_verified", "role"}


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


async def test_register_is_admin_only_by_default(client, token_for):
    new = {"email": "new@example.com", "password": "long enough pw", "role": "viewer"}
    assert (await client.post("/auth/register", json=new)).status == 401
    _, staff = await token_for(Role.STAFF)
    assert (await client.post("/auth/register", json=new, headers=_bearer(staff))).status == 403
    _, admin = await token_for(Role.ADMIN)
    resp = await client.post("/auth/register", json=new, headers=_bearer(admin))
    assert resp.status == 201
    body = await resp.json()
    assert set(body) == USER_KEYS and body["role"] == "viewer" and body["is_active"] is True
    assert (await log_in(client, "new@example.com", "long enough pw")).status == 200

    again = await client.post("/auth/register", json={**new, "email": "NEW@example.com"}, headers=_bearer(admin))
    assert again.status == 400 and (await again.json())["detail"] == "REGISTER_USER_ALREADY_EXISTS"
    weak = await client.post("/auth/register", json={**new, "email": "w@example.com", "password": "short"},
                             headers=_bearer(admin))
    assert weak.status == 400
    assert (await weak.json())["detail"]["code"] == "REGISTER_INVALID_PASSWORD"


async def test_admin_registering_a_superuser_makes_an_admin(client, token_for):
    _, admin = await token_for(Role.ADMIN)
    resp = await client.post("/auth/register", headers=_bearer(admin),
                             json={"email": "boss@example.com", "password": "long enough pw", "is_superuser": True})
    assert (await resp.json())["role"] == "admin"


async def test_open_registration_creates_viewers_and_ignores_privileges(aiohttp_client, env):
    client = await aiohttp_client(auth_app(load_config({**env, "ALLOW_USER_REGISTRATION": "true"})))
    resp = await client.post("/auth/register", json={
        "email": "self@example.com", "password": "long enough pw", "is_superuser": True, "role": "admin"})
    assert resp.status == 201
    body = await resp.json()
    assert body["role"] == "viewer" and body["is_superuser"] is False


async def test_register_validates_the_email(client, token_for):
    _, admin = await token_for(Role.ADMIN)
    resp = await client.post("/auth/register", json={"email": "not-an-email", "password": "long enough pw"},
                             headers=_bearer(admin))
    assert resp.status == 422 and (await resp.json())["message"].startswith("body.email")


async def test_me_and_changing_own_email_and_password(client, make_user):
    user = await make_user(Role.STAFF)
    token = (await (await log_in(client, user["email"], PASSWORD)).json())["access_token"]
    me = await client.get("/users/me", headers=_bearer(token))
    assert (await me.json())["email"] == user["email"] and set(await me.json()) == USER_KEYS
    resp = await client.patch("/users/me", headers=_bearer(token), json={
        "email": "renamed@example.com", "password": "a new long password", "role": "admin", "is_superuser": True,
        "current_password": PASSWORD})
    assert resp.status == 200
    body = await resp.json()
    assert body["email"] == "renamed@example.com" and body["role"] == "staff"  # privileges ignored for oneself
    assert (await log_in(client, "renamed@example.com", PASSWORD)).status == 400
    relogged = await log_in(client, "renamed@example.com", "a new long password")
    assert relogged.status == 200
    assert (await client.get("/users/me", headers=_bearer(token))).status == 401  # a new password ends old tokens
    token = (await relogged.json())["access_token"]
    weak = await client.patch("/users/me", headers=_bearer(token),
                              json={"password": "short", "current_password": "a new long password"})
    assert (await weak.json())["detail"]["code"] == "UPDATE_USER_INVALID_PASSWORD"


async def test_email_taken_on_update(client, make_user):
    taken, user = await make_user(Role.STAFF), await make_user(Role.STAFF)
    token = (await (await log_in(client, user["email"], PASSWORD)).json())["access_token"]
    resp = await client.patch("/users/me", headers=_bearer(token),
                              json={"email": taken["email"].upper(), "current_password": PASSWORD})
    assert resp.status == 400 and (await resp.json())["detail"] == "UPDATE_USER_EMAIL_ALREADY_EXISTS"


async def test_disabled_users_token_no_longer_reaches_me(client, make_user, db):
    user = await make_user(Role.STAFF)
    token = (await (await log_in(client, user["email"], PASSWORD)).json())["access_token"]
    await db.execute("UPDATE users SET is_active = false WHERE email = $1", user["email"])
    assert (await client.get("/users/me", headers=_bearer(token))).status == 401


async def test_admin_manages_users_by_id(client, make_user, token_for, db):
    target = await make_user(Role.STAFF)
    _, admin = await token_for(Role.ADMIN)
    headers = _bearer(admin)
    got = await client.get(f"/users/{target['id']}", headers=headers)
    assert got.status == 200 and (await got.json())["id"] == target["id"]
    listed = await (await client.get("/users", headers=headers)).json()
    assert target["email"] in {u["email"] for u in listed}

    session = (await (await log_in(client, target["email"], PASSWORD)).json())["refresh_token"]
    patched = await client.patch(f"/users/{target['id']}", headers=headers,
                                 json={"role": "viewer", "is_active": False, "is_verified": True})
    body = await patched.json()
    assert (body["role"], body["is_active"], body["is_verified"]) == ("viewer", False, True)
    # Disabling ends the user's sessions and logins.
    assert (await client.post("/auth/jwt/refresh", data={"refresh_token": session})).status == 401
    assert (await log_in(client, target["email"], PASSWORD)).status == 400

    promoted = await client.patch(f"/users/{target['id']}", headers=headers, json={"is_superuser": True})
    assert (await promoted.json())["role"] == "admin"

    assert (await client.delete(f"/users/{target['id']}", headers=headers)).status == 204
    assert await db.fetchval("SELECT count(*) FROM users WHERE id = $1", uuid.UUID(target["id"])) == 0
    for method in ("GET", "PATCH", "DELETE"):
        for missing in (target["id"], "not-a-uuid"):
            resp = await client.request(method, f"/users/{missing}", headers=headers,
                                        json={} if method == "PATCH" else None)
            assert resp.status == 404, (method, missing)


async def test_user_routes_need_admin(client, make_user, token_for):
    target = await make_user(Role.STAFF)
    _, staff = await token_for(Role.STAFF)
    assert (await client.get(f"/users/{target['id']}", headers=_bearer(staff))).status == 403
    assert (await client.get(f"/users/{target['id']}")).status == 401


async def test_the_last_active_admin_cannot_be_removed(client, make_user, db):
    await db.execute("DELETE FROM users")  # the first-start admin
    admin = await make_user(Role.ADMIN)
    token = (await (await log_in(client, admin["email"], PASSWORD)).json())["access_token"]
    headers = _bearer(token)
    for method, body in (("PATCH", {"role": "staff"}), ("PATCH", {"is_active": False}),
                         ("PATCH", {"is_superuser": False}), ("DELETE", None)):
        resp = await client.request(method, f"/users/{admin['id']}", headers=headers, json=body)
        assert resp.status == 400, (method, body)
        assert (await resp.json())["detail"]["code"] == "LAST_ADMIN"
    second = await make_user(Role.ADMIN)
    assert (await client.patch(f"/users/{admin['id']}", headers=headers, json={"role": "staff"})).status == 200
    # The demoted admin's token now acts with the account's current role: staff.
    assert (await client.delete(f"/users/{second['id']}", headers=headers)).status == 403


async def test_two_admins_demoting_each_other_at_once_leave_one(client, make_user, db):
    await db.execute("DELETE FROM users")  # the first-start admin
    first, second = await make_user(Role.ADMIN), await make_user(Role.ADMIN)
    tokens = [(await (await log_in(client, u["email"], PASSWORD)).json())["access_token"] for u in (first, second)]
    results = await asyncio.gather(
        client.patch(f"/users/{second['id']}", headers=_bearer(tokens[0]), json={"role": "viewer"}),
        client.patch(f"/users/{first['id']}", headers=_bearer(tokens[1]), json={"role": "viewer"}),
    )
    # The loser is refused either by the last-admin rule (400) or, once the winner's change is
    # committed, because its own token now acts as a viewer (403).
    assert sorted(r.status for r in results) in ([200, 400], [200, 403])
    assert await db.fetchval("SELECT count(*) FROM users WHERE role = 'admin' AND is_active") == 1
