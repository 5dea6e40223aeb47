"""Availability of two resources with different days, hours, slot lengths, capacities and vacations, day
by day over a month, against a direct computation written out here (not the schedule code)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from actors.reservation import operations
from actors.reservation.parsing import to_display
from tests.reservations.conftest import EXAMPLE_NOW, add_reservation
from tests.resources.conftest import add_resource, switch_off_default

CLINIC_DAYS = {0, 1, 2, 3, 4, 6}  # 0 = Sunday; Friday closed
CLINIC_VACATION = (date(2025, 6, 25), date(2025, 6, 26))


def clinic_hours(weekday: int) -> tuple[str, str]:
    return ("16:00", "22:00") if weekday == 6 else ("11:00", "17:00")


@dataclass
class Spec:
    name: str
    capacity: int
    step_minutes: int
    days: set[int] | None = None
    hours: tuple[str, str] | None = None
    day_hours: dict[int, tuple[str, str]] = field(default_factory=dict)
    off: tuple[date, date] | None = None
    booked: dict[tuple[date, time], int] = field(default_factory=dict)


DR_A = Spec("Dr. A", capacity=1, step_minutes=45, days={0, 1, 2, 3}, hours=("08:00", "12:00"),
            day_hours={2: ("13:00", "16:00")}, off=(date(2025, 6, 10), date(2025, 6, 12)),
            booked={(date(2025, 6, 2), time(9, 30)): 1})
DR_B = Spec("Dr. B", capacity=2, step_minutes=60, off=(date(2025, 6, 20), date(2025, 6, 20)),
            booked={(date(2025, 6, 3), time(13)): 2, (date(2025, 6, 3), time(14)): 1})


def _at(day: date, hhmm: str) -> datetime:
    hour, minute = hhmm.split(":")
    return datetime(day.year, day.month, day.day, int(hour), int(minute))


def expected(spec: Spec, day: date, now: datetime) -> list[time]:
    if CLINIC_VACATION[0] <= day <= CLINIC_VACATION[1] or (spec.off and spec.off[0] <= day <= spec.off[1]):
        return []
    weekday = (day.weekday() + 1) % 7
    if weekday not in (spec.days if spec.days is not None else CLINIC_DAYS):
        return []
    opening, closing = spec.day_hours.get(weekday) or spec.hours or clinic_hours(weekday)
    step, start, end = timedelta(minutes=spec.step_minutes), _at(day, opening), _at(day, closing)
    slots = []
    while start + step <= end:
        if start + step > now and spec.booked.get((day, start.time()), 0) < spec.capacity:
            slots.append(start.time())
        start += step
    return slots


async def test_a_month_of_two_resources_matches_the_direct_computation(admin_client, services, db):
    await switch_off_default(admin_client)
    ids = {}
    for spec in (DR_A, DR_B):
        ids[spec.name] = (await add_resource(
            admin_client, name_ar=spec.name, name_en=spec.name, capacity=spec.capacity,
            slot_duration_minutes=spec.step_minutes, working_days=sorted(spec.days) if spec.days else None,
            working_hours={"start_time": spec.hours[0], "end_time": spec.hours[1]} if spec.hours else None,
            day_specific_hours=[{"day_of_week": d, "start_time": a, "end_time": b}
                                for d, (a, b) in spec.day_hours.items()],
            vacations=[{"start": spec.off[0].isoformat(), "end": spec.off[1].isoformat()}]))["id"]
        for (day, slot), count in spec.booked.items():
            for n in range(count):
                rid = await add_reservation(db, f"96650{ids[spec.name]}{n}{day.day:02d}{slot.hour:02d}000",
                                            day.isoformat(), slot.strftime("%H:%M"))
                await db.execute("UPDATE reservations SET resource_id = $1 WHERE id = $2", ids[spec.name], rid)
    await db.execute("INSERT INTO vacation_periods (start_date, end_date) VALUES ($1, $2)", *CLINIC_VACATION)
    now = EXAMPLE_NOW.replace(tzinfo=None)
    checked = 0
    for offset in range(30):
        day = date(2025, 6, 1) + timedelta(days=offset)
        wanted = {spec.name: expected(spec, day, now) for spec in (DR_A, DR_B)}
        for name, slots in wanted.items():
            result = await operations.get_available_time_slots(services, day.isoformat(), resource=name)
            if slots:
                assert result["data"]["time_slots"] == [to_display(s) for s in slots], (day, name, result)
                checked += 1
            else:
                assert result["success"] is False, (day, name, result)
        union = sorted(set(wanted["Dr. A"]) | set(wanted["Dr. B"]))
        either = await operations.get_available_time_slots(services, day.isoformat())
        if union:
            assert either["data"]["time_slots"] == [to_display(s) for s in union], (day, either)
            assert {r["resource"]: r["time_slots"] for r in either["data"]["resources"]} == {
                name: [to_display(s) for s in slots] for name, slots in wanted.items() if slots}
        else:
            assert either["success"] is False, (day, either)
    assert checked > 30  # most days are open for at least one of them
