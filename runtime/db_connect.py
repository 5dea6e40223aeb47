"""Opening a first connection to PostgreSQL, and saying in one line why it failed.

A wrong or unreachable `DATABASE_URL` is an operator's mistake, not a bug: the commands that connect
(`serve`, `migrate`, the admin commands) print where they tried to connect and what to check, not a
traceback ending in `ConnectionRefusedError`.
"""
from __future__ import annotations

import asyncio
import socket
from typing import Any
from urllib.parse import urlsplit

import asyncpg


class DatabaseUnreachable(ConnectionError):
    """PostgreSQL could not be reached or refused us. A ConnectionError (an OSError), so code that treats
    an unreachable database as "unavailable, retry later" keeps doing so."""


def _where(url: str) -> tuple[str, str, str]:
    """(host:port, user, database) of a libpq URL, never its password."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or "localhost"
        port = parts.port or 5432
    except ValueError:
        return "the address in DATABASE_URL", "?", "?"
    return f"{host}:{port}", parts.username or "?", parts.path.lstrip("/") or parts.username or "?"


def _reason(exc: BaseException, database: str) -> str:
    if isinstance(exc, socket.gaierror):
        return "unknown host name; check the host in DATABASE_URL"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused; check that PostgreSQL is running there and DATABASE_URL has the right host and port"
    if isinstance(exc, (TimeoutError, asyncio.TimeoutError)):
        return "no answer; check the host and port in DATABASE_URL and any firewall between"
    if isinstance(exc, asyncpg.InvalidCatalogNameError):
        return f"database {database!r} does not exist; create it (createdb) or fix the name in DATABASE_URL"
    if isinstance(exc, asyncpg.InvalidAuthorizationSpecificationError):
        return "authentication failed; check the user and password in DATABASE_URL (and pg_hba.conf)"
    if isinstance(exc, OSError):
        return f"{exc.strerror or exc}; check the host and port in DATABASE_URL"
    return f"{type(exc).__name__}: {exc}; check DATABASE_URL"


def describe_failure(url: str, exc: BaseException) -> str:
    address, user, database = _where(url)
    first_line = _reason(exc, database).splitlines()[0]
    return f"cannot connect to PostgreSQL at {address} (user {user}, database {database}): {first_line}"


CONNECT_FAILURES: tuple[type[BaseException], ...] = (
    OSError, asyncio.TimeoutError, asyncpg.InvalidCatalogNameError,
    asyncpg.InvalidAuthorizationSpecificationError, asyncpg.CannotConnectNowError,
)


async def connect(url: str, **kwargs: Any) -> asyncpg.Connection:
    """`asyncpg.connect`, raising DatabaseUnreachable with a one-line reason when the server cannot be used."""
    try:
        return await asyncpg.connect(url, **kwargs)
    except CONNECT_FAILURES as exc:
        raise DatabaseUnreachable(describe_failure(url, exc)) from exc


async def create_pool(url: str, **kwargs: Any) -> asyncpg.Pool:
    """`asyncpg.create_pool` (which opens min_size connections at once), failing the same way."""
    try:
        return await asyncpg.create_pool(url, **kwargs)
    except CONNECT_FAILURES as exc:
        raise DatabaseUnreachable(describe_failure(url, exc)) from exc
