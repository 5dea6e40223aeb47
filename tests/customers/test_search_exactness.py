"""`/phone/search` returns exactly what the reference's plain rule returns (spec 30 §4.3), whatever shortcuts it
takes: threshold levels, names scored once per distinct name (0257), each name's newest customers only."""
from __future__ import annotations

from datetime import date, time

import pytest

from tests.customers.test_search import HOSTILE, search

FATHA = "\u064e"
# (wa_id, name, last user message day or None)
PEOPLE = [
    ("966500000001", "John Smith", 1), ("966500000002", "John Smith", 2), ("966500000003", "John Smith", 3),
    ("966500000004", "John Smith", None), ("966500000005", "Jo" + FATHA + "hn Carter", 9),
    ("966500000006", "J" + FATHA + "o" + FATHA + "h" + FATHA + "n", 8), ("966500000007", "johnny", 4),
    ("966500000008", "أحمد العتيبي", 5), ("966500000009", "احمد العتيبي", 6), ("966500000010", "مُحَمَّد", 7),
    ("966500000011", "فاطمة", None), ("966500000012", "5123456", 10), ("966500000013", "5123456", 11),
    ("966512345678", "5123456", 1), ("966500000014", None, 2), ("966500000015", "", 3),
    ("966500000016", "966500000016", 4), ("201000000017", "Nora King", 5), ("9715000000", "nora", None),
    ("966500000018", "aaa", 1), ("966500000019", "aaaa", 2), ("966500000020", "Olivia-Grace", 3),
    ("966500000021", "100% real_name", 6),
]
# the reference's rule, written plainly: every customer, no shortcut
REFERENCE = """
SELECT wa_id, greatest(similarity(wa_id, $2), word_similarity($1, coalesce(customer_name, '')),
       word_similarity(normalize_arabic($1), normalize_arabic(coalesce(customer_name, ''))),
       CASE WHEN $3::text IS NOT NULL AND translate(wa_id, ' -+', '') LIKE $3::text THEN 0.9 ELSE 0 END)::real AS s
FROM customers
ORDER BY s DESC, last_user_message_at DESC NULLS LAST, wa_id
"""
QUERIES = [
    "John", "john smith", "Jo", "Jon", "Carter", "johnny", "أحمد", "احمد", "محمد", "فاطمه", "العتيبي", "5123456",
    "512345", "966512345678", "+966512345678", "9665", "0000", "5", "Nora", "nora king", "+20 100", "aaa", "aaaa",
    "Olivia", "grace", "real", "100%", "XYZNONEXISTENT999", "a",
]


@pytest.fixture(autouse=True, params=["lowest level at once", "threshold levels"])
def search_path(request, monkeypatch):
    """Every answer is checked on both paths: a small directory's single statement at the lowest level, and the
    levels a large directory goes down (forced here by calling every directory large)."""
    from handlers.customers import phone_search

    if request.param == "threshold levels":
        monkeypatch.setattr(phone_search, "SMALL_DIRECTORY", 0)
    return request.param


@pytest.fixture
async def crowd(db):
    for wa_id, name, day in PEOPLE:
        await db.execute("INSERT INTO customers (wa_id, customer_name) VALUES ($1, $2)", wa_id, name)
        if day is not None:
            await db.execute("INSERT INTO conversation (wa_id, role, message, local_date, local_time)"
                             " VALUES ($1, 'user', 'Hello', $2, $3)", wa_id, date(2024, 1, day), time(12))


async def reference(db, q: str, limit: int) -> list[tuple[str, float]]:
    from actors.customers.search import SearchTerms

    terms = SearchTerms.parse(q)
    if terms is None:
        return []
    rows = await db.fetch(REFERENCE, terms.name, terms.phone, terms.like_pattern)
    return [(r["wa_id"], round(r["s"], 4)) for r in rows if r["s"] >= 0.3][:limit]


async def test_the_route_returns_the_reference_answer(viewer_client, crowd, db):
    for q in QUERIES + HOSTILE[:-1]:  # the 3,000-character query is cut to 200 by both
        for limit in (1, 2, 3, 100):
            found, _ = await search(viewer_client, q, limit=limit)
            assert found == await reference(db, q, limit), (q, limit)


async def test_a_diacritic_inside_a_latin_name_is_found_at_the_first_level(viewer_client, crowd):
    # Normalisation deletes the fatha: both names score 1 for "John" (raw: 0.4 and less). The newest wins the
    # single place, although plain "John Smith" rows fill the page at the strictest level.
    found, _ = await search(viewer_client, "John", limit=2)
    assert found == [("966500000005", 1.0), ("966500000006", 1.0)]


async def test_a_number_scoring_higher_than_its_name_is_not_cut_by_the_name_limit(viewer_client, crowd):
    # Three customers are named "5123456" (0.857 for "512345"); the oldest one's number contains the digits (0.9)
    found, _ = await search(viewer_client, "512345", limit=1)
    assert found == [("966512345678", 0.9)]


async def test_names_are_searchable_however_they_are_written(viewer_client, db):
    await db.execute("INSERT INTO customers (wa_id, customer_name) VALUES ('966511111111', 'Zainab Hall')")
    await db.execute("INSERT INTO customers (wa_id, customer_name) VALUES ('966511111112', 'Zainab Hall'),"
                     " ('966511111113', 'Yusuf Baker'), ('966511111114', NULL)")
    await db.copy_records_to_table("customers", records=[("966511111115", "Leah Turner"), ("966511111116", None)],
                                   columns=["wa_id", "customer_name"])
    await db.execute("UPDATE customers SET customer_name = 'Karim Adams' WHERE wa_id = '966511111113'")
    await db.execute("UPDATE customers SET customer_name = 'Grace Nelson' WHERE wa_id = '966511111114'")
    async with db.transaction():
        await db.execute("INSERT INTO customers (wa_id, customer_name) VALUES ('966511111117', 'Peter Scott')")
        await db.execute("UPDATE customers SET customer_name = 'Maya Green' WHERE wa_id = '966511111117'")
    for q, expected in [("Zainab Hall", ["966511111111", "966511111112"]), ("Leah", ["966511111115"]),
                        ("Karim Adams", ["966511111113"]), ("Grace Nelson", ["966511111114"]),
                        ("Maya", ["966511111117"]), ("Yusuf Baker", []), ("Peter Scott", [])]:
        found, _ = await search(viewer_client, q)
        assert [w for w, _ in found] == expected, q
    names = {r["name"] for r in await db.fetch("SELECT name FROM customer_search_names")}
    assert {"Zainab Hall", "Leah Turner", "Karim Adams", "Grace Nelson", "Maya Green"} <= names
    assert await db.fetchval("SELECT count(*) FROM customer_search_names WHERE name = 'Zainab Hall'") == 1


async def test_country_code_trigrams_keep_the_intermediate_levels(db):
    """The check that lets a few digits go straight to the lowest threshold: a query made of the trigrams most
    numbers share (a country code's) is refused; rarer digits are allowed; no statistics, no answer."""
    from handlers.customers.phone_search import COMMON_TRIGRAM_SHARE, MIN_SIMILARITY
    from runtime.db import QUERIES

    async def cheap(q: str) -> bool | None:
        return await db.fetchval(QUERIES.phone_search_lowest_level_is_cheap, q, MIN_SIMILARITY, COMMON_TRIGRAM_SHARE)

    await db.execute("INSERT INTO customers (wa_id) SELECT '9665' || lpad((g * 7919 % 100000000)::text, 8, '0')"
                     " FROM generate_series(1, 3000) AS g")
    await db.execute("ANALYZE customers")
    assert await cheap("966545981167") is False and await cheap("96654598") is False
    assert await cheap("5459811") is True and await cheap("4598") is True


async def test_digits_going_straight_to_the_lowest_level_find_the_reference_answer(viewer_client, crowd, db):
    await db.execute("INSERT INTO customers (wa_id) SELECT '9665' || lpad((g * 7919 % 100000000)::text, 8, '0')"
                     " FROM generate_series(1, 3000) AS g ON CONFLICT DO NOTHING")
    await db.execute("ANALYZE customers")
    for q in ("5123456", "512345", "0000", "5459811", "79190", "966512345678", "+966 5"):
        for limit in (1, 3, 100):
            found, _ = await search(viewer_client, q, limit=limit)
            assert found == await reference(db, q, limit), (q, limit)
