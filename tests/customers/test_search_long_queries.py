"""Queries the trigram indexes cannot help with are not scanned for: tens of digits can only find a wa_id nearly as
long (the search asks whether there is one, 0831), and punctuation has no trigram at all. The page is still
exactly what the reference's rule finds."""
from __future__ import annotations

import itertools
import math
import random

import pytest

from tests.customers.test_search import search
from tests.customers.test_search_exactness import reference


@pytest.fixture(params=["lowest level at once", "threshold levels"])
def search_path(request, monkeypatch):
    from handlers.customers import phone_search

    if request.param == "threshold levels":
        monkeypatch.setattr(phone_search, "SMALL_DIRECTORY", 0)
    return request.param


def scans(plan: str, node: str, conditions: tuple[str, ...]) -> list[str]:
    """The plan's `node` lines whose condition or filter (the lines up to the next node) holds any of `conditions`."""
    lines = plan.splitlines()
    return [line for i, line in enumerate(lines) if node in line
            and any(c in detail for c in conditions
                    for detail in itertools.takewhile(lambda d: "->" not in d, lines[i + 1:]))]


def long_digits(rnd: random.Random, n: int) -> str:
    return "".join(rnd.choice("0123456789") for _ in range(n))


async def test_wa_ids_at_the_edge_of_the_length_a_long_query_needs_are_found(viewer_client, db, search_path):
    """For each long query, wa_ids cut from it at every length around the shortest it can find: the ones that
    reach 0.3, or hold the digits, are on the page as the reference has them; one character shorter, none is."""
    from actors.customers.search import SearchTerms

    rnd = random.Random(12)
    queries = [long_digits(rnd, n) for n in (20, 30, 45, 60, 80, 120, 180)]
    rows = {"966500000001", "201000000002"}  # ordinary numbers: the gate must not hide them from short queries
    for q in queries:  # the shortest a wa_id scoring 0.3 can be: 0.3 x (the query's trigrams) - 1 characters
        edge = math.ceil(0.3 * (len(q) + 1) - 0.01) - 1
        for length in range(max(4, edge - 2), min(len(q), edge + 3) + 1):
            rows |= {q[:length], q[-length:], q[3:3 + length]}
    await db.executemany("INSERT INTO customers (wa_id, customer_name) VALUES ($1, 'Zed')", [(w,) for w in rows])
    gated = 0
    for q in queries + [q + "7" for q in queries]:
        gated += SearchTerms.parse(q).shortest_reachable(0.3) is not None
        expected = await reference(db, q, 100)
        found, _ = await search(viewer_client, q, limit=100)
        assert found == expected, q
        assert found, q  # each query reaches some of the wa_ids cut from it
    assert gated >= 6


async def test_a_query_longer_than_any_wa_id_scans_no_number(db):
    """200 digits on a directory of ordinary numbers: the operator's and the substring rule's scans are never
    run (measured at 1M customers: 470 ms before, a few ms after)."""
    from actors.customers.search import SearchTerms
    from runtime.db import QUERIES

    await db.executemany("INSERT INTO customers (wa_id, customer_name) VALUES ($1, 'Zed')",
                         [(f"9665{i:08d}",) for i in range(200)])
    q = long_digits(random.Random(13), 200)
    terms = SearchTerms.parse(q)
    assert terms.shortest_reachable(0.3) is not None
    await db.execute("SET enable_seqscan = off")  # as on the search's own connections
    plan = "\n".join(r[0] for r in await db.fetch(
        "EXPLAIN (ANALYZE, COSTS OFF) " + QUERIES.phone_search, *terms.arguments(100, 0.3)))
    number_scans = scans(plan, "Scan on customers", ("wa_id % ", "translate(wa_id"))
    assert len(number_scans) >= 2 and all("never executed" in line for line in number_scans), plan
    # with one wa_id that long, they run (and find it)
    await db.execute("INSERT INTO customers (wa_id) VALUES ($1)", q[:120])
    assert [r["wa_id"] for r in await db.fetch(QUERIES.phone_search, *terms.arguments(100, 0.3))] == [q[:120]]


def tight_pair(rnd: random.Random) -> tuple[str, str]:
    """A long query q and the shortest wa_id w that reaches 0.3 against it: every trigram of w is one of q's (q
    starts with w and ends with w's last two digits), and q has just few enough trigrams for w's 17 to score 0.3.
    The bound is exact for it: one character shorter and no wa_id can reach 0.3."""
    from actors.customers.search import digit_trigram_set

    while True:
        w = long_digits(rnd, 16)
        q = w + long_digits(rnd, rnd.randrange(33, 42)) + w[-2:]
        m, n = len(digit_trigram_set(q)), len(digit_trigram_set(w))
        if n == 17 and digit_trigram_set(w) <= digit_trigram_set(q) and 17 / m >= 0.3 and 0.3 * m > 16:
            return q, w


async def test_the_shortest_wa_id_a_long_query_can_reach_is_found(viewer_client, db, search_path):
    from actors.customers.search import SearchTerms

    rnd = random.Random(14)
    pairs = [tight_pair(rnd) for _ in range(3)]
    await db.executemany("INSERT INTO customers (wa_id, customer_name) VALUES ($1, 'Zed')",
                         [(f"9665{i:08d}",) for i in range(50)] + [(w,) for _, w in pairs])
    for q, w in pairs:
        assert SearchTerms.parse(q).shortest_reachable(0.3) == len(w)  # the gate asks for exactly w's length
        expected = await reference(db, q, 100)
        assert w in [found for found, _ in expected]
        found, _ = await search(viewer_client, q, limit=100)
        assert found == expected, q


@pytest.mark.parametrize("q", ["+", "%", "-", "??", "+" * 50, "%_%" * 10])
async def test_a_query_without_a_trigram_reads_no_trigram_index(db, q, search_path):
    """'+' is how a typed international number starts: it has no trigram, so it scores 0 against anything (pg_trgm
    says so), and the trigram indexes would be read whole for it (1.2-1.7 s at 1M customers before). The page is
    the reference's (empty), and no trigram scan runs."""
    from actors.customers.search import SearchTerms
    from runtime.db import QUERIES
    from tests.customers.test_search_exactness import PEOPLE

    await db.executemany("INSERT INTO customers (wa_id, customer_name) VALUES ($1, $2)",
                         [(w, n) for w, n, _ in PEOPLE] + [("+966 50 000 0099", "+ + +")])
    assert await db.fetchval("SELECT cardinality(show_trgm($1))", q) == 0
    assert await reference(db, q, 100) == []
    terms = SearchTerms.parse(q)
    await db.execute("SET enable_seqscan = off")  # as on the search's own connections
    plan = "\n".join(r[0] for r in await db.fetch(
        "EXPLAIN (ANALYZE, COSTS OFF) " + QUERIES.phone_search, *terms.arguments(100, 0.3)))
    trigram_scans = scans(plan, "Scan on customer", (" % ", " <% ", " %> "))
    assert all("never executed" in line for line in trigram_scans), plan  # (planned away, mostly)
