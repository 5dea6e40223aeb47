"""The first start with an empty `users` table creates one admin with a random password.

Safe when several processes start at once: the insert happens under a
transaction-level advisory lock after re-checking that the table is empty.
"""
from __future__ import annotations

import asyncio

import asyncpg

from actors.accounts.passwords import generate_password, hash_password
from actors.accounts.store import Account
from runtime.db import QUERIES

FIRST_ADMIN_EMAIL = "admin@localhost"


async def ensure_first_admin(pool: asyncpg.Pool, email: str = FIRST_ADMIN_EMAIL) -> tuple[Account, str] | None:
    """Create the admin and return it with its one-time password, or None when users already exist."""
    if await pool.fetchval(QUERIES.users_exist):
        return None
    password = generate_password()
    hashed = await asyncio.to_thread(hash_password, password)
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(QUERIES.admin_set_lock)
        if await conn.fetchval(QUERIES.users_exist):
            return None
        row = await conn.fetchrow(QUERIES.user_insert, email, hashed, True, True, True, "admin")
    return Account.from_row(row), password


def login_instructions(account: Account, password: str) -> str:
    return (
        "Mawid created the first admin account (no users existed).\n"
        f"  email:    {account.email}\n"
        f"  password: {password}\n"
        "  This password is shown once. Log in with POST /auth/jwt/login (form fields username, password),\n"
        f"  and change it with: bin/mawid user reset-password {account.email}"
    )
