"""`GET /resources/schedule`: each resource's plan per day (slot starts, slot length, capacity, or why it is
off) for the calendar, over a month of two resources with different days, hours, slot lengths, capacities
and vacations, against a direct computation written out here (not the schedule code); bad input is a 4xx."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from tests.resources.conftest import add_resource, switch_off_default
from tests.resources.test_month import CLINIC_DAYS, CLINIC_VACATION, DR_A, DR_B, Spec, clinic_hours

JUNE = date(2025, 6, 1)


def _at(day: date, hhmm: str) -> datetime:
    hour, minute = hhmm.split(":")
    return datetime(day.year, day.month, day.day, int(hour), int(minute))


def planned(spec: Spec | None, day: date) -> tuple[str | None, list[str], int]:
    """(why off, slot starts "HH:MM", slot minutes); `spec` None is the clinic itself (2-hour slots)."""
    step_minutes = spec.step_minutes if spec else 120
    if CLINIC_VACATION[0] <= day <= CLINIC_VACATION[1]:
        return "clinic_vacation", [], step_minutes
    if spec and spec.off and spec.off[0] <= day <= spec.off[1]:
        return "resource_vacation", [], step_minutes
    weekday = (day.weekday() + 1) % 7
    if weekday not in (spec.days if spec and spec.days is not None else CLINIC_DAYS):
        return "day_off", [], step_minutes
    opening, closing = (spec and (spec.day_hours.get(weekday) or spec.hours)) or clinic_hours(weekday)
    step, start, end = timedelta(minutes=step_minutes), _at(day, opening), _at(day, closing)
    slots = []
    while start + step <= end:
        slots.append(start.strftime("%H:%M"))
        start += step
    return None, slots, step_minutes


async def test_a_month_of_plans_matches_the_direct_computation(admin_client, viewer_client, db):
    await switch_off_default(admin_client)
    ids = {}
    for spec in (DR_A, DR_B):
        ids[(await add_resource(
            admin_client, name_ar=f"ar {spec.name}", name_en=spec.name, capacity=spec.capacity,
            slot_duration_minutes=spec.step_minutes, working_days=sorted(spec.days) if spec.days else None,
            working_hours={"start_time": spec.hours[0], "end_time": spec.hours[1]} if spec.hours else None,
            day_specific_hours=[{"day_of_week": d, "start_time": a, "end_time": b}
                                for d, (a, b) in spec.day_hours.items()],
            vacations=[{"start": spec.off[0].isoformat(), "end": spec.off[1].isoformat(), "title": "Away"}]
        ))["id"]] = spec
    await db.execute("INSERT INTO vacation_periods (start_date, end_date, title) VALUES ($1, $2, 'Eid')",
                     *CLINIC_VACATION)
    last = JUNE + timedelta(days=29)
    response = await viewer_client.get(f"/resources/schedule?from_date={JUNE}&to_date={last}")
    assert response.status == 200
    plans = {p["resource_id"]: p for p in (await response.json())["data"]}
    assert set(plans) == {1, *ids}
    assert plans[1]["active"] is False and plans[1]["name_en"] == "Clinic"
    assert {rid: plans[rid]["capacity"] for rid in ids} == {rid: spec.capacity for rid, spec in ids.items()}
    assert plans[1]["capacity"] == 6  # the clinic's secretary capacity, no resource limit
    reasons = set()
    for rid, spec in ((1, None), *ids.items()):
        assert [d["date"] for d in plans[rid]["days"]] == [(JUNE + timedelta(days=n)).isoformat() for n in range(30)]
        for got in plans[rid]["days"]:
            off, slots, minutes = planned(spec, date.fromisoformat(got["date"]))
            assert (got["off"], got["slots"], got["slot_duration_minutes"]) == (off, slots, minutes), (rid, got)
            assert got["title"] == {"clinic_vacation": "Eid", "resource_vacation": "Away"}.get(off), got
            reasons.add(off)
    assert reasons == {None, "clinic_vacation", "resource_vacation", "day_off"}
    # the two differ on an ordinary Monday: Dr. A 08:00-12:00 by 45 minutes, Dr. B the clinic's hours hourly
    monday = {p["resource_id"]: p["days"][1]["slots"] for p in plans.values()}
    a, b = (next(rid for rid, spec in ids.items() if spec is wanted) for wanted in (DR_A, DR_B))
    assert monday[a] == ["08:00", "08:45", "09:30", "10:15", "11:00"]
    assert monday[b] == ["11:00", "12:00", "13:00", "14:00", "15:00", "16:00"]

    one = await viewer_client.get(f"/resources/schedule?from_date=2025-06-10&to_date=2025-06-10&resource_id={a}")
    [only] = (await one.json())["data"]
    assert only["resource_id"] == a and only["days"] == [
        {"date": "2025-06-10", "off": "resource_vacation", "title": "Away", "slots": [], "slot_duration_minutes": 45}]


async def test_bad_queries_are_4xx_json_naming_the_problem(viewer_client):
    cases = [
        ("from_date=2025-06-02&to_date=2025-06-01", 422, "query"),
        ("from_date=2025-06-01&to_date=2025-08-15", 422, "query"),
        ("from_date=June&to_date=2025-06-01", 422, "query.from_date"),
        ("to_date=2025-06-01", 422, "query.from_date"),
        ("from_date=2025-06-01&to_date=2025-06-01&resource_id=abc", 422, "query.resource_id"),
        ("from_date=2025-06-01&to_date=2025-06-01&resource_id=0", 422, "query.resource_id"),
        ("from_date=2025-06-01&to_date=2025-06-01&resource_id=99", 404, "no resource 99"),
    ]
    for query, status, message in cases:
        response = await viewer_client.get(f"/resources/schedule?{query}")
        answer = await response.json()
        assert response.status == status and answer["message"].startswith(message), (query, answer)
