"""An open `/ws` keeps speaking for its account only while the account allows it (issue 19 rows 3, 10, 13).

Through a real server: a socket is closed with 4401 when its token expires or its account is disabled
or changed, writes re-check the account, tab ids are per account, and `?token=` works on /ws only.
"""
from __future__ import annotations

import asyncio
import json

import aiohttp
import jwt
import pytest

from handlers.ws_session import CLOSE_SESSION_ENDED
from runtime.routes import Role
from tests.conftest import TEST_JWT_SECRET
from tests.security.live import access_token, bearer, client, make_user, wall_clock

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")

WAIT = 30  # seconds a receive may take before the test fails (generous: a loaded machine)
TYPING = {"type": "secretary_typing", "data": {"wa_id": "966500000123", "typing": True}}
VACATION = {"type": "vacation_update", "data": {"periods": []}}


async def _open(session: aiohttp.ClientSession, url: str, token: str, **params: str):
    return await session.ws_connect(f"{url}/ws", params={"token": token, **params}, autoping=True)


async def _reply(ws, wanted: str) -> dict | int:
    """The next reply of type `wanted`, or the close code if the server closes the socket first."""
    async with asyncio.timeout(WAIT):  # a bound for a hung test, not a speed requirement
        return await _next(ws, wanted)


async def _next(ws, wanted: str | None) -> dict | int:
    while True:
        msg = await ws.receive()
        if msg.type is aiohttp.WSMsgType.CLOSE:
            return msg.data  # the code in the server's close frame (close_code may say 1006 if the
            # server drops the TCP connection before our close reply, as aiohttp does)
        if msg.type in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSING):
            return ws.close_code
        assert msg.type is aiohttp.WSMsgType.TEXT, msg
        body = json.loads(msg.data)
        if wanted is not None and body["type"] == wanted:
            return body


async def _closed_with(ws) -> int | dict:
    """Wait until the server closes the socket (events meanwhile are skipped); the close code."""
    async with asyncio.timeout(WAIT):  # a bound for a hung test, not a speed requirement
        return await _next(ws, None)


@pytest.fixture
async def live(env, servers, db_url):
    server = servers({**env, "ACCOUNT_CACHE_SECONDS": "600"})  # only announced changes can be this quick
    async with aiohttp.ClientSession() as session:
        yield server, session


async def test_a_write_re_checks_the_account_even_when_no_change_was_announced(live, db_url, db):
    """Disabled behind the server's back (SQL, no announcement, a ten-minute cache): the next write
    command reads the account itself, is refused, and the socket closes with 4401."""
    server, session = live
    staff = await make_user(db_url, Role.STAFF)
    async with client(server.url) as http:
        staff_token = await access_token(http, staff)
    ws = await _open(session, server.url, staff_token)
    await ws.send_json(TYPING)
    assert (await _reply(ws, "typing_ack"))["type"] == "typing_ack"
    await db.execute("UPDATE users SET is_active = false WHERE id = $1::uuid", staff["id"])
    await ws.send_json(VACATION)  # a write after the disable is never acknowledged
    outcome = await _reply(ws, "vacation_update_ack")
    assert outcome == CLOSE_SESSION_ENDED, f"a disabled user's write got {outcome}"


async def test_disabling_a_user_through_the_api_closes_its_socket_at_once(live, db_url):
    server, session = live
    admin, staff = await make_user(db_url, Role.ADMIN), await make_user(db_url, Role.STAFF)
    async with client(server.url) as http:
        admin_token, staff_token = await access_token(http, admin), await access_token(http, staff)
    ws = await _open(session, server.url, staff_token)
    await ws.send_json({"type": "ping"})
    assert (await _reply(ws, "pong"))["type"] == "pong"
    async with client(server.url) as http:
        disabled = await http.patch(f"/users/{staff['id']}", headers=bearer(admin_token), json={"is_active": False})
        assert disabled.status_code == 200
    assert await _closed_with(ws) == CLOSE_SESSION_ENDED
    refused = await session.get(f"{server.url}/ws", params={"token": staff_token})
    assert refused.status == 401


async def test_a_socket_is_closed_when_its_account_changes_even_if_it_sends_nothing(live, db_url):
    server, session = live
    admin, staff = await make_user(db_url, Role.ADMIN), await make_user(db_url, Role.STAFF)
    async with client(server.url) as http:
        admin_token, staff_token = await access_token(http, admin), await access_token(http, staff)
    ws = await _open(session, server.url, staff_token)
    await ws.send_json({"type": "ping"})
    assert (await _reply(ws, "pong"))["type"] == "pong"
    async with client(server.url) as http:
        demoted = await http.patch(f"/users/{staff['id']}", headers=bearer(admin_token), json={"role": "viewer"})
        assert demoted.status_code == 200
    assert await _closed_with(ws) == CLOSE_SESSION_ENDED
    # the reconnect acts with the new role: its writes are refused, its reads served
    again = await _open(session, server.url, staff_token)
    await again.send_json(TYPING)
    nack = await _reply(again, "typing_nack")
    assert "viewer" in nack["error"]
    await again.close()


async def test_a_socket_is_closed_when_its_token_expires(live, db_url):
    server, session = live
    staff = await make_user(db_url, Role.STAFF)
    now = wall_clock()
    short = jwt.encode({"sub": staff["id"], "email": staff["email"], "role": "staff", "ver": 0, "iat": now,
                        "exp": now + 3}, TEST_JWT_SECRET, algorithm="HS256")
    ws = await _open(session, server.url, short)
    assert await _closed_with(ws) == CLOSE_SESSION_ENDED  # heartbeats do not keep it alive
    refused = await session.get(f"{server.url}/ws", params={"token": short})
    assert refused.status == 401


async def test_another_users_tab_id_does_not_close_my_socket(live, db_url):
    server, session = live
    mine, theirs = await make_user(db_url, Role.STAFF), await make_user(db_url, Role.STAFF)
    async with client(server.url) as http:
        my_token, their_token = await access_token(http, mine), await access_token(http, theirs)
    ws = await _open(session, server.url, my_token, tab="tab-123")
    await ws.send_json({"type": "ping"})
    assert (await _reply(ws, "pong"))["type"] == "pong"
    intruder = await _open(session, server.url, their_token, tab="tab-123")
    await intruder.send_json({"type": "ping"})
    assert (await _reply(intruder, "pong"))["type"] == "pong"
    await ws.send_json({"type": "ping"})
    assert (await _reply(ws, "pong"))["type"] == "pong", "another user's tab id closed my socket"
    # my own second connection with the same tab still replaces the first (1000, as the reference)
    replacement = await _open(session, server.url, my_token, tab="tab-123")
    assert await _closed_with(ws) == 1000
    await replacement.close()
    await intruder.close()


async def test_a_token_in_the_query_string_is_accepted_on_ws_only(live, db_url):
    server, session = live
    admin = await make_user(db_url, Role.ADMIN)
    async with client(server.url) as http:
        token = await access_token(http, admin)
        http.cookies.clear()  # the login's cookie would authenticate on its own
        assert (await http.get("/users", params={"token": token})).status_code == 401
        assert (await http.get("/users/me", params={"token": token})).status_code == 401
        assert (await http.get("/users", headers=bearer(token))).status_code == 200
    ws = await _open(session, server.url, token)
    await ws.send_json({"type": "ping"})
    assert (await _reply(ws, "pong"))["type"] == "pong"
    await ws.close()
