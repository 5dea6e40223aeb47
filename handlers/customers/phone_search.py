"""`/phone/search`: fuzzy customer search, one statement per request at a clinic's size (spec 30 §4.3).

The answer is every customer scoring >= 0.3, best first (the reference's rule). On a large directory the
threshold levels keep the trigram indexes selective: all rows scoring >= a level are found, and once they fill
the page lower scores cannot enter it. On a small directory (a clinic's: about 1,500 customers) every level
costs the same few index probes, so the search runs at the lowest level straight away, in one statement.

The search has connections of its own whose session settings suit it (read_pools.SEARCH); the statement sets
the trigram thresholds itself, so no transaction or setup statement is needed.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import asyncpg

from actors.customers.search import SearchTerms
from handlers.customers.read_pools import SEARCH, pool_of
from runtime.db import QUERIES
from runtime.services import Services

FEATURE = "phone_search"
MIN_SIMILARITY = 0.3
# Thresholds tried in turn on a large directory, strictest first (the last is the reference's 0.3).
THRESHOLD_LEVELS = (0.9, 0.7, 0.5, 0.4, MIN_SIMILARITY)
# A number query's trigram in this share of the wa_ids (a country code's) makes low thresholds expensive.
COMMON_TRIGRAM_SHARE = 0.05
# Up to this many customers the lowest level is searched directly (it scores a few hundred names at most).
SMALL_DIRECTORY = 20_000
SIZE_TTL = 60.0  # seconds between two counts of the directory (only which levels are tried depends on it)
SEARCH_SESSION = SEARCH.settings


@dataclass
class SearchResources:
    pool: asyncpg.Pool
    directory_size: int | None = None
    counted_at: float = 0.0

    async def directory_is_small(self, conn: asyncpg.Connection) -> bool:
        now = time.monotonic()
        if self.directory_size is None or now - self.counted_at > SIZE_TTL:
            self.directory_size = await conn.fetchval(QUERIES.phone_search_directory_size, SMALL_DIRECTORY + 1)
            self.counted_at = now
        return self.directory_size <= SMALL_DIRECTORY


def resources_of(services: Services) -> SearchResources:
    resources = services.extras.get(FEATURE)
    if resources is None:
        resources = services.extras[FEATURE] = SearchResources(pool_of(services, SEARCH))
    return resources


async def find(resources: SearchResources, terms: SearchTerms, limit: int) -> list[asyncpg.Record]:
    """The page of customers matching `terms`, best first."""
    async with resources.pool.acquire() as conn:
        levels = [MIN_SIMILARITY] if await resources.directory_is_small(conn) else list(THRESHOLD_LEVELS)
        stricter: list[str] | None = None
        while True:
            threshold = levels.pop(0)
            rows = await conn.fetch(QUERIES.phone_search, *terms.arguments(limit, threshold, stricter))
            if len(rows) >= limit or not levels:
                return rows
            if stricter is None and terms.like_pattern is not None and await conn.fetchval(
                    QUERIES.phone_search_lowest_level_is_cheap, terms.phone, MIN_SIMILARITY, COMMON_TRIGRAM_SHARE):
                levels = levels[-1:]  # a few digits without a country code: the lowest level is cheap
            stricter = [r["wa_id"] for r in rows]
