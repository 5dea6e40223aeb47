"""The application core: an aiohttp app whose resources are cleanup contexts.

Start-up order is the list order: database (migrated), event bus, token key and account cache, actor
system, background-job scheduler. Shutdown runs in reverse, so actors drain
their mailboxes while the pool and the bus are still there.
"""
from __future__ import annotations

import logging
from typing import AsyncIterator

import aiojobs
from aiohttp import web

from runtime.account_sessions import ACCOUNTS_PG_CHANNEL, AccountDirectory, accounts_channel
from runtime.actor_system import ActorSystem
from runtime.auth import TokenCodec, auth_middleware
from runtime.bus import LocalBus, create_bus
from runtime.bus_postgres import PostgresBus
from runtime.config import Config
from runtime.db import QUERIES, create_pool
from runtime.http import middlewares
from runtime.migrate import migrate_url
from runtime.routes import ROUTES_KEY
from runtime.services import SERVICES, Services
from runtime.write_barrier import BARRIER, WriteBarrier

log = logging.getLogger("mawid.app")


async def database_context(app: web.Application) -> AsyncIterator[None]:
    services = app[SERVICES]
    config = services.config
    if not config.database_url:
        raise RuntimeError("DATABASE_URL is not set (run through `make run` or `bin/mawid serve`)")
    # Migrate on a connection of its own: the pool's statement timeout would cut a long backfill short.
    applied = await migrate_url(config.database_url)
    pool = await create_pool(config.database_url, min_size=config.db_pool_min, max_size=config.db_pool_max)
    if applied:
        log.info("database migrated", extra={"applied": [f"{m.version:04d}_{m.name}" for m in applied]})
    # Opened on demand (min 0): only processes running turns use it. Half as many sessions again, not as
    # many: sessions beyond the cores only queue for a CPU in the kernel, at the webhook's priority.
    relaxed = await create_pool(config.database_url, min_size=0, max_size=max(2, config.db_pool_max // 2),
                                server_settings={"synchronous_commit": "off"})
    services.pool, services.relaxed_pool = pool, relaxed
    yield
    await relaxed.close()
    await pool.close()


async def event_log_origin(services: Services) -> str | None:
    """This deployment's event log, as the Redis bus tags and checks it; None (nothing dropped) if unreadable."""
    if not services.config.redis_url:
        return None
    try:
        return await services.require_pool().fetchval(QUERIES.realtime_origin)
    except Exception:
        log.warning("could not read the event log's identity: events from other deployments are not filtered",
                    exc_info=True)
        return None


async def bus_context(app: web.Application) -> AsyncIterator[None]:
    services = app[SERVICES]
    config = services.config
    if not config.redis_url and config.workers > 1:  # worker processes of one server, no Redis: the database
        bus: LocalBus = PostgresBus(config.database_url)
    else:
        bus = create_bus(config.redis_url, config.redis_channel, await event_log_origin(services))
    await bus.start()
    services.bus = bus
    yield
    await bus.close()


async def accounts_context(app: web.Application) -> AsyncIterator[None]:
    """The token key (JWT_SECRET or the generated one) and the account cache with its own bus channel."""
    services = app[SERVICES]
    config = services.config
    pool = services.require_pool()
    await services.tokens.load_key(pool)
    if not config.jwt_secret:
        log.warning("JWT_SECRET is not set: access tokens are signed with the key generated and kept in the "
                    "database (docs/security.md)")
    if not config.redis_url and config.workers > 1:  # as bus_context: the workers share the database
        bus: LocalBus = PostgresBus(config.database_url, ACCOUNTS_PG_CHANNEL)
    else:
        origin = getattr(services.bus, "origin", None)  # read by bus_context, which starts first
        bus = create_bus(config.redis_url, accounts_channel(config.redis_channel), origin)
    await bus.start()
    directory = AccountDirectory(pool, config.account_cache_seconds, bus)
    unsubscribe = bus.subscribe(directory.on_event)
    services.accounts = directory
    yield
    services.accounts = None
    unsubscribe()
    await bus.close()


async def actors_context(app: web.Application) -> AsyncIterator[None]:
    services = app[SERVICES]
    config = services.config
    services.actors = ActorSystem(
        services, idle_timeout=config.actor_idle_timeout, ask_timeout=config.actor_ask_timeout
    )
    yield
    await services.actors.stop(deadline=config.shutdown_deadline)


async def jobs_context(app: web.Application) -> AsyncIterator[None]:
    services = app[SERVICES]
    services.jobs = aiojobs.Scheduler(close_timeout=services.config.shutdown_deadline)
    yield
    await services.jobs.close()


def base_app(config: Config) -> web.Application:
    tokens = TokenCodec.from_config(config)
    app = web.Application(
        middlewares=middlewares(config, auth_middleware(tokens, config)), client_max_size=config.max_body_bytes
    )
    app[SERVICES] = Services(config=config, tokens=tokens)
    app[ROUTES_KEY] = []
    app[BARRIER] = WriteBarrier()
    app.cleanup_ctx.extend([database_context, bus_context, accounts_context, actors_context, jobs_context])
    return app
