"""Attendance: staff record whether the patient came to a booking (today's or a past one), or clear it.

Stored apart from the booking's status (migration 0810), so the reference's reservation payloads are unchanged.
The write goes through the booking's (resource, day) actor, under that pair's lock, so it cannot race a move
or a cancel; each change is announced as `reservation_attendance`, a type /ws sends only to clients that
subscribe to it (like `reservation_confirmed`).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from actors.reservation import context
from actors.reservation.actor import day_ref
from actors.reservation.messages import RecordAttendance
from runtime.db import QUERIES
from runtime.events import publish

if TYPE_CHECKING:
    from runtime.services import Services

ATTENDANCE_VALUES = ("attended", "no_show")
ATTENDANCE_EVENT = "reservation_attendance"
MAX_RESERVATION_ID = 2**31 - 1


@dataclass(frozen=True)
class AttendanceResult:
    """`status`: recorded | not_found | invalid | cancelled | future | changed (moved or cancelled meanwhile)."""

    status: str
    message: str = ""
    data: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return self.status == "recorded"


def wire(row: Any) -> dict[str, Any]:
    return {"id": row["id"], "wa_id": row["wa_id"], "date": row["slot_date"].isoformat(),
            "time_slot": row["slot_time"].strftime("%H:%M"), "resource_id": row["resource_id"],
            "attendance": row["attendance"],
            "attendance_at": row["attendance_at"].isoformat() if row["attendance_at"] else None}


def reservation_id_of(value: Any) -> int | None:
    """A positive reservation id from an int or a string of digits; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.isascii() and value.strip().isdigit():
        value = int(value.strip())
    return value if isinstance(value, int) and 1 <= value <= MAX_RESERVATION_ID else None


async def record_attendance(services: "Services", reservation_id: Any, attendance: Any,
                            source: str = "frontend") -> AttendanceResult:
    key = reservation_id_of(reservation_id)
    if key is None:
        return AttendanceResult("not_found", f"Reservation {reservation_id} not found.")
    if attendance is not None and attendance not in ATTENDANCE_VALUES:
        return AttendanceResult("invalid", "attendance must be 'attended', 'no_show' or null")
    row = await services.require_pool().fetchrow(QUERIES.attendance_booking, key)
    if row is None:
        return AttendanceResult("not_found", f"Reservation {key} not found.")
    if row["status"] != "active":
        return AttendanceResult("cancelled", f"Reservation {key} is cancelled: there is no visit to record.")
    if row["slot_date"] > context.today(services):
        return AttendanceResult("future", f"Reservation {key} is on {row['slot_date'].isoformat()}: attendance is "
                                          "recorded from the day of the visit on.")
    outcome = await day_ref(services, row["slot_date"], row["resource_id"]).ask(RecordAttendance(key, attendance))
    if outcome.status != "recorded":
        return AttendanceResult("changed", f"Reservation {key} was moved or cancelled meanwhile; try again.")
    data = wire(outcome.rows[0])
    await publish(services, ATTENDANCE_EVENT, {**data, "_source": source}, [data["wa_id"]])
    return AttendanceResult("recorded", "Attendance recorded.", data)


async def attendance_between(services: "Services", first: date, last: date) -> list[dict[str, Any]]:
    """Active bookings of days [first, last] whose attendance was recorded."""
    rows = await services.require_pool().fetch(QUERIES.attendance_in_range, first, last)
    return [wire(r) for r in rows]
