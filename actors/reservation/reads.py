"""Dashboard reads (no actor: reads never queue behind writes): `GET /reservations`, `GET /vacations`."""
from __future__ import annotations

import functools
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from actors.reservation import context
from actors.reservation.ops_vacations import http_shape
from actors.reservation.roster import load_roster
from actors.reservation.vacations import Period
from runtime.db import QUERIES
from runtime.routes import json_bytes

if TYPE_CHECKING:
    from runtime.services import Services


def listing_bounds(today: date, future: bool, from_date: date | None, to_date: date | None
                   ) -> tuple[date | None, date | None]:
    """Spec 10 §3.6a precedence: explicit bounds, else today on (future), else today-30 … today+90."""
    if from_date or to_date:
        return from_date, to_date
    if future:
        return today, None
    return today - timedelta(days=30), today + timedelta(days=90)


async def list_reservations(services: "Services", future: bool = True, include_cancelled: bool = False,
                            from_date: date | None = None, to_date: date | None = None,
                            resource_id: int | None = None) -> dict[str, list]:
    """`GET /reservations` data: {wa_id: [{id, date, time_slot, type, cancelled, has_document}]}, each entry
    with `resource_id` too once the clinic has several resources (optionally only those of `resource_id`)."""
    low, high = listing_bounds(context.today(services), future, from_date, to_date)
    async with services.require_pool().acquire() as conn:
        rows = await conn.fetch(QUERIES.reservation_listing, low, high, include_cancelled)
        several = (await load_roster(services, conn)).several
    grouped: dict[str, list[dict[str, Any]]] = {}
    # Positional access: the listing can be tens of thousands of rows, and Record mapping calls cost more.
    for rid, wa_id, day, slot, kind, cancelled, has_document, resource in rows:
        if resource_id is not None and resource != resource_id:
            continue
        entry = {"id": rid, "date": day, "time_slot": slot, "type": kind, "cancelled": cancelled,
                 "has_document": has_document}
        if several:
            entry["resource_id"] = resource
        bucket = grouped.get(wa_id)
        if bucket is None:
            grouped[wa_id] = [entry]
        else:
            bucket.append(entry)
    return grouped


async def vacations_json(services: "Services") -> bytes:
    """`GET /vacations`, encoded. The periods are read on every call (another process may have changed them);
    their shape is remembered for the same periods: generated titles (weekday and Hijri date of each end)
    and the encoding were most of the route's own CPU."""
    periods = await context.vacation_periods(services)
    return _shaped_vacations(tuple(periods), services.config.timezone, services.config.vacation_message)


@functools.lru_cache(maxsize=16)
def _shaped_vacations(periods: tuple[Period, ...], timezone: str, base: str | None) -> bytes:
    return json_bytes(http_shape(list(periods), ZoneInfo(timezone), base))
