"""`user create|list|set-role|disable|enable|reset-password|logout`: manage who may log in.

A change is announced on Redis (when REDIS_URL is set) so running servers drop their cached
copy of the account at once; without Redis they notice within ACCOUNT_CACHE_SECONDS.
"""
from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any, Awaitable, Callable

import asyncpg
import click

from actors.accounts.passwords import generate_password
from actors.accounts.rules import password_problem
from actors.accounts.store import (
    AccountError,
    Changes,
    by_email,
    create_account,
    end_all_sessions,
    list_accounts,
    update_account,
)
from runtime.account_sessions import announce_from_outside
from runtime.db_connect import connect
from runtime.migrate import migrate
from runtime.routes import Role

from .settings import database_config

ROLE_CHOICE = click.Choice([role.label for role in Role], case_sensitive=False)


def _run(work: Callable[[asyncpg.Connection], Awaitable[Any]]) -> Any:
    config = database_config()

    async def main() -> Any:
        conn = await connect(config.database_url)
        try:
            await migrate(conn)
            return await work(conn)
        finally:
            await conn.close()

    try:
        return asyncio.run(main())
    except AccountError as exc:
        raise click.ClickException(exc.reason or exc.code) from None


def _new_password(prompt: bool, email: str) -> tuple[str, bool]:
    """The password to set and whether it was generated (then it is printed once)."""
    if not prompt:
        return generate_password(), True
    password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if problem := password_problem(password, email):
        raise click.ClickException(problem)
    return password, False


async def _announce(account_id: str) -> None:
    config = database_config()
    await announce_from_outside(config.redis_url, config.redis_channel, account_id)


async def _change(conn: asyncpg.Connection, email: str, changes: Changes):
    account = await by_email(conn, email)
    if account is None:
        raise click.ClickException(f"no user with email {email}")
    updated = await update_account(conn, account.id, changes, now=datetime.now(UTC))
    await _announce(account.id)
    return updated


async def _log_out(conn: asyncpg.Connection, email: str):
    account = await by_email(conn, email)
    if account is None:
        raise click.ClickException(f"no user with email {email}")
    await end_all_sessions(conn, account.id, now=datetime.now(UTC))
    await _announce(account.id)
    return account


@click.group("user")
def user() -> None:
    """Manage users: who may log in, and with which role (admin, staff, viewer)."""


@user.command("create")
@click.argument("email")
@click.option("--role", type=ROLE_CHOICE, default="staff", show_default=True, help="What the user may do.")
@click.option("--prompt-password", is_flag=True, help="Type the password instead of generating one.")
def create(email: str, role: str, prompt_password: bool) -> None:
    """Create a user; without --prompt-password a random password is generated and printed once."""
    password, generated = _new_password(prompt_password, email)
    account = _run(lambda conn: create_account(conn, email, password, role=Role.parse(role), is_verified=True))
    click.echo(f"created {account.email} ({account.role.label}) id {account.id}")
    if generated:
        click.echo(f"password: {password}")
        click.echo("It is shown once; the user can change it with PATCH /users/me.")


@user.command("list")
def list_users() -> None:
    """List every user with role and state."""
    accounts = _run(list_accounts)
    if not accounts:
        click.echo("no users")
    for account in accounts:
        state = "active" if account.is_active else "disabled"
        click.echo(f"{account.email:<40} {account.role.label:<7} {state:<9} {account.id}")


@user.command("set-role")
@click.argument("email")
@click.argument("role", type=ROLE_CHOICE)
def set_role(email: str, role: str) -> None:
    """Give EMAIL the role ROLE (admin, staff or viewer); it applies within seconds."""
    account = _run(lambda conn: _change(conn, email, Changes(role=Role.parse(role))))
    click.echo(f"{account.email} is now {account.role.label}")


@user.command("disable")
@click.argument("email")
def disable(email: str) -> None:
    """Stop EMAIL from logging in or refreshing; its sessions are revoked."""
    account = _run(lambda conn: _change(conn, email, Changes(is_active=False)))
    click.echo(f"{account.email} is disabled; its sessions are revoked")


@user.command("enable")
@click.argument("email")
def enable(email: str) -> None:
    """Let a disabled user log in again."""
    account = _run(lambda conn: _change(conn, email, Changes(is_active=True)))
    click.echo(f"{account.email} is enabled")


@user.command("reset-password")
@click.argument("email")
@click.option("--prompt-password", is_flag=True, help="Type the new password instead of generating one.")
def reset_password(email: str, prompt_password: bool) -> None:
    """Set a new password for EMAIL (generated and printed once by default); its sessions are revoked."""
    password, generated = _new_password(prompt_password, email)
    account = _run(lambda conn: _change(conn, email, Changes(password=password)))
    click.echo(f"password of {account.email} was reset; its sessions are revoked")
    if generated:
        click.echo(f"password: {password}")


@user.command("logout")
@click.argument("email")
def logout(email: str) -> None:
    """End every session of EMAIL on every device (refresh and access tokens)."""
    account = _run(lambda conn: _log_out(conn, email))
    click.echo(f"every session of {account.email} is ended")


# The subcommands belong to the `user` group only; `bin/mawid` adds every module-level command it finds.
del create, list_users, set_role, disable, enable, reset_password, logout
