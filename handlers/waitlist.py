"""The waitlist for staff: who waits for which day, their offers, add and remove. New routes only."""
from __future__ import annotations

from datetime import date, time
from typing import AsyncIterator

from aiohttp import web
from pydantic import BaseModel, Field

from actors.reservation.roster import load_roster
from actors.waitlist import offers
from actors.waitlist.sweeper import WaitlistSweeper
from handlers.date_range import DateRange
from runtime.db import QUERIES
from runtime.routes import BODY, QUERY, Role, Route, json_response
from runtime.services import SERVICES

TAGS = ("waitlist",)


class NewEntry(BaseModel):
    wa_id: str = Field(pattern=r"^[0-9]{8,15}$", description="The patient's number, digits only")
    date: date
    time_slot: time | None = Field(None, description="One slot (HH:MM) of the day; omitted: any time")
    reservation_type: int = Field(0, ge=0, le=1,
                                  description="Visit type an accepted offer books: 0 check-up, 1 follow-up")
    resource_id: int | None = Field(None, ge=1, le=2**31 - 1,
                                    description="Wait for this doctor or room only (an active one taking the type); "
                                                "omitted: any resource")


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


async def list_waitlist(request: web.Request) -> web.Response:
    days: DateRange = request[QUERY]
    rows = await request.app[SERVICES].require_pool().fetch(QUERIES.waitlist_list, days.from_date, days.to_date)
    return json_response({"success": True, "data": [{
        "id": r["id"], "wa_id": r["wa_id"], "customer_name": r["customer_name"], "date": r["slot_date"].isoformat(),
        "time_slot": r["slot_time"].strftime("%H:%M") if r["slot_time"] else None, "status": r["status"],
        "source": r["source"], "created_at": _iso(r["created_at"]), "reservation_type": r["reservation_type"],
        "resource_id": r["resource_id"],
        "offer": None if r["offer_id"] is None else {
            "id": r["offer_id"], "time_slot": r["offer_time"].strftime("%H:%M"), "status": r["offer_status"],
            "resource_id": r["offer_resource_id"],
            "expires_at": _iso(r["offer_expires_at"]), "sent_at": _iso(r["offer_sent_at"])}} for r in rows]})


async def add_entry(request: web.Request) -> web.Response:
    entry: NewEntry = request[BODY]
    services = request.app[SERVICES]
    if entry.resource_id is not None:
        resource = (await load_roster(services)).by_id(entry.resource_id)
        if resource is None or not resource.active or not resource.takes(entry.reservation_type):
            message = f"body.resource_id: no active resource {entry.resource_id} taking this visit type"
            return json_response({"success": False, "message": message, "detail": message}, status=422)
    joined = await offers.join(services, entry.wa_id, entry.date, entry.time_slot, source="frontend",
                               reservation_type=entry.reservation_type, resource_id=entry.resource_id)
    return json_response({"success": True, "data": joined}, status=201 if joined["created"] else 200)


async def remove_entry(request: web.Request) -> web.Response:
    raw = request.match_info["entry_id"]
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 18):  # a bigint id
        return json_response({"success": False, "message": "entry id must be a positive whole number"}, status=400)
    entry_id = int(raw)
    if not await offers.remove_entry(request.app[SERVICES], entry_id):
        return json_response({"success": False, "message": f"no waiting entry {entry_id}"}, status=404)
    return json_response({"success": True})


async def sweeper_context(app: web.Application) -> AsyncIterator[None]:
    sweeper = WaitlistSweeper(app[SERVICES])
    sweeper.start()
    yield
    await sweeper.stop()


ROUTES = [
    Route("GET", "/waitlist", list_waitlist, Role.VIEWER, query=DateRange, tags=TAGS,
          summary="Waitlist entries of a date range, each with its latest offer of a freed place"),
    Route("POST", "/waitlist", add_entry, Role.STAFF, body=NewEntry, tags=TAGS,
          summary="Put a patient on a day's waitlist, optionally for one resource (201; 200 when already waiting)",
          errors=((422, "a bad field, or a resource that is unknown, switched off or not taking the visit type"),)),
    Route("DELETE", "/waitlist/{entry_id}", remove_entry, Role.STAFF, tags=TAGS,
          summary="Take a patient off the waitlist; an open offer of theirs goes to the next patient"),
]


def setup(app: web.Application) -> None:
    app.cleanup_ctx.append(sweeper_context)
