"""Which coming days are full (open, with slots left to start, none of them free): what a waitlist is for."""
from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from actors.reservation import context
from actors.reservation.capacity import limits
from actors.reservation.slots import Refusal, free_starts, open_day

if TYPE_CHECKING:
    from runtime.services import Services


async def agent_total(services: "Services") -> int:
    """The assistant's per-slot capacity: a freed place is offered while the slot is below it."""
    return limits((await context.app_settings(services)).get("slot_capacity_settings"), "agent").total


async def full_days(services: "Services", days_forward: int = 7) -> list[date]:
    now = context.now(services)
    settings = await context.app_settings(services)
    total = limits(settings.get("slot_capacity_settings"), "agent").total
    periods = await context.vacation_periods(services)
    base = context.vacation_base(services)
    found = []
    async with services.require_pool().acquire() as conn:
        for offset in range(days_forward + 1):
            day = now.date() + timedelta(days=offset)
            try:
                opened = open_day(day, settings, periods, now, base)
            except Refusal:
                continue
            if opened.starts and not await free_starts(services, opened, total, conn):
                found.append(day)
    return found
