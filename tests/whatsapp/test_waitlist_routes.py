"""Staff routes of the waitlist: list, add (idempotent), remove (its open offer goes on), and bad input."""
from __future__ import annotations

from datetime import date, time, timedelta

WA = "966500004001"


async def test_add_list_and_remove(staff_client, viewer_client, db):
    day = (date.today() + timedelta(days=3)).isoformat()
    added = await staff_client.post("/waitlist", json={"wa_id": WA, "date": day, "time_slot": "10:00",
                                                       "reservation_type": 1})
    again = await staff_client.post("/waitlist", json={"wa_id": WA, "date": day})
    assert added.status == 201 and again.status == 200
    entry = (await added.json())["data"]["id"]
    assert (await again.json())["data"] == {"id": entry, "created": False}
    listed = await (await viewer_client.get("/waitlist", params={"from": day, "to": day})).json()
    assert [(e["id"], e["wa_id"], e["time_slot"], e["status"], e["reservation_type"], e["offer"])
            for e in listed["data"]] == [(entry, WA, "10:00", "waiting", 1, None)]  # the visit type an offer books
    assert (await viewer_client.post("/waitlist", json={"wa_id": WA, "date": day})).status == 403

    # an open offer of the removed entry is withdrawn with it
    freed = await db.fetchval("INSERT INTO reservations (wa_id, slot_date, slot_time, type, status, cancelled_at)"
                              " VALUES ($1, $2, $3, 0, 'cancelled', now()) RETURNING id", WA, date.fromisoformat(day),
                              time(10))
    await db.execute("INSERT INTO waitlist_offers (entry_id, wa_id, slot_date, slot_time, freed_reservation_id,"
                     " expires_at) VALUES ($1, $2, $3, $4, $5, now() + interval '1 hour')", entry, WA,
                     date.fromisoformat(day), time(10), freed)
    removed = await staff_client.delete(f"/waitlist/{entry}")
    assert removed.status == 200
    assert await db.fetchval("SELECT status FROM waitlist_offers WHERE entry_id = $1", entry) == "withdrawn"
    assert (await staff_client.delete(f"/waitlist/{entry}")).status == 404
    assert (await staff_client.delete("/waitlist/abc")).status == 400


async def test_bad_input_is_refused_with_the_reason(staff_client, viewer_client):
    cases = [({"wa_id": "12", "date": "2026-12-08"}, "wa_id"), ({"wa_id": WA, "date": "tomorrow"}, "date"),
             ({"wa_id": WA, "date": "2026-12-08", "time_slot": "25:00"}, "time_slot"),
             ({"wa_id": WA, "date": "2026-12-08", "reservation_type": 2}, "reservation_type")]
    for body, field in cases:
        answer = await staff_client.post("/waitlist", json=body)
        assert answer.status == 422 and field in await answer.text(), body
    backwards = await viewer_client.get("/waitlist", params={"from": "2026-12-09", "to": "2026-12-08"})
    assert backwards.status == 422 and "before" in await backwards.text()
