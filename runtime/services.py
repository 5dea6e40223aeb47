"""The long-lived resources of one process, shared by handlers and actors."""
from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import asyncpg
from aiohttp import web

from runtime.auth import TokenCodec
from runtime.bus import LocalBus
from runtime.config import Config

if TYPE_CHECKING:
    import aiojobs

    from runtime.account_sessions import AccountDirectory
    from runtime.actor_system import ActorSystem


_relaxed = contextvars.ContextVar("mawid_relaxed_commits", default=False)


@contextmanager
def relaxed_commits() -> Iterator[None]:
    """Writes made inside (and in tasks started inside) commit without waiting for their WAL flush.

    Only for work that may be replayed after a PostgreSQL crash: what such a crash loses is always
    the newest stretch of the WAL, so every effect outside the database must follow a commit made
    through `durable_pool()`, which flushes everything committed before it along with its own.
    """
    token = _relaxed.set(True)
    try:
        yield
    finally:
        _relaxed.reset(token)


@dataclass
class Services:
    """Filled in by the app's cleanup contexts, in start-up order; actors receive it as their context."""

    config: Config
    tokens: TokenCodec
    pool: asyncpg.Pool | None = None
    relaxed_pool: asyncpg.Pool | None = None  # synchronous_commit=off; see relaxed_commits
    bus: LocalBus | None = None
    actors: "ActorSystem | None" = None
    jobs: "aiojobs.Scheduler | None" = None
    accounts: "AccountDirectory | None" = None  # who may act right now (runtime/account_sessions.py)
    extras: dict[str, Any] = field(default_factory=dict)  # per-feature resources, keyed by feature name

    def require_pool(self) -> asyncpg.Pool:
        """The pool for this context: the relaxed one inside `relaxed_commits()`, if the process has it."""
        if self.relaxed_pool is not None and _relaxed.get():
            return self.relaxed_pool
        return self.durable_pool()

    def durable_pool(self) -> asyncpg.Pool:
        """Commits here return once flushed, whatever the context: the last write before an outside effect."""
        if self.pool is None:
            raise RuntimeError("the database pool is not started")
        return self.pool

    def relaxed_or_durable_pool(self) -> asyncpg.Pool:
        """For the inbound queue's bookkeeping, always replayable: relaxed whenever the process has that pool."""
        return self.relaxed_pool or self.durable_pool()


SERVICES = web.AppKey("services", Services)
