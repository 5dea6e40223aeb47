"""The first start with no users creates exactly one admin with a random password, and says how to log in."""
from __future__ import annotations

import asyncio

import httpx
from aiohttp.test_utils import TestClient, TestServer

from runtime.routes import Role
from tests.auth.conftest import auth_app, log_in
from tests.support.servers import ServerProcess


async def test_first_start_creates_an_admin_and_prints_its_password(config, db, capsys):
    async with TestClient(TestServer(auth_app(config))) as client:
        out = capsys.readouterr().out
        assert "admin@localhost" in out and "POST /auth/jwt/login" in out
        password = next(line.split(":", 1)[1].strip() for line in out.splitlines() if "password:" in line)
        rows = await db.fetch("SELECT email, role, is_superuser, hashed_password FROM users")
        assert [(r["email"], r["role"], r["is_superuser"]) for r in rows] == [("admin@localhost", "admin", True)]
        assert rows[0]["hashed_password"].startswith("$argon2id$")
        assert (await log_in(client, "admin@localhost", password)).status == 200


async def test_passwords_differ_between_installations(config, db, capsys):
    passwords = []
    for _ in range(2):
        await db.execute("DELETE FROM users")
        async with TestClient(TestServer(auth_app(config))):
            out = capsys.readouterr().out
        passwords.append(next(line for line in out.splitlines() if "password:" in line))
    assert passwords[0] != passwords[1]


async def test_three_processes_starting_at_once_create_one_admin(env, db):
    """Three real `mawid serve` processes on one empty database: one admin, one printed password, valid on all."""
    servers = [ServerProcess(env) for _ in range(3)]
    try:
        await asyncio.gather(*(asyncio.to_thread(server.start, 60) for server in servers))
        assert len({server.process.pid for server in servers}) == 3
        rows = await db.fetch("SELECT email, role FROM users")
        assert [(r["email"], r["role"]) for r in rows] == [("admin@localhost", "admin")]
        printed = [server for server in servers if "password:" in server.logs()]
        assert len(printed) == 1, [server.logs()[-500:] for server in servers]
        assert printed[0].logs().count("password:") == 1
        password = next(line.split(":", 1)[1].strip() for line in printed[0].logs().splitlines()
                        if "password:" in line)
        async with httpx.AsyncClient() as http:
            for server in servers:  # the one admin, whichever process created it
                answer = await http.post(server.url + "/auth/jwt/login",
                                         data={"username": "admin@localhost", "password": password})
                assert answer.status_code == 200, answer.text
    finally:
        for server in servers:
            server.stop()


async def test_no_admin_is_created_when_users_exist(config, db, token_for, capsys):
    await token_for(Role.VIEWER)
    async with TestClient(TestServer(auth_app(config))):
        pass
    assert await db.fetchval("SELECT count(*) FROM users WHERE role = 'admin'") == 0
    assert "password:" not in capsys.readouterr().out
