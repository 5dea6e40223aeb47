"""1,000 bookings race over 3 resources of capacities 1, 2 and 3, through two server processes: every
(resource, slot) ends exactly full, none overbooked — named and "any resource" requests mixed."""
from __future__ import annotations

import asyncio

import httpx

from runtime.routes import Role
from tests.reservations.test_race import customers, next_weekday, reserve_body
from tests.support.servers import ServerProcess

ATTEMPTS = 1000
CAPACITIES = {"Dr. A": 1, "Dr. B": 2, "Dr. C": 3}


async def test_two_processes_never_overbook_any_resource(env, token_for, db):
    await db.execute("INSERT INTO resources (id, name_ar, name_en, is_default, active)"
                     " VALUES (1, 'العيادة', 'Clinic', true, false)")
    ids = {name: await db.fetchval("INSERT INTO resources (name_ar, name_en, capacity) VALUES ($1, $1, $2)"
                                   " RETURNING id", name, capacity) for name, capacity in CAPACITIES.items()}
    (monday, _), (tuesday, _) = next_weekday(1), next_weekday(2)
    slots = ["11:00", "13:00", "15:00"]
    choices = [None, *CAPACITIES]
    bodies = []
    for i, wa_id in enumerate(customers(ATTEMPTS)):
        body = {**reserve_body(wa_id, (monday, tuesday)[i % 2], slots[(i // 2) % 3]), "_call_source": "frontend"}
        if choices[(i // 6) % 4] is not None:
            body["resource"] = choices[(i // 6) % 4]
        bodies.append(body)
    _, token = await token_for(Role.STAFF)
    servers = [ServerProcess({**env, "LOG_LEVEL": "ERROR"}).start() for _ in range(2)]
    try:
        # A connection per request: reusing a keep-alive connection that the loaded server is closing at that
        # moment loses that request's answer, which is not what this test is about.
        async with httpx.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=180,
                                     limits=httpx.Limits(max_connections=200, max_keepalive_connections=0)) as http:
            responses = await asyncio.gather(*(http.post(servers[i % 2].url + "/reserve", json=body)
                                               for i, body in enumerate(bodies)))
    finally:
        for server in servers:
            server.stop()
    assert [r.status_code for r in responses] == [200] * ATTEMPTS
    winners = [r.json() for r in responses if r.json()["success"]]
    rows = await db.fetch("SELECT resource_id, slot_date, slot_time, count(*) AS n FROM reservations"
                          " WHERE status = 'active' GROUP BY 1, 2, 3")
    by_resource = {name: sorted(r["n"] for r in rows if r["resource_id"] == rid) for name, rid in ids.items()}
    assert by_resource == {name: [capacity] * 6 for name, capacity in CAPACITIES.items()}
    assert len(winners) == sum(r["n"] for r in rows) == 6 * sum(CAPACITIES.values())
    assert {w["data"]["resource_id"] for w in winners} == set(ids.values())
