"""GET /reservations' JSON, assembled by PostgreSQL, equals the listing's rows grouped as the reference groups them.

The oracle is reservation_listing itself (the rows, read plainly) grouped in Python: customers in the listing's
order, each one's entries by date, time, then id (the listing leaves equal date and time in no order).
"""
from __future__ import annotations

import json
import random
from datetime import date

from runtime.db import QUERIES
from tests.reservations.conftest import add_customer, add_reservation

DAYS = ("2025-05-20", "2025-06-01", "2025-06-02", "2025-07-15", "2025-09-30", "2025-10-01")
SLOTS = ("09:00", "11:30", "13:00", "23:30")


async def expected(db, low: date | None, high: date | None, cancelled: bool, several: bool,
                   resource: int | None) -> dict:
    grouped: dict[str, list] = {}
    rows = await db.fetch(QUERIES.reservation_listing, low, high, cancelled)
    for rid, wa_id, day, slot, kind, is_cancelled, has_document, resource_id in rows:
        if resource is not None and resource_id != resource:
            continue
        entry = {"id": rid, "date": day, "time_slot": slot, "type": kind, "cancelled": is_cancelled,
                 "has_document": has_document}
        if several:
            entry["resource_id"] = resource_id
        grouped.setdefault(wa_id, []).append(entry)
    return {wa_id: sorted(entries, key=lambda e: (e["date"], e["time_slot"], e["id"]))
            for wa_id, entries in grouped.items()}


async def listing(client, **params) -> list[tuple[str, list[list[tuple[str, object]]]]]:
    """The answer's data with every key's order kept (and duplicates, if there were any)."""
    response = await client.get("/reservations", params=params)
    assert response.status == 200
    body = json.loads(await response.text(), object_pairs_hook=list)
    assert [key for key, _ in body] == ["success", "data"] and body[0][1] is True
    return body[1][1]


async def check(client, db, several: bool, queries: list[tuple[dict, date | None, date | None, bool, int | None]]):
    keys = ["id", "date", "time_slot", "type", "cancelled", "has_document"] + (["resource_id"] if several else [])
    for params, low, high, cancelled, resource in queries:
        data = await listing(client, **params)
        want = await expected(db, low, high, cancelled, several, resource)
        assert {wa_id: [dict(e) for e in entries] for wa_id, entries in data} == want, params
        assert [wa_id for wa_id, _ in data] == list(want), "customers in the listing's order"
        assert all([key for key, _ in entry] == keys for _, entries in data for entry in entries)


async def test_the_assembled_listing_is_the_grouped_rows(staff_client, clock, db):
    rng = random.Random(7)
    await add_customer(db, "966501110001", "Doc", {"document": {"shape:1": {}}})
    customers = ["966501110001", "966509999999", "201001234567", "441234567890", "966500000010", "1555000"]
    for _ in range(120):
        await add_reservation(db, rng.choice(customers), rng.choice(DAYS), rng.choice(SLOTS), kind=rng.choice((0, 1)),
                              status=rng.choice(("active", "active", "cancelled")))
    for _ in range(2):  # equal date and time for one customer: ordered by id
        await add_reservation(db, "966509999999", "2025-06-02", "11:30")
    today = date(2025, 6, 1)  # the clock's
    queries = [({}, today, None, False, None), ({"future": "false"}, date(2025, 5, 2), date(2025, 8, 30), False, None),
               ({"from_date": "2025-06-01", "to_date": "2025-06-02", "include_cancelled": "true"},
                date(2025, 6, 1), date(2025, 6, 2), True, None),
               ({"from_date": "2030-01-01"}, date(2030, 1, 1), None, False, None),
               ({"from_date": "2025-01-01", "include_cancelled": "true"}, date(2025, 1, 1), None, True, None)]
    await check(staff_client, db, False, queries)

    lina = await db.fetchval("INSERT INTO resources (name_ar, name_en) VALUES ('د. لينا', 'Dr. Lina') RETURNING id")
    await db.execute("UPDATE reservations SET resource_id = $1 WHERE id % 3 = 0", lina)
    await check(staff_client, db, True, queries + [
        ({"from_date": "2025-01-01", "include_cancelled": "true", "resource_id": str(lina)}, date(2025, 1, 1), None,
         True, lina),
        ({"from_date": "2025-01-01", "resource_id": "1"}, date(2025, 1, 1), None, False, 1),
        ({"from_date": "2025-01-01", "resource_id": "999"}, date(2025, 1, 1), None, False, 999)])

    everything = await listing(staff_client, from_date="2025-01-01", include_cancelled="true")
    assert sum(len(entries) for _, entries in everything) == 122
    assert dict(dict(everything)["966501110001"][0])["has_document"] is True
