"""Dashboard reads (no actor: reads never queue behind writes): `GET /reservations`, `GET /vacations`."""
from __future__ import annotations

import functools
from datetime import date, timedelta
from typing import TYPE_CHECKING
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


# reservation_listing wrapped so that PostgreSQL assembles the route's JSON
LISTING_JSON = QUERIES.wrapped("reservation_listing_json_wrapper", QUERIES.reservation_listing)


async def reservations_json(services: "Services", future: bool = True, include_cancelled: bool = False,
                            from_date: date | None = None, to_date: date | None = None,
                            resource_id: int | None = None) -> bytes:
    """`GET /reservations` data, encoded: {wa_id: [{id, date, time_slot, type, cancelled, has_document}]}, each
    entry with `resource_id` too once the clinic has several resources (optionally only those of `resource_id`)."""
    low, high = listing_bounds(context.today(services), future, from_date, to_date)
    async with services.require_pool().acquire() as conn:
        several = (await load_roster(services, conn)).several
        listing = await conn.fetchval(LISTING_JSON, low, high, include_cancelled, several, resource_id)
    return listing.encode()


async def vacations_json(services: "Services") -> bytes:
    """`GET /vacations`, encoded. The periods are read on every call (another process may have changed them);
    their shape is remembered for the same periods: generated titles (weekday and Hijri date of each end)
    and the encoding were most of the route's own CPU."""
    periods = await context.vacation_periods(services)
    return _shaped_vacations(tuple(periods), services.config.timezone, services.config.vacation_message)


@functools.lru_cache(maxsize=16)
def _shaped_vacations(periods: tuple[Period, ...], timezone: str, base: str | None) -> bytes:
    return json_bytes(http_shape(list(periods), ZoneInfo(timezone), base))
