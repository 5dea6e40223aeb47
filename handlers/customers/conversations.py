"""`/conversations/*`: a customer's history, appending a message, clearing, calendar overlays (spec 30 §3.1–3.4)."""
from __future__ import annotations

import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, field_validator

from actors.conversation.messages import AppendMessage, ClearConversation
from actors.customers.wa_id_guard import wa_id_refusal
from handlers.customers.common import (
    customer,
    envelope,
    guarded,
    secretary_failure,
    services_of,
    try_later_failure,
)
from runtime.db import QUERIES
from runtime.routes import BODY, QUERY, Role, Route, json_bytes, success_json_response

TAGS = ("conversations",)
_TIME = re.compile(r"^\d{2}:\d{2}(:\d{2})?$")


class HistoryQuery(BaseModel):
    limit: int = Field(0, ge=-(2**31), le=2**31 - 1,
                       description="0 or less: the whole history, oldest first; N: the newest N, newest first")


class NewMessage(BaseModel):
    """Quirk 2 fixed: role and message are required; date and time default to now (business zone)."""

    model_config = ConfigDict(populate_by_name=True)
    role: str = Field(min_length=1, max_length=50)
    message: str
    date: str | None = Field(None, description="YYYY-MM-DD, business-zone date")
    time: str | None = Field(None, description="HH:MM or HH:MM:SS, business-zone time")
    call_source: str | None = Field(None, alias="_call_source")

    @field_validator("date")
    @classmethod
    def _date(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                date.fromisoformat(value)
            except ValueError:
                raise ValueError("date must be YYYY-MM-DD") from None
            if len(value) != 10:
                raise ValueError("date must be YYYY-MM-DD")
        return value

    @field_validator("time")
    @classmethod
    def _time(cls, value: str | None) -> str | None:
        if value is not None:
            if not _TIME.match(value):
                raise ValueError("time must be HH:MM or HH:MM:SS")
            try:
                time.fromisoformat(value)
            except ValueError:
                raise ValueError("time must be a valid HH:MM or HH:MM:SS") from None
        return value


class CalendarQuery(BaseModel):
    from_date: date | None = None
    to_date: date | None = None


async def get_history(request: web.Request) -> web.Response:
    wa_id, limit = request.match_info["wa_id"], request[QUERY].limit

    async def work() -> web.Response:
        pool = services_of(request).require_pool()
        if limit > 0:
            items = await pool.fetchval(QUERIES.conversation_history_newest_json, wa_id, limit)
        else:
            items = await pool.fetchval(QUERIES.conversation_history_ascending_json, wa_id)
        if items is None:
            return envelope(True, {})
        # The messages as PostgreSQL assembled them, passed on without decoding
        return success_json_response(b"{" + json_bytes(wa_id) + b": " + items.encode("utf-8") + b"}")

    return await guarded(work, secretary_failure, "conversation history")


async def post_message(request: web.Request) -> web.Response:
    body: NewMessage = request[BODY]
    wa_id = request.match_info["wa_id"]
    if (body.date is None) != (body.time is None):
        return envelope(False, message="date and time must be given together", status=400)
    when = None
    if body.date is not None:
        zone = ZoneInfo(services_of(request).config.timezone)
        when = datetime.combine(date.fromisoformat(body.date), time.fromisoformat(body.time), tzinfo=zone)
    msg = AppendMessage(body.role, body.message, source=body.call_source or "assistant", when=when)

    async def work() -> web.Response:
        if (problem := await wa_id_refusal(services_of(request), wa_id)) is not None:
            return envelope(False, message=problem, status=400)
        await customer(request, wa_id).ask(msg)
        return envelope(True)

    return await guarded(work, lambda: envelope(False, message="failed_to_save", status=500), "append message")


async def delete_history(request: web.Request) -> web.Response:
    wa_id = request.match_info["wa_id"]

    async def work() -> web.Response:
        if (problem := await wa_id_refusal(services_of(request), wa_id)) is not None:
            return envelope(False, message=problem, status=400)
        deleted = await customer(request, wa_id).ask(ClearConversation(source="frontend"))
        return envelope(True, {"deleted": deleted})

    return await guarded(work, try_later_failure, "clear conversation")


# conversation_calendar_events wrapped so that PostgreSQL assembles the route's JSON
CALENDAR_EVENTS_JSON = QUERIES.wrapped("conversation_calendar_events_json_wrapper",
                                       QUERIES.conversation_calendar_events)


async def calendar_events(request: web.Request) -> web.Response:
    query: CalendarQuery = request[QUERY]
    if query.from_date and query.to_date and query.from_date > query.to_date:
        return envelope(True, {})

    async def work() -> web.Response:
        events = await services_of(request).require_pool().fetchval(CALENDAR_EVENTS_JSON, query.from_date,
                                                                     query.to_date)
        return success_json_response(events.encode("utf-8"))  # as PostgreSQL assembled it, not decoded

    return await guarded(work, secretary_failure, "calendar events")


ROUTES = [
    Route("GET", "/conversations/calendar/events", calendar_events, Role.VIEWER, query=CalendarQuery,
          summary="Last message per customer within optional date bounds (calendar overlay)", tags=TAGS),
    Route("GET", "/conversations/{wa_id}", get_history, Role.VIEWER, query=HistoryQuery,
          summary="A customer's conversation history", tags=TAGS),
    Route("POST", "/conversations/{wa_id}", post_message, Role.STAFF, body=NewMessage,
          summary="Append a message to a customer's conversation (announced as conversation_new_message)",
          tags=TAGS, errors=((400, "date without time or time without date; wa_id not a phone number"),)),
    Route("DELETE", "/conversations/{wa_id}", delete_history, Role.STAFF,
          summary="Delete every message of a customer (the customer is kept)", tags=TAGS,
          errors=((400, "wa_id is not a phone number nor an existing customer"),)),
]
