"""Attendance for staff: mark a booking (today's or a past one) attended or no-show, or clear the mark; and the
marks of a date range for the /app calendar. New routes only: the reference's reservation payloads are unchanged.
"""
from __future__ import annotations

from typing import Literal

from aiohttp import web
from pydantic import BaseModel, Field

from actors.reservation.attendance import attendance_between, record_attendance
from handlers.date_range import DateRange
from runtime.routes import BODY, QUERY, Role, Route, json_response
from runtime.services import SERVICES

TAGS = ("attendance",)
STATUS = {"recorded": 200, "not_found": 404, "invalid": 422, "cancelled": 422, "future": 422, "changed": 409}


class AttendanceBody(BaseModel):
    attendance: Literal["attended", "no_show"] | None = Field(
        description="\"attended\", \"no_show\", or null to clear the mark")


async def mark(request: web.Request) -> web.Response:
    body: AttendanceBody = request[BODY]
    result = await record_attendance(request.app[SERVICES], request.match_info["reservation_id"], body.attendance)
    if not result.ok:
        return json_response({"success": False, "reason": result.status, "message": result.message,
                              "detail": result.message}, STATUS[result.status])
    return json_response({"success": True, "data": result.data})


async def marks(request: web.Request) -> web.Response:
    period: DateRange = request[QUERY]
    rows = await attendance_between(request.app[SERVICES], period.from_date, period.to_date)
    return json_response({"success": True, "data": rows})


ROUTES = [
    Route("GET", "/reservations/attendance", marks, Role.VIEWER, query=DateRange, tags=TAGS,
          summary="Active bookings of a date range whose attendance was recorded (attended or no-show)"),
    Route("POST", "/reservations/{reservation_id}/attendance", mark, Role.STAFF, body=AttendanceBody, tags=TAGS,
          summary="Mark a booking of today or earlier attended or no-show (null clears); announced as the "
                  "opt-in WebSocket event reservation_attendance",
          errors=((404, "no such reservation"),
                  (409, "the booking was moved or cancelled while being marked"),
                  (422, "a bad value, a cancelled booking, or a booking after today"))),
]
