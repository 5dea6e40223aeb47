"""Number queries on a large directory find their wa_ids through pairs of digit patterns (0821) instead of the
similarity operator: the page is still exactly the reference's, on a directory shaped like a real one (country
codes most numbers share, neighbours of the queried numbers, short, repetitive and separated numbers)."""
from __future__ import annotations

import itertools
import random
from datetime import datetime, timedelta

import pytest

from tests.customers.test_search import search
from tests.customers.test_search_exactness import reference

IRREGULAR = ["966500000000", "966511111111", "9665", "966", "5", "96", "+966 50 123 4567", "966-55-123-4567",
             "abc123", "1212121212", "966512", "0000000000000"]


def directory(rnd: random.Random) -> tuple[list[tuple], list[str]]:
    """(wa_id, name, last user message) rows, and the numbers whose neighbourhoods they crowd."""
    numbers = {f"9665{rnd.randrange(10**8):08d}" for _ in range(2600)}
    numbers |= {f"2010{rnd.randrange(10**8):08d}" for _ in range(200)} | {f"9715{rnd.randrange(10**8):08d}"
                                                                         for _ in range(150)}
    crowded = sorted(numbers)[::300]
    for base in crowded:  # numbers sharing a prefix, a suffix or a middle with `base`: every level has rows
        for keep in (11, 10, 9, 8, 8, 7, 6):
            numbers.add(base[:keep] + "".join(rnd.choice("0123456789") for _ in range(12 - keep)))
            numbers.add(base[:4] + "".join(rnd.choice("0123456789") for _ in range(12 - keep)) + base[-(keep - 4):])
        numbers.add(base[:4] + "0" + base[5:])
    numbers |= set(IRREGULAR)
    start = datetime(2024, 1, 1)
    rows = []
    for wa_id in sorted(numbers):
        x = rnd.random()
        name = None if x < 0.2 else wa_id if x < 0.25 else crowded[0] if x < 0.27 else f"Name {rnd.randrange(500)}"
        seen = None if rnd.random() < 0.3 else start + timedelta(hours=rnd.randrange(48))  # many ties
        rows.append((wa_id, name, seen))
    return rows, crowded


@pytest.fixture
async def crowd(db, monkeypatch):
    from handlers.customers import phone_search

    monkeypatch.setattr(phone_search, "SMALL_DIRECTORY", 0)  # the large directory's path
    monkeypatch.setattr(phone_search, "SAMPLE_ROWS", 10**6)  # sampling all of it: the same lookups every run
    rows, crowded = directory(random.Random(22))
    await db.copy_records_to_table("customers", records=[(w, n) for w, n, _ in rows],
                                   columns=["wa_id", "customer_name"])
    await db.executemany("UPDATE customers SET last_user_message_at = $2 WHERE wa_id = $1",
                         [(w, seen) for w, _, seen in rows if seen is not None])
    await db.execute("ANALYZE customers")
    return rows, crowded


async def trigram_sample(db):
    """The sample the search draws (all of the crowd: see its fixture)."""
    from actors.customers.trigram_sample import TrigramSample
    from handlers.customers.phone_search import SAMPLE_ROWS
    from runtime.db import QUERIES

    drawn = await db.fetchrow(QUERIES.phone_search_wa_id_sample, SAMPLE_ROWS)
    return TrigramSample.of(drawn["wa_ids"], drawn["scale"])


def number_queries(rows: list[tuple], crowded: list[str]) -> list[str]:
    rnd = random.Random(7)
    regular = [w for w, _, _ in rows if w.isdigit() and len(w) == 12]
    queries = []
    for number in crowded + rnd.sample(regular, 6):
        queries += [number, "+" + number, f"{number[:3]} {number[3:6]} {number[6:]}", number[:9], number[3:10],
                    number[-7:], number[-5:], number[4:8], number[:11] + "9"]
    queries += ["".join(rnd.choice("0123456789") for _ in range(n)) for n in (3, 4, 5, 6, 7, 8, 10, 12, 12, 13)]
    queries += [f"({number[:3]}) {number[3:5]} {number[5:]}" for number in crowded[:3]]  # typed with punctuation
    queries += [f"\u202a+{number[:3]} {number[3:5]} {number[5:]}\u202c" for number in crowded[3:5]]  # WhatsApp's copy
    return queries + ["9665", "966", "000", "1212", "+966 50 123 4567", "96650000000", "12345678901234", "(966)",
                      "9665?", "966.50.123", "(20) 10"]


async def test_number_queries_return_the_reference_page(viewer_client, crowd, db):
    from actors.customers.search import SearchTerms
    from handlers.customers.phone_search import THRESHOLD_LEVELS, number_start

    rows, crowded = crowd
    sample = await trigram_sample(db)
    queries = number_queries(rows, crowded)
    with_pairs = straight = 0
    for q in queries:
        levels, pairs = number_start(list(THRESHOLD_LEVELS), SearchTerms.parse(q), sample)
        with_pairs += pairs is not None
        straight += pairs is None and levels == list(THRESHOLD_LEVELS[-1:])
        expected = await reference(db, q, 100)
        for limit in (1, 100):
            found, _ = await search(viewer_client, q, limit=limit)
            assert found == expected[:limit], (q, limit, levels)
    assert with_pairs >= len(queries) * 0.3 and straight >= 5, (with_pairs, straight, len(queries))


async def test_digit_patterns_match_exactly_the_wa_ids_holding_the_trigram(crowd, db):
    from actors.customers.search import digit_trigrams, trigram_pattern

    rows, crowded = crowd
    for q in crowded[:3] + ["5", "59", "596", "0000", "1212121"]:
        assert digit_trigrams(q) == sorted(await db.fetchval("SELECT show_trgm($1)", q)), q
        for trigram in digit_trigrams(q):
            wrong = await db.fetchval(
                "SELECT count(*) FROM customers WHERE wa_id ~ '^[0-9]+$'"
                " AND ($1 = ANY (show_trgm(wa_id))) <> (wa_id LIKE $2)", trigram, trigram_pattern(trigram))
            assert wrong == 0, (q, trigram)


async def test_a_number_typed_with_punctuation_has_its_digit_runs_trigrams(db):
    from actors.customers.search import COPIED_SEPARATORS, query_trigrams

    for q in ("(966) 50 123", "9665?", "966.50.123.4567", "#12*34", "(", "1_2", "966/50", "12,34;56",
              "\u202a+966 50 903 1731\u202c", "9665\u2026", "+966\u00a050", "9665\ufffd\ufffd"):
        assert query_trigrams(q) == sorted(await db.fetchval("SELECT show_trgm($1)", q)), q
    for separator in COPIED_SEPARATORS:  # each separates words for pg_trgm, as for us
        q = f"96{separator}650{separator}"
        assert query_trigrams(q) == sorted(await db.fetchval("SELECT show_trgm($1)", q)), hex(ord(separator))
    for q in ("966a", "٩٦٦", "9\u064e66", "abc"):  # letters, or non-ASCII: PostgreSQL's locale decides
        assert query_trigrams(q) is None, q


def spliced(q: str, rnd: random.Random) -> str:
    """A number made of pieces of `q` and random digits: it shares many of q's trigrams, often just enough."""
    out = ""
    while len(out) < rnd.randrange(6, 16):
        if rnd.random() < 0.6:
            i = rnd.randrange(len(q))
            out += q[i:i + rnd.randrange(1, 6)]
        else:
            out += str(rnd.randrange(10))
    return out


async def test_every_number_reaching_a_level_matches_a_pair(db):
    """pair_patterns' bound, against pg_trgm itself, on numbers built to sit at the edge of each level."""
    from actors.customers.search import IRREGULAR_MAX_TRIGRAMS, pair_patterns, query_trigrams
    from handlers.customers.phone_search import COMMON_TRIGRAM_SHARE, THRESHOLD_LEVELS

    rnd = random.Random(5)
    checked = 0
    for q in ("966545981167", "201012345678", "5459811", "98765", "1234", "96", "5", "(966) 54 598", "9665?"):
        digits = "".join(c for c in q if c.isdigit())  # the numbers spliced from it are digits only
        for commons in (0, 3, 5):  # as if that many of q's trigrams were a country code's
            shares = {t: 0.9 for t in rnd.sample(query_trigrams(q), min(commons, len(query_trigrams(q))))}
            for threshold, common_share in itertools.product(THRESHOLD_LEVELS, (COMMON_TRIGRAM_SHARE, None)):
                pairs = pair_patterns(q, shares, threshold, common_share)  # None: the commons may pair up too
                if pairs is None:
                    continue
                rows = await db.fetch(
                    "SELECT w, EXISTS (SELECT FROM unnest($3::text[], $4::text[]) AS p(a, b)"
                    "                  WHERE w LIKE p.a AND w LIKE p.b) AS paired"
                    " FROM unnest($5::text[]) AS w"
                    " WHERE similarity(w, $1) >= $2::real AND cardinality(show_trgm(w)) > $6",
                    q, threshold, *pairs, [spliced(digits, rnd) for _ in range(400)], IRREGULAR_MAX_TRIGRAMS)
                checked += len(rows)
                missed = [r["w"] for r in rows if not r["paired"]]
                assert not missed, (q, commons, threshold, missed)
    assert checked > 600
