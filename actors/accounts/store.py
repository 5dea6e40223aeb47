"""Reads and writes of `users`, with the rules applied; shared by the actor and the command line.

Every function takes an asyncpg connection (or pool) so callers choose the
transaction. Password hashing runs in a thread: it is deliberately slow.
"""
from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import asyncpg

from actors.accounts.passwords import hash_password
from actors.accounts.rules import password_problem, reconcile_role
from runtime.db import QUERIES
from runtime.routes import Role


class AccountError(Exception):
    """A refused account change; `code` is the reference's (fastapi-users) error code."""

    def __init__(self, code: str, reason: str | None = None) -> None:
        super().__init__(reason or code)
        self.code = code
        self.reason = reason


@dataclass(frozen=True)
class Account:
    id: str
    email: str
    hashed_password: str = field(repr=False)
    is_active: bool
    is_superuser: bool
    is_verified: bool
    role: Role
    created_at: datetime | None = None
    session_epoch: int = 0  # carried in access tokens; bumped to end them all

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> "Account":
        return cls(
            id=str(row["id"]), email=row["email"], hashed_password=row["hashed_password"],
            is_active=row["is_active"], is_superuser=row["is_superuser"], is_verified=row["is_verified"],
            role=Role.parse(row["role"]), created_at=row["created_at"], session_epoch=row["session_epoch"],
        )

    def public(self) -> dict[str, Any]:
        """fastapi-users' UserRead plus the role."""
        return {"id": self.id, "email": self.email, "is_active": self.is_active, "is_superuser": self.is_superuser,
                "is_verified": self.is_verified, "role": self.role.label}


def parse_user_id(raw: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        return None


async def by_email(conn: Any, email: str) -> Account | None:
    row = await conn.fetchrow(QUERIES.user_by_email, email.strip())
    return Account.from_row(row) if row else None


async def by_id(conn: Any, user_id: str) -> Account | None:
    parsed = parse_user_id(user_id)
    if parsed is None:
        return None
    row = await conn.fetchrow(QUERIES.user_by_id, parsed)
    return Account.from_row(row) if row else None


async def list_accounts(conn: Any) -> list[Account]:
    return [Account.from_row(row) for row in await conn.fetch(QUERIES.user_list)]


async def create_account(
    conn: Any, email: str, password: str, *, role: Role = Role.STAFF, is_active: bool = True,
    is_verified: bool = False, check_password: bool = True,
) -> Account:
    email = email.strip()
    if check_password and (problem := password_problem(password, email)):
        raise AccountError("REGISTER_INVALID_PASSWORD", problem)
    hashed = await asyncio.to_thread(hash_password, password)
    try:
        row = await conn.fetchrow(
            QUERIES.user_insert, email, hashed, is_active, role is Role.ADMIN, is_verified, role.label
        )
    except asyncpg.UniqueViolationError:
        raise AccountError("REGISTER_USER_ALREADY_EXISTS") from None
    return Account.from_row(row)


@dataclass(frozen=True)
class Changes:
    """A partial update; None leaves a field as it is."""

    email: str | None = None
    password: str | None = field(default=None, repr=False)
    is_active: bool | None = None
    is_superuser: bool | None = None
    is_verified: bool | None = None
    role: Role | None = None


async def update_account(conn: Any, user_id: str, changes: Changes, *, now: datetime) -> Account | None:
    """Apply `changes` in one transaction; a disabled user or a new password ends every session."""
    parsed = parse_user_id(user_id)
    if parsed is None:
        return None
    email = changes.email.strip() if changes.email is not None else None
    hashed = None
    if changes.password is not None:
        row = await conn.fetchrow(QUERIES.user_by_id, parsed)
        if row is None:
            return None
        if problem := password_problem(changes.password, email or row["email"]):
            raise AccountError("UPDATE_USER_INVALID_PASSWORD", problem)
        hashed = await asyncio.to_thread(hash_password, changes.password)
    async with conn.acquire() if isinstance(conn, asyncpg.Pool) else _same(conn) as c, c.transaction():
        row = await c.fetchrow(QUERIES.user_for_update, parsed)
        if row is None:
            return None
        current = Account.from_row(row)
        role, superuser = reconcile_role(current.role, role=changes.role, is_superuser=changes.is_superuser)
        active = current.is_active if changes.is_active is None else changes.is_active
        verified = current.is_verified if changes.is_verified is None else changes.is_verified
        if _is_active_admin(current) and not (active and role is Role.ADMIN):
            await _keep_an_admin(c, parsed)
        ends_sessions = hashed is not None or not active
        try:
            row = await c.fetchrow(
                QUERIES.user_update, parsed, email or current.email, hashed or current.hashed_password,
                active, superuser, verified, role.label, ends_sessions,
            )
        except asyncpg.UniqueViolationError:
            raise AccountError("UPDATE_USER_EMAIL_ALREADY_EXISTS") from None
        if ends_sessions:
            await c.execute(QUERIES.refresh_user_revoke_all, parsed, now)
    return Account.from_row(row)


async def end_all_sessions(conn: Any, user_id: str, *, now: datetime) -> bool:
    """Logout everywhere: revoke every refresh token and refuse every access token issued so far."""
    parsed = parse_user_id(user_id)
    if parsed is None:
        return False
    return await conn.fetchval(QUERIES.user_end_all_sessions, parsed, now) is not None


async def delete_account(conn: Any, user_id: str) -> bool:
    parsed = parse_user_id(user_id)
    if parsed is None:
        return False
    async with conn.acquire() if isinstance(conn, asyncpg.Pool) else _same(conn) as c, c.transaction():
        row = await c.fetchrow(QUERIES.user_for_update, parsed)
        if row is None:
            return False
        if _is_active_admin(Account.from_row(row)):
            await _keep_an_admin(c, parsed)
        return await c.fetchval(QUERIES.user_delete, parsed) is not None


def _is_active_admin(account: Account) -> bool:
    return account.is_active and account.role is Role.ADMIN


async def _keep_an_admin(conn: asyncpg.Connection, leaving: uuid.UUID) -> None:
    """Refuse to demote, disable or delete the last active admin: nobody could manage users any more."""
    await conn.execute(QUERIES.admin_set_lock)
    if await conn.fetchval(QUERIES.other_active_admins, leaving) == 0:
        raise AccountError("LAST_ADMIN", "At least one active admin must remain")


class _same:
    """`async with` over an already-acquired connection."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def __aenter__(self) -> asyncpg.Connection:
        return self.conn

    async def __aexit__(self, *exc: object) -> None:
        return None
