"""`bin/mawid user …` through click's CliRunner against the test database."""
from __future__ import annotations

import asyncio

import asyncpg
import pytest
from click.testing import CliRunner

from actors.accounts.passwords import verify_password
from bin.cli.users import user
from tests.support.database import empty_tables

SUBCOMMANDS = ["create", "list", "set-role", "disable", "enable", "reset-password"]


@pytest.fixture
def cli(database_url):
    asyncio.run(empty_tables(database_url))
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):
        result = runner.invoke(user, list(args), env={"DATABASE_URL": database_url}, input=input)
        return result

    return invoke


def _row(url: str, email: str):
    async def fetch():
        conn = await asyncpg.connect(url)
        try:
            return await conn.fetchrow("SELECT * FROM users WHERE lower(email) = lower($1)", email)
        finally:
            await conn.close()

    return asyncio.run(fetch())


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_every_subcommand_has_help(cli, command):
    result = cli(command, "--help")
    assert result.exit_code == 0 and "Usage:" in result.output


def test_create_generates_a_password_printed_once(cli, database_url):
    result = cli("create", "ops@example.com", "--role", "admin")
    assert result.exit_code == 0, result.output
    password = next(line.split(": ", 1)[1] for line in result.output.splitlines() if line.startswith("password:"))
    row = _row(database_url, "ops@example.com")
    assert row["role"] == "admin" and row["is_superuser"] and verify_password(password, row["hashed_password"]).ok
    again = cli("create", "OPS@example.com")
    assert again.exit_code != 0 and "REGISTER_USER_ALREADY_EXISTS" in again.output


def test_create_with_prompted_password(cli, database_url):
    result = cli("create", "typed@example.com", "--prompt-password", input="my typed password\nmy typed password\n")
    assert result.exit_code == 0, result.output
    assert "password: " not in result.output.replace("Password: ", "")
    assert verify_password("my typed password", _row(database_url, "typed@example.com")["hashed_password"]).ok
    short = cli("create", "short@example.com", "--prompt-password", input="short\nshort\n")
    assert short.exit_code != 0 and "at least 8" in short.output


def test_list_set_role_disable_enable_reset(cli, database_url):
    assert "no users" in cli("list").output
    cli("create", "a@example.com")
    assert "a@example.com" in cli("list").output and "staff" in cli("list").output

    assert cli("set-role", "a@example.com", "viewer").exit_code == 0
    assert _row(database_url, "a@example.com")["role"] == "viewer"
    assert cli("set-role", "a@example.com", "root").exit_code != 0

    assert cli("disable", "a@example.com").exit_code == 0
    assert _row(database_url, "a@example.com")["is_active"] is False
    assert "disabled" in cli("list").output
    assert cli("enable", "a@example.com").exit_code == 0
    assert _row(database_url, "a@example.com")["is_active"] is True

    result = cli("reset-password", "A@example.com")
    password = next(line.split(": ", 1)[1] for line in result.output.splitlines() if line.startswith("password:"))
    assert verify_password(password, _row(database_url, "a@example.com")["hashed_password"]).ok

    missing = cli("disable", "nobody@example.com")
    assert missing.exit_code != 0 and "no user with email" in missing.output
