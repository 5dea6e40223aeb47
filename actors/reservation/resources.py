"""Resources (doctors, rooms, chairs…): their own schedule on top of the clinic's, and the "any resource" rule.

Pure rules, no I/O. A schedule field left empty (None) means "the clinic's": the default resource has
none set, so its day is exactly the clinic's day (`schedule.day_schedule`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Any, Iterable

from actors.reservation.capacity import Limits
from actors.reservation.schedule import DaySchedule, Hours, clinic_hours, config_weekday, cut_slots
from actors.reservation.vacations import Period, period_containing

DEFAULT_RESOURCE_ID = 1  # created by migration 0111; the column default of reservations.resource_id
ANY_RESOURCE = frozenset({"any", "anyone", "any doctor", "any resource", "أي", "أي طبيب", "اي طبيب", "أي أحد"})


@dataclass(frozen=True)
class DayHours:
    day_of_week: int  # 0 = Sunday … 6 = Saturday
    start_time: str   # HH:MM
    end_time: str


@dataclass(frozen=True)
class Resource:
    id: int
    name_ar: str
    name_en: str
    active: bool = True
    position: int = 0
    is_default: bool = False
    reservation_types: tuple[int, ...] | None = None
    working_days: tuple[int, ...] | None = None
    start_time: str | None = None  # HH:MM, with end_time; None: the clinic's hours
    end_time: str | None = None
    day_specific_hours: tuple[DayHours, ...] = ()
    slot_duration_minutes: int | None = None
    capacity: int | None = None
    vacations: tuple[Period, ...] = field(default=(), compare=False)

    def name(self, ar: bool = False) -> str:
        return self.name_ar if ar else self.name_en

    def takes(self, reservation_type: int | None) -> bool:
        return reservation_type is None or self.reservation_types is None or reservation_type in self.reservation_types

    def day_off(self, day: date) -> Period | None:
        return period_containing(list(self.vacations), day)


def resource_hours(day: date, config: dict[str, Any], resource: Resource | None) -> Hours:
    """The clinic's plan for the day, with the resource's own working days, hours and slot length over it.

    Precedence for the hours: the resource's hours for that weekday, else its general hours, else the
    clinic's hours of the day (custom range, day-specific or default)."""
    clinic = clinic_hours(day, config)
    if resource is None:
        return clinic
    weekday = config_weekday(day)
    working = clinic.working if resource.working_days is None else weekday in resource.working_days
    opening, closing = clinic.opening, clinic.closing
    specific = next((h for h in resource.day_specific_hours if h.day_of_week == weekday), None)
    if specific is not None:
        opening, closing = specific.start_time, specific.end_time
    elif resource.start_time and resource.end_time:
        opening, closing = resource.start_time, resource.end_time
    duration = clinic.duration
    if resource.slot_duration_minutes:
        duration = timedelta(minutes=resource.slot_duration_minutes)
    return Hours(working, opening, closing, duration)


def resource_schedule(day: date, config: dict[str, Any], resource: Resource | None) -> DaySchedule:
    return cut_slots(day, resource_hours(day, config, resource))


def resource_limits(clinic: Limits, resource: Resource | None) -> Limits:
    """The clinic's capacity for the caller's role, never above the resource's own capacity per slot."""
    if resource is None or resource.capacity is None:
        return clinic
    total = min(clinic.total, resource.capacity)
    return Limits(total, min(clinic.per_type, total))


def pick_order(candidates: Iterable[Resource], booked_that_day: dict[int, int]) -> list[Resource]:
    """"Any resource": least booked that day first, then the admins' order (position, then id)."""
    return sorted(candidates, key=lambda r: (booked_that_day.get(r.id, 0), r.position, r.id))


def _folded(text: str) -> str:
    return " ".join(text.casefold().split())


def is_any(value: Any) -> bool:
    return isinstance(value, str) and _folded(value) in ANY_RESOURCE


def find(roster: list[Resource], value: Any) -> Resource | None:
    """A resource by id (int or digits) or by name (Arabic or English, case and spacing ignored; a unique
    prefix or a name containing the words, e.g. "Dr. Lina" or "Lina", also matches). Active ones only."""
    active = [r for r in roster if r.active]
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit()):
        return next((r for r in active if r.id == int(value)), None)
    if not isinstance(value, str) or not value.strip():
        return None
    wanted = _folded(value).replace("dr.", "").replace("dr ", "").replace("د.", "").strip()
    exact = [r for r in active if wanted in (_folded(r.name_en), _folded(r.name_ar))]
    if exact:
        return exact[0]
    loose = [r for r in active if wanted and (wanted in _folded(r.name_en) or wanted in _folded(r.name_ar))]
    return loose[0] if len(loose) == 1 else None


def from_row(row: Any, vacations: Iterable[Period] = ()) -> Resource:
    hours = tuple(DayHours(int(h["day_of_week"]), str(h["start_time"]), str(h["end_time"]))
                  for h in (row["day_specific_hours"] or []))
    return Resource(
        id=row["id"], name_ar=row["name_ar"], name_en=row["name_en"], active=row["active"],
        position=row["position"], is_default=row["is_default"],
        reservation_types=None if row["reservation_types"] is None else tuple(row["reservation_types"]),
        working_days=None if row["working_days"] is None else tuple(row["working_days"]),
        start_time=_hhmm(row["start_time"]), end_time=_hhmm(row["end_time"]), day_specific_hours=hours,
        slot_duration_minutes=row["slot_duration_minutes"], capacity=row["capacity"], vacations=tuple(vacations))


def _hhmm(value: time | None) -> str | None:
    return None if value is None else value.strftime("%H:%M")


def wire(resource: Resource) -> dict[str, Any]:
    """The REST/WS shape of a resource."""
    return {
        "id": resource.id, "name_ar": resource.name_ar, "name_en": resource.name_en, "active": resource.active,
        "position": resource.position, "is_default": resource.is_default,
        "reservation_types": None if resource.reservation_types is None else list(resource.reservation_types),
        "working_days": None if resource.working_days is None else list(resource.working_days),
        "working_hours": None if resource.start_time is None else {
            "start_time": resource.start_time, "end_time": resource.end_time},
        "day_specific_hours": [{"day_of_week": h.day_of_week, "start_time": h.start_time, "end_time": h.end_time}
                               for h in resource.day_specific_hours],
        "slot_duration_minutes": resource.slot_duration_minutes, "capacity": resource.capacity,
        "vacations": [{"start": p.start.isoformat(), "end": p.end.isoformat(), "title": p.title}
                      for p in resource.vacations],
    }
