"""The asyncpg pool and named SQL queries loaded from `sql/queries/*.sql`.

A query file holds one or more statements, each preceded by a name comment:

    -- name: customer_by_wa_id
    SELECT ... WHERE wa_id = $1;

`QUERIES.customer_by_wa_id` is then the statement text, parameters stay `$n`.
"""
from __future__ import annotations

import contextlib
import json
import re
from pathlib import Path
from typing import Iterator

import asyncpg

from runtime import db_connect

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"
_NAME_LINE = re.compile(r"^--\s*name:\s*([a-z_][a-z0-9_]*)\s*$", re.MULTILINE)


class Queries:
    """Every named statement under a directory, read once."""

    def __init__(self, directory: Path) -> None:
        self._statements: dict[str, str] = {}
        for path in sorted(directory.glob("*.sql")):
            self._load(path)

    def _load(self, path: Path) -> None:
        text = path.read_text(encoding="utf-8")
        parts = _NAME_LINE.split(text)
        # parts = [preamble, name1, body1, name2, body2, ...]
        for name, body in zip(parts[1::2], parts[2::2]):
            if name in self._statements:
                raise ValueError(f"query {name!r} is defined twice (second time in {path.name})")
            self._statements[name] = body.strip().rstrip(";")

    def __getattr__(self, name: str) -> str:
        try:
            return self._statements[name]
        except KeyError:
            raise AttributeError(f"no query named {name!r} in sql/queries") from None

    def __contains__(self, name: str) -> bool:
        return name in self._statements

    def wrapped(self, wrapper: str, inner: str) -> str:
        """The statement named `wrapper` with `inner` (SQL text) in place of its one pair of braces: a wrapper
        around a plain statement, e.g. one that has PostgreSQL assemble that statement's rows into JSON."""
        text = getattr(self, wrapper)
        if text.count("{}") != 1:
            raise ValueError(f"query {wrapper!r} must hold exactly one '{{}}' (where the wrapped statement goes)")
        return text.replace("{}", inner)


QUERIES = Queries(SQL_DIR / "queries")

# The database cannot be reached (down, restarting, connection lost mid-query). Business code lets
# these through instead of reporting a failed operation: the HTTP layer answers 503 + Retry-After,
# the client retries, and nothing was written (docs/resilience.md). InternalClientError is what a
# statement meets on a connection PostgreSQL ended while it sat idle in the pool, handed out before
# asyncpg saw its socket close (it had read the termination notice only): nothing was sent.
DATABASE_UNAVAILABLE: tuple[type[BaseException], ...] = (
    OSError, asyncpg.PostgresConnectionError, asyncpg.InterfaceError, asyncpg.CannotConnectNowError,
    asyncpg.InternalClientError,
)


async def _init_connection(conn: asyncpg.Connection) -> None:
    # jsonb columns arrive as Python objects and accept them, without manual dumps.
    for type_name in ("json", "jsonb"):
        await conn.set_type_codec(
            type_name, encoder=lambda v: json.dumps(v, ensure_ascii=False), decoder=json.loads, schema="pg_catalog"
        )


class PooledConnection(asyncpg.Connection):
    """Given back to the pool without asyncpg's reset statement unless it may hold session state.

    The reset (unlock all advisory locks, close cursors, unlisten, reset settings) is one more round
    trip on every release: as many as the queries themselves for the many one-statement
    `pool.fetchval` calls of a turn. Our code keeps session state on pooled connections only inside
    `holding_session_state` (session advisory locks); settings are `SET LOCAL`, cursors live in
    transactions and LISTEN uses its own connection. An open transaction is still always rolled back.
    """

    _holds_session_state = False

    def hold_session_state(self, held: bool) -> None:
        self._holds_session_state = held

    def get_reset_query(self) -> str:
        return super().get_reset_query() if self._holds_session_state else ""

    async def reset(self, *, timeout: float | None = None) -> None:  # noqa: ASYNC109  (asyncpg's signature)
        await super().reset(timeout=timeout)
        self._holds_session_state = False


@contextlib.contextmanager
def holding_session_state(conn: asyncpg.Connection) -> Iterator[None]:
    """Around code that takes session-level state on a pooled connection and undoes it itself: if that
    code fails (or is cancelled) before undoing it, the pool resets the connection on release."""
    mark = getattr(conn, "hold_session_state", None)  # plain connections (tests, tools) are not pooled
    if mark is not None:
        mark(True)
    yield
    if mark is not None:
        mark(False)


async def create_pool(url: str, *, min_size: int = 2, max_size: int = 20,
                      server_settings: dict[str, str] | None = None) -> asyncpg.Pool:
    return await db_connect.create_pool(
        url, min_size=min_size, max_size=max_size, init=_init_connection, command_timeout=30,
        server_settings=server_settings, connection_class=PooledConnection,
    )
