"""Refresh-token sessions: opaque tokens stored as sha256, rotated on every use, families revoked on reuse.

A login starts a family. Each refresh marks the presented token used and issues
its successor in the same family, under a row lock, so two concurrent refreshes
with one token cannot both succeed: the second sees a spent token, which is
treated as theft, and the whole family is revoked.
"""
from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import asyncpg

from actors.accounts.store import Account
from runtime.db import QUERIES


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SessionRefused(Exception):
    """The refresh token is unknown, expired, revoked, spent (family now revoked) or its user is disabled."""


@dataclass(frozen=True)
class Session:
    account: Account
    refresh_token: str = field(repr=False)
    family_id: str
    expires_at: datetime


async def _issue(conn: Any, account: Account, family: uuid.UUID, ttl: int, now: datetime) -> tuple[int, Session]:
    token = secrets.token_urlsafe(32)
    expires = now + timedelta(seconds=ttl)
    token_id = await conn.fetchval(
        QUERIES.refresh_token_insert, uuid.UUID(account.id), family, token_hash(token), now, expires
    )
    return token_id, Session(account, token, str(family), expires)


async def start_session(conn: asyncpg.Connection, account: Account, ttl: int, now: datetime) -> Session:
    await conn.execute(QUERIES.refresh_user_prune_expired, uuid.UUID(account.id), now)
    _, session = await _issue(conn, account, uuid.uuid4(), ttl, now)
    return session


async def rotate(pool: asyncpg.Pool, token: str, ttl: int, now: datetime) -> Session:
    """Spend `token` and return its successor; raise SessionRefused (after revoking on reuse) otherwise."""
    async with pool.acquire() as conn:
        async with conn.transaction():
            row = await conn.fetchrow(QUERIES.refresh_token_for_update, token_hash(token))
            if row is None or row["revoked_at"] is not None:
                raise SessionRefused("unknown or revoked refresh token")
            reused = row["used_at"] is not None
            user = await conn.fetchrow(QUERIES.user_by_id, row["user_id"])
            if not reused and row["expires_at"] > now and user is not None and user["is_active"]:
                account = Account.from_row(user)
                new_id, session = await _issue(conn, account, row["family_id"], ttl, now)
                await conn.execute(QUERIES.refresh_token_mark_used, row["id"], now, new_id)
                return session
            if reused or (user is not None and not user["is_active"]):
                # Committed before refusing: a stolen token must not stay usable.
                await conn.execute(QUERIES.refresh_family_revoke, row["family_id"], now)
        raise SessionRefused("refresh token reused: session revoked" if reused else "refresh token expired")


async def end_session(pool: asyncpg.Pool, token: str, now: datetime) -> bool:
    """Revoke the family of `token`; False when the token is unknown."""
    async with pool.acquire() as conn, conn.transaction():
        row = await conn.fetchrow(QUERIES.refresh_token_for_update, token_hash(token))
        if row is None:
            return False
        await conn.execute(QUERIES.refresh_family_revoke, row["family_id"], now)
        return True
