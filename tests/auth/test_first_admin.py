"""The first start with no users creates exactly one admin with a random password, and says how to log in."""
from __future__ import annotations

import asyncio

from aiohttp.test_utils import TestClient, TestServer

from runtime.routes import Role
from tests.auth.conftest import auth_app, log_in


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


async def test_two_processes_starting_at_once_create_one_admin(config, db, capsys):
    servers = [TestServer(auth_app(config)) for _ in range(3)]
    try:
        await asyncio.gather(*(server.start_server() for server in servers))
        assert await db.fetchval("SELECT count(*) FROM users") == 1
        assert capsys.readouterr().out.count("password:") == 1
    finally:
        await asyncio.gather(*(server.close() for server in servers))


async def test_no_admin_is_created_when_users_exist(config, db, token_for, capsys):
    await token_for(Role.VIEWER)
    async with TestClient(TestServer(auth_app(config))):
        pass
    assert await db.fetchval("SELECT count(*) FROM users WHERE role = 'admin'") == 0
    assert "password:" not in capsys.readouterr().out
