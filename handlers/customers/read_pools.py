"""Connections of their own for the customer reads whose statements want session settings of their own.

A read that needs settings for its plans (custom plans, no JIT, memory to hash) used to open a transaction and
send a tuning statement before its query: four statements for one. On connections opened with those settings
the query is sent alone. Each pool opens on demand (min 0), like the relaxed pool, and holds a few sessions.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import AsyncIterator, Callable

import asyncpg
from aiohttp import web

from runtime.db import create_pool
from runtime.services import SERVICES, Services


@dataclass(frozen=True)
class ReadPool:
    key: str  # under services.extras
    settings: dict[str, str]
    size: int


# The search: every branch of phone_search has an index path (tests/customers/test_search.py); the planner
# prices the trigram functions as cheap and would rather score a small table row by row, several times slower.
SEARCH = ReadPool("customers.search_pool",
                  {"enable_seqscan": "off", "plan_cache_mode": "force_custom_plan", "jit": "off"}, 4)
# The search of a small directory (phone_search.SMALL_DIRECTORY): one statement at the lowest threshold, whose
# plan does not depend on the query there (every branch is a few index probes; phone_search's $10 gives the
# substring rule a branch of its own for this). Planning it cost more than running it: it is planned once per
# connection (generic plan).
SEARCH_SMALL = ReadPool("customers.search_small_pool",
                        {"enable_seqscan": "off", "plan_cache_mode": "force_generic_plan", "jit": "off"}, 4)
# The directory and the dashboard's aggregates (sql/queries/stats.sql stats_read_tuning says why each).
ANALYTICS = ReadPool("customers.analytics_pool",
                     {"plan_cache_mode": "force_custom_plan", "jit": "off", "work_mem": "128MB",
                      "enable_mergejoin": "off", "max_parallel_workers_per_gather": "0"}, 4)


def pool_context(spec: ReadPool) -> Callable[[web.Application], AsyncIterator[None]]:
    async def context(app: web.Application) -> AsyncIterator[None]:
        services = app[SERVICES]
        pool = await create_pool(services.config.database_url, min_size=0, max_size=spec.size,
                                 server_settings=spec.settings)
        services.extras[spec.key] = pool
        yield
        services.extras.pop(spec.key, None)
        await pool.close()

    return context


def pool_of(services: Services, spec: ReadPool) -> asyncpg.Pool:
    return services.extras[spec.key]
