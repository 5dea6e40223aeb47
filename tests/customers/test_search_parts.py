"""A number search on a large directory runs its first level as two parts at once (names, numbers) and merges them:
the page is still exactly the reference's, including where only the merge decides it."""
from __future__ import annotations

from datetime import datetime

import pytest

from tests.customers.test_search import search
from tests.customers.test_search_exactness import reference
from tests.customers.test_search_numbers import crowd, trigram_sample  # noqa: F401  (crowd: a large directory)


async def number_with_a_namesake(db, crowded: list[str]) -> tuple[str, str]:
    """A crowded number `q`, and a neighbour of it named `q`: its name scores 1, its number less. It wrote last,
    so it heads the page for `q`."""
    from actors.customers.search import SearchTerms
    from handlers.customers.phone_search import THRESHOLD_LEVELS, number_start

    q = crowded[1]
    neighbour = q[:-1] + str((int(q[-1]) + 1) % 10)
    await db.execute("INSERT INTO customers (wa_id, customer_name, last_user_message_at) VALUES ($1, $2, $3)"
                     " ON CONFLICT (wa_id) DO UPDATE SET customer_name = $2, last_user_message_at = $3",
                     neighbour, q, datetime(2030, 1, 1))
    _, pairs = number_start(list(THRESHOLD_LEVELS), SearchTerms.parse(q), await trigram_sample(db))
    assert pairs is not None  # the search of `q` starts with the two parts
    return q, neighbour


async def test_a_customer_both_parts_find_keeps_its_better_score(viewer_client, crowd, db):  # noqa: F811
    q, neighbour = await number_with_a_namesake(db, crowd[1])
    for limit in (1, 2, 5):  # pages the first level fills: the merge's answer is the page
        found, _ = await search(viewer_client, q, limit=limit)
        assert found == await reference(db, q, limit), limit
        assert found[0] == (neighbour, 1.0)


async def test_each_part_scores_only_its_own_branches(crowd, db):  # noqa: F811
    from actors.customers.search import SearchTerms
    from handlers.customers.phone_search import THRESHOLD_LEVELS, number_start
    from runtime.db import QUERIES

    q, neighbour = await number_with_a_namesake(db, crowd[1])
    far = "201099999999"  # named like q, numbered like nothing near it
    await db.execute("INSERT INTO customers (wa_id, customer_name) VALUES ($1, $2)", far, q)
    terms = SearchTerms.parse(q)
    levels, pairs = number_start(list(THRESHOLD_LEVELS), terms, await trigram_sample(db))
    await db.execute("SET enable_seqscan = off")  # as on the search's own connections
    names, numbers = [{r["wa_id"]: r["similarity"] for r in await db.fetch(
        QUERIES.phone_search, *terms.arguments(100, levels[0], None, pairs, part=part))}
        for part in ("names", "numbers")]
    number_scores = {r["wa_id"]: r["s"] for r in await db.fetch(
        "SELECT wa_id, similarity(wa_id, $1) AS s FROM customers WHERE wa_id = ANY ($2::text[])", q, list(numbers))}
    assert names[far] == 1.0 and far not in numbers  # names are scored in the names part only
    assert names[neighbour] == 1.0 and numbers[neighbour] == number_scores[neighbour] < 1.0
    assert all(numbers[w] == pytest.approx(number_scores[w]) for w in numbers)
    assert numbers[q] == 1.0


async def test_equal_scores_are_ordered_as_the_database_orders_them(viewer_client, crowd, db):  # noqa: F811
    """The merge orders equal scores by wa_id as Python compares strings; under a collation that orders '-' before
    '+' (ICU's), a page where that decides is searched again in one statement."""
    q = crowd[1][1]
    await db.execute('ALTER TABLE customers ALTER COLUMN wa_id TYPE text COLLATE "en-x-icu"')
    await db.executemany("INSERT INTO customers (wa_id, customer_name) VALUES ($1, 'Zed')", [("+" + q,), ("-" + q,)])
    await db.execute("ANALYZE customers")
    assert await db.fetchval("SELECT $1::text < $2::text COLLATE \"en-x-icu\"", "-" + q, "+" + q)
    for limit in (3, 5):
        found, _ = await search(viewer_client, q, limit=limit)
        assert found == await reference(db, q, limit), limit
        assert [w for w, _ in found].index("-" + q) < [w for w, _ in found].index("+" + q)


async def test_searches_sharing_one_connection_do_not_wait_on_each_other(crowd, db_url):  # noqa: F811
    """Each statement takes a connection of its own: a search holding one while it waits for a second would wait
    for good on a pool all of whose connections are held that way (here, one connection)."""
    import asyncio

    from actors.customers.search import SearchTerms
    from handlers.customers.phone_search import SEARCH_SESSION, SearchResources, find
    from runtime.db import create_pool

    pool = await create_pool(db_url, min_size=1, max_size=1, server_settings=SEARCH_SESSION)
    try:
        resources = SearchResources(pool)
        async with asyncio.timeout(30):
            pages = await asyncio.gather(*(find(resources, SearchTerms.parse(q), 5) for q in crowd[1][:3]))
        assert all(len(page) == 5 for page in pages)
    finally:
        await pool.close()


async def test_each_pair_of_patterns_is_searched_by_exactly_one_part(db):
    """The two parts share the pairs out, each pair to one part, half to each (the parts run side by side: an
    uneven share makes one wait for the other). Each number below matches one pair only, so a pair neither part
    searched loses its number, and a pair both searched finds it twice."""
    from actors.customers.search import SearchTerms, digit_trigrams, trigram_pattern
    from runtime.db import QUERIES

    q = "123456789"
    pairs = [("123", "234"), ("345", "456"), ("567", "678"), ("678", "789")]
    numbers = ["123490517283", "345601928374", "567801928374", "906789102837"]
    for number, pair in zip(numbers, pairs):  # the fixture checks itself: one pair each, none irregular
        assert [p for p in pairs if set(p) <= set(digit_trigrams(number))] == [pair]
        assert len(digit_trigrams(number)) > 8
    await db.executemany("INSERT INTO customers (wa_id, customer_name) VALUES ($1, 'Zed')", [(n,) for n in numbers])
    patterns = ([trigram_pattern(a) for a, _ in pairs], [trigram_pattern(b) for _, b in pairs])
    terms = SearchTerms.parse(q)
    names, numbers_part = [{r["wa_id"] for r in await db.fetch(
        QUERIES.phone_search, *terms.arguments(100, 0.05, None, patterns, part=part))}
        for part in ("names", "numbers")]
    assert names | numbers_part == set(numbers) and not names & numbers_part
    assert len(names) == len(numbers_part) == 2
