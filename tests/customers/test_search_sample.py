"""The sample of wa_ids that decides how a large directory's number search looks its candidates up: its counts
are exact on the sample, it picks pairs where a minority country code would flood the similarity operator, and
whichever way it picks, the page is the reference's."""
from __future__ import annotations

import math
import random

from tests.customers.test_search import search
from tests.customers.test_search_exactness import reference
from tests.customers.test_search_numbers import crowd, number_queries, trigram_sample  # noqa: F401


def directory_like(rnd: random.Random, minority_share: float, rows: int = 4000) -> list[str]:
    """Saudi numbers, and a minority of Egyptian ones (too few for their code to count as common)."""
    egyptian = round(rows * minority_share)
    return [f"9665{rnd.randrange(10**8):08d}" for _ in range(rows - egyptian)] + \
        [f"2010{rnd.randrange(10**8):08d}" for _ in range(egyptian)]


def test_counts_are_exact_on_the_sample():
    from actors.customers.search import digit_trigrams
    from actors.customers.trigram_sample import CANDIDATE_MS, OPERATOR_MS, PAIR_MS, TrigramSample

    rnd = random.Random(3)
    wa_ids = directory_like(rnd, 0.03, rows=600) + ["abc", "+9665", "7"]
    sample = TrigramSample.of(wa_ids, scale=10.0)
    sets = [set(digit_trigrams(w)) if w.isdigit() else set() for w in wa_ids]
    query = digit_trigrams("201001234567")
    for at_least in range(1, 8):
        expected = sum(len(s & set(query)) >= at_least for s in sets)
        assert sample.rows_holding(query, at_least) == expected * 10.0, at_least
    for trigram in ("201", " 96", "  7", "abc"):
        assert sample.shares.get(trigram, 0.0) == sum(trigram in s for s in sets) / len(wa_ids)
    both = sum({"201", "010"} <= s for s in sets) + sum({"123", "456"} <= s for s in sets)
    assert sample.pairs_ms([("201", "010"), ("123", "456")]) == \
        math.fsum([OPERATOR_MS, 2 * PAIR_MS, CANDIDATE_MS * both * 10.0])


def test_a_minority_country_code_is_looked_up_by_pairs():
    """At 1M customers a country code 3% share is 30,000 numbers holding the query's first trigrams: the operator
    at the lowest level would score them all (70 ms, measured), pairs visit a few thousand (20 ms)."""
    from actors.customers.search import SearchTerms
    from actors.customers.trigram_sample import TrigramSample
    from handlers.customers.phone_search import THRESHOLD_LEVELS, number_start

    rnd = random.Random(4)
    large = TrigramSample.of(directory_like(rnd, 0.03), scale=250.0)  # 4,000 of 1M
    levels, pairs = number_start(list(THRESHOLD_LEVELS), SearchTerms.parse("201001234567"), large)
    assert levels == [0.3] and pairs is not None and len(pairs[0]) > 0
    # the same shares on a directory of 4,000: few candidates, the operator's lowest level is cheaper
    small = TrigramSample.of(directory_like(random.Random(4), 0.03), scale=1.0)
    assert number_start(list(THRESHOLD_LEVELS), SearchTerms.parse("201001234567"), small) == ([0.3], None)
    # a Saudi number's country code is common either way: the lowest level its pairs allow, as before
    saudi_levels, saudi_pairs = number_start(list(THRESHOLD_LEVELS), SearchTerms.parse("966509031731"), large)
    assert saudi_pairs is not None and saudi_levels[0] > 0.3


async def test_the_page_is_the_reference_whichever_lookup_the_estimate_picks(
        viewer_client, crowd, db, monkeypatch):  # noqa: F811
    """With pairs priced as free, every level that has pairs takes them: the first, at the lowest level too, and
    the levels after it, whose pairs may hold a country code's trigrams (on this small directory the estimates
    would pick the operator). The page is still the reference's."""
    from actors.customers import trigram_sample as costs
    from actors.customers.search import SearchTerms
    from handlers.customers import phone_search
    from handlers.customers.phone_search import THRESHOLD_LEVELS, number_start

    monkeypatch.setattr(costs.TrigramSample, "pairs_ms", lambda self, pairs: 0.0)
    later_levels_with_pairs = []
    searched_in_parts = phone_search.find_in_parts

    async def watched(resources, terms, limit, threshold, pairs, stricter=None):
        if stricter is not None:
            later_levels_with_pairs.append((terms.phone, threshold))
        return await searched_in_parts(resources, terms, limit, threshold, pairs, stricter)

    monkeypatch.setattr(phone_search, "find_in_parts", watched)
    rows, crowded = crowd
    sample = await trigram_sample(db)
    lowest_pairs = 0
    for q in number_queries(rows, crowded):
        levels, pairs = number_start(list(THRESHOLD_LEVELS), SearchTerms.parse(q), sample)
        lowest_pairs += levels == [THRESHOLD_LEVELS[-1]] and pairs is not None
        expected = await reference(db, q, 100)
        for limit in (1, 100):
            found, _ = await search(viewer_client, q, limit=limit)
            assert found == expected[:limit], (q, limit, levels, pairs is not None)
    assert lowest_pairs >= 10 and len(later_levels_with_pairs) >= 10, (lowest_pairs, later_levels_with_pairs)


def test_a_query_longer_than_any_number_is_not_paired():
    """Up to 200 digits reach the search: pairing their trigrams would make thousands of lookups (each priced and
    each an index scan). Any 15-digit number still has its pairs at every level."""
    from actors.customers.search import MAX_PAIRED_TRIGRAMS, trigram_pairs
    from handlers.customers.phone_search import COMMON_TRIGRAM_SHARE, THRESHOLD_LEVELS

    rnd = random.Random(6)
    long_query = "".join(rnd.choice("0123456789") for _ in range(200))
    for threshold in THRESHOLD_LEVELS:
        assert trigram_pairs(long_query, {}, threshold, None) is None
        assert trigram_pairs(long_query, {}, threshold, COMMON_TRIGRAM_SHARE) is None
        for _ in range(20):
            number = "".join(rnd.choice("0123456789") for _ in range(15))
            pairs = trigram_pairs(number, {}, threshold, None)
            assert pairs is not None and len(pairs) <= MAX_PAIRED_TRIGRAMS * (MAX_PAIRED_TRIGRAMS - 1) // 2


async def test_a_level_no_regular_number_can_reach_reads_only_the_irregular_ones(crowd, db_url, db):  # noqa: F811
    """'9665' (5 trigrams) at 0.9: a digits-only wa_id with more than 8 trigrams scores at most 5/9 against it, so
    only 0821's irregular wa_ids can reach the level; the similarity operator would have rechecked every number
    holding all 5 trigrams (9,000 at 1M customers, 45 ms) to find none. The page is the reference's."""
    from actors.customers.search import SearchTerms
    from handlers.customers.phone_search import SEARCH_SESSION, SearchResources, find
    from runtime.db import create_pool

    class Recorded(SearchResources):
        async def fetch(self, query, *args):
            statements.append(args)
            return await super().fetch(query, *args)

    pool = await create_pool(db_url, min_size=1, max_size=2, server_settings=SEARCH_SESSION)
    try:
        for q in ("9665", "966", "+966", "0000"):
            statements: list[tuple] = []
            rows = await find(Recorded(pool), SearchTerms.parse(q), 100)
            assert statements[0][4] == 0.9 and statements[0][7] == [] == statements[0][8], q  # no pair, no operator
            assert [(r["wa_id"], round(r["similarity"], 4)) for r in rows] == await reference(db, q, 100), q
    finally:
        await pool.close()


def test_a_number_copied_from_whatsapp_is_looked_up_as_the_number_is():
    """WhatsApp copies a number between direction marks (U+202A ... U+202C): pg_trgm sees the plain number's
    trigrams, so the lookup is the plain number's (before: the similarity operator, 160-200 ms at 1M customers
    instead of 27). (Punctuation inside a number splits it into words: another query, whose lookup the estimate
    picks as for any.)"""
    from actors.customers.search import SearchTerms
    from actors.customers.trigram_sample import TrigramSample
    from handlers.customers.phone_search import THRESHOLD_LEVELS, number_start

    sample = TrigramSample.of(directory_like(random.Random(5), 0.03), scale=250.0)
    for plain in ("966509031731", "201001234567", "966581650324"):
        expected = number_start(list(THRESHOLD_LEVELS), SearchTerms.parse(plain), sample)
        assert expected[1] is not None
        for copied in (f"\u202a+{plain[:3]} {plain[3:5]} {plain[5:]}\u202c", f"\u200e{plain}\u200f", f"\ufeff+{plain}"):
            assert number_start(list(THRESHOLD_LEVELS), SearchTerms.parse(copied), sample) == expected, copied


async def test_concurrent_searches_draw_the_sample_once(crowd, db_url):  # noqa: F811
    """The first searches after a start (or after the sample ages) arrive together: one draw serves them all (at
    1M customers a draw is about 25 ms of SQL and 8 ms of Python holding the event loop)."""
    import asyncio

    import asyncpg

    from actors.customers.search import SearchTerms
    from handlers.customers.phone_search import SEARCH_SESSION, SearchResources, find

    draws = []

    async def watch(conn):
        conn.add_query_logger(lambda record: draws.append(1) if "TABLESAMPLE" in record.query else None)

    pool = await asyncpg.create_pool(db_url, min_size=4, max_size=4, server_settings=SEARCH_SESSION, init=watch)
    try:
        resources = SearchResources(pool)
        pages = await asyncio.gather(*(find(resources, SearchTerms.parse(q), 5)
                                       for q in ["966512345678", "201012345678", "9665", "+966 50"] * 3))
        assert all(pages) and len(draws) == 1, len(draws)
    finally:
        await pool.close()
