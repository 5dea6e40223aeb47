"""One login attempt: throttle check, password check, re-hash of legacy hashes, a new session.

The attempt is recorded as a failure *before* the password is checked (under an
advisory lock per account and per address) and forgotten when it succeeds, so
parallel guesses count against the limit as well as sequential ones. A success
also remembers the address as known-good for the account (actors/accounts/throttle.py).
The same throttle guards `confirm_password` (the current password asked for by
`PATCH /users/me`), so a stolen access token cannot be used to guess it.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from actors.accounts.passwords import verify_nobody, verify_password
from actors.accounts.rules import account_key
from actors.accounts.sessions import Session, start_session
from actors.accounts.store import Account
from actors.accounts.throttle import Limits, RecentFailures, retry_after
from runtime.db import QUERIES


class LoginRefused(Exception):
    """Wrong email or password, or a disabled user: one answer for all, as the reference."""


class LoginThrottled(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many failed logins; retry in {retry_after}s")
        self.retry_after = retry_after


@dataclass(frozen=True)
class Attempt:
    email: str
    password: str
    address: str
    now: datetime


async def _reserve(pool: asyncpg.Pool, account: str, address: str, limits: Limits, now: datetime) -> int:
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(QUERIES.login_attempt_lock, account, address)
        row = await conn.fetchrow(QUERIES.login_attempt_window, account, address, now - limits.window,
                                  now - limits.known_for)
        wait = retry_after(RecentFailures(**dict(row)), limits, now)
        if wait is not None:
            raise LoginThrottled(wait)
        await conn.execute(QUERIES.login_attempt_prune, now - limits.window)
        return await conn.fetchval(QUERIES.login_attempt_insert, account, address, now)


async def log_in(pool: asyncpg.Pool, attempt: Attempt, *, refresh_ttl: int, limits: Limits = Limits()) -> Session:
    key = account_key(attempt.email)
    attempt_id = await _reserve(pool, key, attempt.address, limits, attempt.now)
    row = await pool.fetchrow(QUERIES.user_by_email, key)
    if row is None:
        await asyncio.to_thread(verify_nobody, attempt.password)
        raise LoginRefused()
    account = Account.from_row(row)
    verdict = await asyncio.to_thread(verify_password, attempt.password, account.hashed_password)
    if not verdict.ok or not account.is_active:
        raise LoginRefused()
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(QUERIES.login_attempt_succeeded, key, attempt_id, attempt.address)
        await conn.execute(QUERIES.login_known_address_prune, attempt.now - limits.known_for)
        await conn.execute(QUERIES.login_known_address_remember, key, attempt.address, attempt.now)
        if verdict.new_hash is not None:
            await conn.execute(QUERIES.user_rehash_password, row["id"], account.hashed_password, verdict.new_hash)
        return await start_session(conn, account, refresh_ttl, attempt.now)


async def confirm_password(pool: asyncpg.Pool, attempt: Attempt, hashed_password: str,
                           limits: Limits = Limits()) -> None:
    """Raise LoginRefused unless `attempt.password` is the account's password (throttled like a login)."""
    key = account_key(attempt.email)
    attempt_id = await _reserve(pool, key, attempt.address, limits, attempt.now)
    verdict = await asyncio.to_thread(verify_password, attempt.password, hashed_password)
    if not verdict.ok:
        raise LoginRefused()
    await pool.execute(QUERIES.login_attempt_succeeded, key, attempt_id, attempt.address)
