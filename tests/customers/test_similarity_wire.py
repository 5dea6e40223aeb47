"""`similarity` is sent as PostgreSQL prints a float4 (0.6), not as the widened double (0.6000000238418579)."""
from __future__ import annotations

import pytest

from actors.customers.wire import float4_value
from tests.customers.test_search import people, search  # noqa: F401  (the fixture is used by name)


@pytest.mark.parametrize("value, expected", [
    (0.6000000238418579, 0.6), (0.800000011920929, 0.8), (0.6666666865348816, 0.6666667), (1.0, 1.0), (0.0, 0.0),
    (0.30000001192092896, 0.3), (0.4285714328289032, 0.42857143),
])
def test_float4_value_is_the_shortest_round_trip(value, expected):
    assert float4_value(value) == expected


async def test_search_sends_what_postgresql_prints(staff_client, db, people):  # noqa: F811
    _, items = await search(staff_client, "jo")
    assert items
    for item in items:
        printed = await db.fetchval("SELECT $1::real::text", item["similarity"])
        assert repr(item["similarity"]) == repr(float(printed))
    assert 0.6666667 in [i["similarity"] for i in items]
