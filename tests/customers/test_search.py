"""`GET /phone/search`: the reference's ranking (spec 30 §4.3 worked example), quirk fixes, hostile input."""
from __future__ import annotations

import asyncio
from datetime import date, time

import pytest

CUSTOMERS = {
    "966512345678": "أحمد محمد", "966523456789": "تسنيم", "966534567890": "John Smith", "966545678901": "محمد علي",
    "966556789012": "Sarah Johnson", "966567890123": "عبدالله", "966578901234": "Jane Doe",
    "966589012345": "فاطمة الزهراء", "966501112233": "Joanah", "966501112234": "احمد",
}


@pytest.fixture
async def people(db):
    for wa_id, name in CUSTOMERS.items():
        await db.execute("INSERT INTO customers (wa_id, customer_name) VALUES ($1, $2)", wa_id, name)
    await db.execute(
        "INSERT INTO conversation (wa_id, role, message, local_date, local_time) VALUES ($1, 'user', 'Hello', $2, $3)",
        "966512345678", date(2024, 1, 1), time(12),
    )
    await db.execute(
        "INSERT INTO reservations (wa_id, slot_date, slot_time, type) VALUES ('966523456789', '2024-01-02', '10:00', 0)"
    )
    return CUSTOMERS


async def search(client, q, **params):
    response = await client.get("/phone/search", params={"q": q, **params})
    assert response.status == 200, await response.text()
    body = await response.json()
    assert body["success"] is True
    scores = [r["similarity"] for r in body["data"]]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
    return [(r["wa_id"], round(r["similarity"], 4)) for r in body["data"]], body["data"]


WORKED_EXAMPLE = [
    ("John", [("966534567890", 1.0), ("966556789012", 0.8), ("966501112233", 0.4)]),
    # ties: last user message, then wa_id (quirk 12)
    ("jo", [("966501112233", 0.6667), ("966534567890", 0.6667), ("966556789012", 0.6667), ("966578901234", 0.3333)]),
    ("Jon", [("966501112233", 0.5), ("966534567890", 0.5), ("966556789012", 0.5)]),
    # Arabic normalisation: أ ≡ ا lifts احمد from 0.4 to 1.0; the customer with a message comes first
    ("أحمد", [("966512345678", 1.0), ("966501112234", 1.0), ("966545678901", 0.4)]),
    ("محمد", [("966512345678", 1.0), ("966545678901", 1.0), ("966501112234", 0.4)]),
    ("فاطمه", [("966589012345", 1.0)]),
    ("512345", [("966512345678", 0.9)]),
    ("XYZNONEXISTENT999", []),
    ("a", []),
]


async def test_worked_example(viewer_client, people):
    for query, expected in WORKED_EXAMPLE:
        found, _ = await search(viewer_client, query)
        assert found == expected, query


async def test_phone_forms_find_the_number_first(viewer_client, people):
    for query in ["966512345678", "+966512345678", "966 512 345 678", "966-512-345-678", "512345"]:
        found, items = await search(viewer_client, query)
        assert found[0][0] == "966512345678" and found[0][1] >= 0.9, query
        assert items[0]["last_message_at"] == "2024-01-01T12:00:00"
        assert items[0]["customer_name"] == "أحمد محمد"


async def test_plus_prefixed_number_is_compared_by_its_digits(viewer_client, people):
    # quirk 11: the '+' no longer acts as a trigram separator that pulls in every 9665… number
    found, _ = await search(viewer_client, "+966512345678")
    assert found[0] == ("966512345678", 1.0)
    assert len(found) < len(CUSTOMERS)


async def test_digit_substrings_score_point_nine(viewer_client, people):
    for query, count in [("9665", 10), ("5", 10), ("0111", 2)]:
        found, _ = await search(viewer_client, query)
        assert len(found) == count and all(score >= 0.9 for _, score in found), query
        if count == len(CUSTOMERS):
            assert found[0][0] == "966512345678"  # the one with a user message leads the 0.9 ties


async def test_case_insensitive_and_partial_names(viewer_client, people):
    for query in ["john", "JOHN", "JoHn", "John Smith", "smith"]:
        found, _ = await search(viewer_client, query)
        assert found[0][0] == "966534567890", query
    for query, wa_id in [("تسنيم", "966523456789"), ("الزهراء", "966589012345"), ("عبد", "966567890123"),
                         ("Sarah J", "966556789012"), ("John 0", "966534567890")]:
        found, items = await search(viewer_client, query)
        assert wa_id in [w for w, _ in found], query
        if wa_id == "966523456789":
            assert items[0]["last_reservation_at"].startswith("20") and "T" in items[0]["last_reservation_at"]


async def test_limit_is_honoured(viewer_client, people):
    found, _ = await search(viewer_client, "5", limit=3)
    assert len(found) == 3


HOSTILE = [
    "%", "_", "%%", "__", "+", "-", "+-+", "5%", "9_6", "\\", "'", "' OR 1=1 --", "\"; DROP TABLE customers; --",
    "x" * 3000, "٥١٢", "🙂", "\u200f", "% _ \\ ' \"", "   %  ", "()[]{}*?.^$|", "john%",
]


async def test_hostile_queries_are_sane(viewer_client, people, db):
    for query in HOSTILE:
        found, _ = await search(viewer_client, query)
        # quirk 10: wildcards are literal; a query of separators alone matches nobody
        assert len(found) < len(CUSTOMERS), query
    assert await db.fetchval("SELECT count(*) FROM customers") == len(CUSTOMERS)
    nul = await viewer_client.get("/phone/search", params={"q": "a\x00b"})
    assert nul.status in (200, 422)
    # 10,000 characters: refused by the HTTP parser as an over-long request line (a 4xx, never a 500)
    response = await viewer_client.get("/phone/search", params={"q": "x" * 10_000})
    assert 400 <= response.status < 500


async def test_blank_query_is_empty(viewer_client, people):
    found, _ = await search(viewer_client, "   ")
    assert found == []


async def test_bad_parameters_are_422(viewer_client):
    for params in [{}, {"q": ""}, {"q": "a", "limit": "0"}, {"q": "a", "limit": "501"}, {"q": "a", "limit": "ten"}]:
        response = await viewer_client.get("/phone/search", params=params)
        assert response.status == 422, params
        assert (await response.json())["message"]


async def test_search_plan_uses_the_trigram_indexes(people, db):
    """With sequential scans priced out, every branch of the search has an index path: names through the
    distinct-name table's trigram indexes (raw and Arabic-normalised), then each name's newest customers."""
    from actors.customers.search import SearchTerms
    from handlers.customers.phone_search import SEARCH_SESSION
    from runtime.db import QUERIES

    # enough rows (and statistics) for index paths to be worth their price, as on a real directory
    await db.execute("INSERT INTO customers (wa_id, customer_name) SELECT '9667' || lpad(g::text, 8, '0'),"
                     " 'Name ' || g FROM generate_series(1, 20000) AS g")
    await db.execute("ANALYZE customers, customer_search_names")
    for q in ("John", "أحمد", "512345", "+966 5"):
        terms = SearchTerms.parse(q)
        async with db.transaction():
            for name, value in SEARCH_SESSION.items():  # as on the search's own connections
                await db.execute(f"SET LOCAL {name} = '{value}'")
            plan = "\n".join(r[0] for r in await db.fetch(
                "EXPLAIN " + QUERIES.phone_search, *terms.arguments(100, 0.3)))
        assert "Seq Scan on customers" not in plan, plan
        for index in ("idx_customer_search_names_trgm", "idx_customer_search_names_normalized_trgm",
                      "idx_customers_name_recent", "idx_customers_wa_id_trgm"):
            assert index in plan, plan


async def test_a_small_directory_is_searched_in_one_statement(people, db_url):
    """A clinic's directory: after counting it (once a minute), each search is one statement on the search's own
    connections, which carry its session settings (no transaction, no setup statement)."""
    from actors.customers.search import SearchTerms
    from handlers.customers.phone_search import SEARCH_SESSION, SearchResources, find
    from runtime.db import create_pool

    pool = await create_pool(db_url, min_size=1, max_size=1, server_settings=SEARCH_SESSION)
    try:
        sent: list[str] = []
        async with pool.acquire() as conn:
            conn.add_query_logger(lambda record: sent.append(record.query))
            assert await conn.fetchval("SHOW enable_seqscan") == "off"
        sent.clear()
        resources = SearchResources(pool)
        first = await find(resources, SearchTerms.parse("John"), 100)
        await asyncio.sleep(0)  # the logger is called soon after each statement, not during it
        assert len(sent) == 2  # the directory's size, then the search
        for q in ("John", "محمد", "5123", "XYZNONEXISTENT"):
            sent.clear()
            rows = await find(resources, SearchTerms.parse(q), 100)
            await asyncio.sleep(0)
            assert len(sent) == 1, sent
            if q == "John":
                assert [r["wa_id"] for r in rows] == [r["wa_id"] for r in first]
    finally:
        await pool.close()
