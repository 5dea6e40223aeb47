"""The long-lived resources of one process, shared by handlers and actors."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import asyncpg
from aiohttp import web

from runtime.auth import TokenCodec
from runtime.bus import LocalBus
from runtime.config import Config

if TYPE_CHECKING:
    import aiojobs

    from runtime.actor_system import ActorSystem


@dataclass
class Services:
    """Filled in by the app's cleanup contexts, in start-up order; actors receive it as their context."""

    config: Config
    tokens: TokenCodec
    pool: asyncpg.Pool | None = None
    bus: LocalBus | None = None
    actors: "ActorSystem | None" = None
    jobs: "aiojobs.Scheduler | None" = None
    extras: dict[str, Any] = field(default_factory=dict)  # per-feature resources, keyed by feature name

    def require_pool(self) -> asyncpg.Pool:
        if self.pool is None:
            raise RuntimeError("the database pool is not started")
        return self.pool


SERVICES = web.AppKey("services", Services)
