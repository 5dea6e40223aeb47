"""`PATCH /users/me` needs the current password to change the password or email (issue 19 row 9)."""
from __future__ import annotations

from runtime.routes import Role
from tests.security.live import PASSWORD, access_token, bearer, client, log_in, make_user


async def test_changing_password_or_email_needs_the_current_password(env, servers, db_url):
    server = servers(env)
    user = await make_user(db_url, Role.STAFF)
    async with client(server.url) as http:
        token = await access_token(http, user)
        http.cookies.clear()
        for change in ({"password": "a stolen token's password"}, {"email": "thief@example.com"}):
            missing = await http.patch("/users/me", headers=bearer(token), json=change)
            assert missing.status_code == 400, missing.text
            assert missing.json()["detail"]["code"] == "UPDATE_USER_CURRENT_PASSWORD_REQUIRED"
            wrong = await http.patch("/users/me", headers=bearer(token),
                                     json={**change, "current_password": "a guess at it"})
            assert wrong.status_code == 403, wrong.text
            assert wrong.json()["detail"] == "UPDATE_USER_BAD_CURRENT_PASSWORD"
        assert (await log_in(http, user)).status_code == 200  # nothing changed
        http.cookies.clear()
        # the same email in another case is no change, and needs no proof
        same = await http.patch("/users/me", headers=bearer(token), json={"email": user["email"].upper()})
        assert same.status_code == 200, same.text
        changed = await http.patch("/users/me", headers=bearer(token),
                                   json={"email": "moved@example.com", "current_password": PASSWORD})
        assert changed.status_code == 200 and changed.json()["email"] == "moved@example.com"
        assert (await log_in(http, {**user, "email": "moved@example.com"})).status_code == 200


async def test_guessing_the_current_password_is_throttled(env, servers, db_url):
    server = servers(env)
    user = await make_user(db_url, Role.STAFF)
    async with client(server.url) as http:
        token = await access_token(http, user)
        statuses = [(await http.patch("/users/me", headers=bearer(token),
                                      json={"password": "new long password", "current_password": f"guess {n}"}
                                      )).status_code for n in range(7)]
    assert statuses[:5] == [403] * 5 and set(statuses[5:]) == {429}, statuses
