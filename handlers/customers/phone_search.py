"""`/phone/search`: fuzzy customer search, one statement per request at a clinic's size (spec 30 §4.3).

The answer is every customer scoring >= 0.3, best first (the reference's rule). On a large directory the
threshold levels keep the trigram indexes selective: all rows scoring >= a level are found, and once they fill
the page lower scores cannot enter it. On a small directory (a clinic's: about 1,500 customers) every level
costs the same few index probes, so the search runs at the lowest level straight away, in one statement.

The search has connections of its own whose session settings suit it (read_pools.SEARCH, and SEARCH_SMALL, whose
plans are made once per connection, for a directory last counted small); the statement sets the trigram thresholds
itself, so no transaction or setup statement is needed.
"""
from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import asyncpg

from actors.customers.search import (
    SearchTerms,
    pair_patterns,
    patterns_of,
    query_trigrams,
    trigram_pairs,
)
from actors.customers.trigram_sample import TrigramSample
from actors.customers.wire import contact_item
from handlers.customers.read_pools import SEARCH, SEARCH_SMALL, pool_of
from runtime.db import QUERIES
from runtime.routes import json_bytes
from runtime.services import Services

FEATURE = "phone_search"
MIN_SIMILARITY = 0.3
# Thresholds tried in turn on a large directory, strictest first (the last is the reference's 0.3).
THRESHOLD_LEVELS = (0.9, 0.7, 0.5, 0.4, MIN_SIMILARITY)
# A number query's trigram in this share of the wa_ids (a country code's) makes low thresholds expensive.
COMMON_TRIGRAM_SHARE = 0.05
# Up to this many customers the lowest level is searched directly (it scores a few hundred names at most).
SMALL_DIRECTORY = 20_000
# Fewer digits are inside enough numbers for the substring rule to fill the page at the first level: the levels
# start there as before, instead of at the lowest level pairs allow.
PAIRS_MIN_DIGITS = 6
SIZE_TTL = 60.0  # seconds between two counts of the directory (only which levels are tried depends on it)
# wa_ids sampled to tell rare trigrams and estimate lookups (about 25 ms at 1M customers), and how often: how
# numbers are spread over country codes changes slowly.
SAMPLE_ROWS = 2000
SAMPLE_TTL = 600.0
SEARCH_SESSION = SEARCH.settings


@dataclass
class SearchResources:
    pool: asyncpg.Pool
    small_pool: asyncpg.Pool | None = None  # for a small directory; without it, `pool` serves every search
    directory_size: int | None = None
    counted_at: float = 0.0
    trigram_sample: TrigramSample | None = None  # of wa_ids
    sampled_at: float = 0.0
    drawing: asyncio.Lock = field(default_factory=asyncio.Lock)  # searches arriving together draw once

    async def directory_is_small(self, conn: asyncpg.Connection) -> bool:
        now = time.monotonic()
        if self.directory_size is None or now - self.counted_at > SIZE_TTL:
            self.directory_size = await conn.fetchval(QUERIES.phone_search_directory_size, SMALL_DIRECTORY + 1)
            self.counted_at = now
        return self.directory_size <= SMALL_DIRECTORY

    async def fetch(self, query: str, *args) -> list[asyncpg.Record]:
        async with self.pool.acquire() as conn:
            return await conn.fetch(query, *args)

    async def fetchval(self, query: str, *args):
        async with self.pool.acquire() as conn:
            return await conn.fetchval(query, *args)

    def sample_is_fresh(self) -> bool:
        return self.trigram_sample is not None and time.monotonic() - self.sampled_at <= SAMPLE_TTL

    async def sample(self, conn: asyncpg.Connection) -> TrigramSample:
        if not self.sample_is_fresh():
            async with self.drawing:
                if not self.sample_is_fresh():  # (another search may have drawn it meanwhile)
                    drawn = await conn.fetchrow(QUERIES.phone_search_wa_id_sample, SAMPLE_ROWS)
                    self.trigram_sample = TrigramSample.of(drawn["wa_ids"], drawn["scale"])
                    self.sampled_at = time.monotonic()
        return self.trigram_sample


def number_start(levels: list[float], terms: SearchTerms,
                 sample: TrigramSample) -> tuple[list[float], tuple | None]:
    """The levels left to try and the pairs of the first one, for a number query of PAIRS_MIN_DIGITS or more.
    Pairs at the lowest level when the sample says they visit less than the similarity operator there (a
    country code a few percent of the directory shares: tens of thousands of the operator's candidates at 1M).
    Else, without a country code's trigrams, the operator's lowest level is cheap: straight there. With them,
    the lowest level whose pairs its rare digits allow (one statement, usually: pairs never scan the trigrams most
    numbers share)."""
    phone, shares = terms.phone, sample.shares
    trigrams = query_trigrams(phone)  # a number, maybe typed or copied with punctuation
    if not trigrams or sum(c.isascii() and c.isdigit() for c in phone) < PAIRS_MIN_DIGITS:
        return levels, None
    lowest = trigram_pairs(phone, shares, levels[-1], COMMON_TRIGRAM_SHARE)
    if lowest is not None and sample.pairs_ms(lowest) < sample.operator_ms(trigrams, levels[-1]):
        return levels[-1:], patterns_of(lowest)
    if sum(shares.get(t, 0.0) >= COMMON_TRIGRAM_SHARE for t in trigrams) < MIN_SIMILARITY * len(trigrams):
        return levels[-1:], None
    for start in reversed(range(len(levels))):
        pairs = pair_patterns(phone, shares, levels[start], COMMON_TRIGRAM_SHARE)
        if pairs is not None:
            return levels[start:], pairs
    return levels, None


def level_pairs(terms: SearchTerms, threshold: float, sample: TrigramSample, priced: bool) -> tuple | None:
    """The pairs of a level number_start did not choose, or None for the similarity operator. No pair at all when
    the query has too few trigrams for a number with more than 8 to reach the level: only the irregular wa_ids
    can ('966' at 0.9). `priced` (the levels after the first): pairs when the sample says they visit less than
    the operator; any trigram may be in one, a prefix's too (with 6 of 13 trigrams in over 9% of the numbers,
    the operator at 0.4 scored 30,000 of 1M customers: 80-100 ms)."""
    pairs = trigram_pairs(terms.phone, sample.shares, threshold, None)
    if pairs == []:
        return [], []
    if priced and pairs and sample.pairs_ms(pairs) < sample.operator_ms(query_trigrams(terms.phone), threshold):
        return patterns_of(pairs)
    return None


# phone_search wrapped so that PostgreSQL assembles the page's items (0830 contact_item_json)
SEARCH_ITEMS = QUERIES.wrapped("phone_search_items_wrapper", QUERIES.phone_search)


def resources_of(services: Services) -> SearchResources:
    resources = services.extras.get(FEATURE)
    if resources is None:
        resources = services.extras[FEATURE] = SearchResources(pool_of(services, SEARCH),
                                                               pool_of(services, SEARCH_SMALL))
    return resources


async def find(resources: SearchResources, terms: SearchTerms, limit: int) -> list[asyncpg.Record]:
    """The page of customers matching `terms`, best first, on the search pool (a directory last counted small is
    served by find_items on its own pool, in one statement). Each statement takes a connection of its own: a
    search holding one while it waits for another could wait for good once every search holds one."""
    async with resources.pool.acquire() as conn:
        levels = [MIN_SIMILARITY] if await resources.directory_is_small(conn) else list(THRESHOLD_LEVELS)
        pairs = sample = None
        if len(levels) > 1 and terms.like_pattern is not None:
            sample = await resources.sample(conn)
            levels, pairs = number_start(levels, terms, sample)
    stricter: list[str] | None = None
    while True:
        threshold = levels.pop(0)
        if pairs is None and sample is not None:
            pairs = level_pairs(terms, threshold, sample, priced=stricter is not None)
        if pairs is not None and pairs[0]:
            rows = await find_in_parts(resources, terms, limit, threshold, pairs, stricter)
        else:
            rows = await resources.fetch(QUERIES.phone_search, *terms.arguments(limit, threshold, stricter, pairs))
        if len(rows) >= limit or not levels:
            return rows
        if stricter is None and terms.like_pattern is not None and await resources.fetchval(
                QUERIES.phone_search_lowest_level_is_cheap, terms.phone, MIN_SIMILARITY, COMMON_TRIGRAM_SHARE):
            levels = levels[-1:]  # a few digits without a country code: the lowest level is cheap
        stricter = [r["wa_id"] for r in rows]  # (from here on, the levels after the first)
        pairs = None


async def find_in_parts(resources: SearchResources, terms: SearchTerms, limit: int, threshold: float,
                        pairs: tuple[list[str], list[str]], stricter: list[str] | None = None) -> list[asyncpg.Record]:
    """A number search's level with pairs as two parts at once, on two connections: the names with every other pair
    of patterns, and the other branches with the rest (at 1M customers a full number took 39 ms as one statement,
    22-24 ms as two; halving the pairs rather than taking a third balances the parts better: 16 and 18 ms).
    The names part scores every row it finds as the whole search would; the numbers part scores a row by its
    number only, which is its score unless its name scores more, and then the names part finds it.
    So the best score of each wa_id, in the statement's order, is the whole search's page, provided Python orders
    equal scores as PostgreSQL does: by wa_id, the same under any collation for digits; a page holding another
    wa_id is searched again in one statement."""
    parts = await asyncio.gather(*(
        resources.fetch(QUERIES.phone_search, *terms.arguments(limit, threshold, stricter, pairs, part=part))
        for part in ("names", "numbers")))
    best: dict[str, asyncpg.Record] = {}
    for row in itertools.chain(*parts):
        kept = best.get(row["wa_id"])
        if kept is None or row["similarity"] > kept["similarity"]:
            best[row["wa_id"]] = row
    if not all(wa_id.isascii() and wa_id.isdigit() for wa_id in best):
        return await resources.fetch(QUERIES.phone_search, *terms.arguments(limit, threshold, stricter, pairs))
    return sorted(best.values(), key=page_order)[:limit]


def page_order(row: asyncpg.Record) -> tuple:
    """phone_search's ORDER BY: similarity DESC, last_user_message_at DESC NULLS LAST, wa_id."""
    seen = row["last_user_message_at"]  # a naive timestamp: its distance from datetime.min orders it exactly
    return -row["similarity"], seen is None, -(seen - datetime.min) if seen is not None else timedelta(0), row["wa_id"]


def items_bytes(items: str | None) -> bytes:
    """A page of items PostgreSQL assembled (contact_item_json; NULL for none), to pass on without decoding:
    building and encoding each item in Python was a third of the /phone/* routes' time."""
    return items.encode("utf-8") if items else b"[]"


async def find_items(resources: SearchResources, terms: SearchTerms, limit: int) -> bytes:
    """The page as a JSON array of /phone/* items, best first: assembled by PostgreSQL in a small directory's one
    statement (building and encoding each item in Python was most of that request's time), here from the rows of
    a large directory's levels."""
    if resources.small_pool is not None and resources.directory_size is not None \
            and resources.directory_size <= SMALL_DIRECTORY:
        async with resources.small_pool.acquire() as conn:
            if await resources.directory_is_small(conn):  # (recounted once a minute)
                items = await conn.fetchval(SEARCH_ITEMS, *terms.arguments(limit, MIN_SIMILARITY, small=True))
                return items_bytes(items)
    rows = await find(resources, terms, limit)
    return json_bytes([contact_item(r) for r in rows])
