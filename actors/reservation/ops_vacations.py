"""Vacation periods: replace-all writes and the list the realtime layer broadcasts (spec 20 §7, 40 §8.1).

Fixed per quirk 17: entries are validated strictly (a bad entry rejects the
whole update, nothing is written), an explicit `[]` clears all vacations, and
the broadcast always carries the real periods.
"""
from __future__ import annotations

from datetime import datetime, time
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from actors.reservation import context
from actors.reservation.vacations import InvalidPeriod, Period, normalize_periods, vacation_message
from runtime.db import QUERIES
from runtime.events import publish

if TYPE_CHECKING:
    from runtime.services import Services


class VacationUpdateRejected(ValueError):
    """The periods are not a list of valid {start, end, title?} entries; nothing was written."""


def parse_periods(periods: Any) -> list[Period]:
    if not isinstance(periods, list):
        raise VacationUpdateRejected("periods must be a list of {start, end, title?}")
    try:
        return normalize_periods(periods)
    except InvalidPeriod as exc:
        raise VacationUpdateRejected(str(exc)) from None


def broadcast_shape(periods: list[Period], zone: ZoneInfo, base: str | None) -> list[dict[str, Any]]:
    return [{"start": datetime.combine(p.start, time(0), zone).isoformat(),
             "end": datetime.combine(p.end, time(23, 59, 59, 999999), zone).isoformat(),
             "title": p.title or base} for p in periods]


def http_shape(periods: list[Period], zone: ZoneInfo, base: str | None) -> list[dict[str, Any]]:
    """`GET /vacations`: the reference's bare array, local midnights, generated title when none."""
    return [{"start": datetime.combine(p.start, time(0), zone).isoformat(),
             "end": datetime.combine(p.end, time(0), zone).isoformat(),
             "title": p.title or vacation_message(p, base), "duration": p.days} for p in periods]


async def vacation_periods_for_broadcast(services: "Services") -> list[dict[str, Any]]:
    periods = await context.vacation_periods(services)
    return broadcast_shape(periods, ZoneInfo(services.config.timezone), services.config.vacation_message)


async def update_vacation_periods(services: "Services", periods: Any, ar: bool = False,
                                  source: str = "assistant") -> dict[str, Any]:
    """Replace all periods. Raises VacationUpdateRejected for invalid input (the caller answers 400)."""
    parsed = parse_periods(periods)
    async with services.require_pool().acquire() as conn, conn.transaction():
        await conn.execute(QUERIES.vacation_lock)
        await conn.execute(QUERIES.vacation_periods_delete_all)
        if parsed:
            await conn.execute(QUERIES.vacation_periods_insert, [p.start for p in parsed], [p.end for p in parsed],
                               [p.title for p in parsed])
    await publish(services, "vacation_period_updated",
                  {"periods": await vacation_periods_for_broadcast(services), "_source": source})
    return context.envelope(True, context.text("vacation_periods_updated", ar))
