"""How patients answered their reminders: confirmation counts for analytics, and each booking's state.

New routes only; the reference's reservation and analytics payloads are unchanged.
"""
from __future__ import annotations

from aiohttp import web

from handlers.date_range import DateRange
from runtime.db import QUERIES
from runtime.routes import QUERY, Role, Route, json_response
from runtime.services import SERVICES

TAGS = ("reminders",)


async def response_counts(request: web.Request) -> web.Response:
    period: DateRange = request[QUERY]
    row = await request.app[SERVICES].require_pool().fetchrow(QUERIES.reminder_response_counts, period.from_date,
                                                              period.to_date)
    return json_response({"success": True, "data": {
        "from": period.from_date.isoformat(), "to": period.to_date.isoformat(), **dict(row)}})


async def confirmations(request: web.Request) -> web.Response:
    period: DateRange = request[QUERY]
    rows = await request.app[SERVICES].require_pool().fetch(QUERIES.reminder_confirmations, period.from_date,
                                                            period.to_date)
    return json_response({"success": True, "data": [{
        "id": r["id"], "wa_id": r["wa_id"], "date": r["slot_date"].isoformat(),
        "time_slot": r["slot_time"].strftime("%H:%M"),
        "confirmed_at": r["confirmed_at"].isoformat() if r["confirmed_at"] else None,
        "reminder": r["reminder"], "response": r["response"],
        "responded_at": r["responded_at"].isoformat() if r["responded_at"] else None} for r in rows]})


ROUTES = [
    Route("GET", "/reminders/responses", response_counts, Role.VIEWER, query=DateRange, tags=TAGS,
          summary="Reminder answers for appointments in a date range: confirmed, cancelled, rescheduled, no reply"),
    Route("GET", "/reminders/confirmations", confirmations, Role.VIEWER, query=DateRange, tags=TAGS,
          summary="Each active booking in a date range with its confirmation and reminder state"),
]
