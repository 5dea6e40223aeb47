"""Which coming days are full (open, with slots left to start, none of them free): what a waitlist is for."""
from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from actors.reservation import context
from actors.reservation.capacity import limits
from actors.reservation.resources import resource_limits
from actors.reservation.roster import load_roster
from actors.reservation.slots import Refusal, free_starts, open_day

if TYPE_CHECKING:
    from runtime.services import Services


async def agent_total(services: "Services", resource_id: int | None = None) -> int:
    """The assistant's per-slot capacity (within the resource's own): a freed place is offered while the slot is
    below it."""
    clinic = limits((await context.app_settings(services)).get("slot_capacity_settings"), "agent")
    if resource_id is None:
        return clinic.total
    return resource_limits(clinic, (await load_roster(services)).by_id(resource_id)).total


async def full_days(services: "Services", days_forward: int = 7, resource_id: int | None = None) -> list[date]:
    """Days on which some active resource (or the one given) is open with slots left to start, and none of them has
    a free one."""
    now = context.now(services)
    settings = await context.app_settings(services)
    agent = limits(settings.get("slot_capacity_settings"), "agent")
    periods = await context.vacation_periods(services)
    base = context.vacation_base(services)
    roster = await load_roster(services)
    resources = roster.active() or [roster.default()]
    if resource_id is not None:
        resources = [r for r in resources if r.id == resource_id]
    found = []
    async with services.require_pool().acquire() as conn:
        for offset in range(days_forward + 1):
            day = now.date() + timedelta(days=offset)
            opened_any = free_any = False
            for resource in resources:
                try:
                    opened = open_day(day, settings, periods, now, base, resource=resource)
                except Refusal:
                    continue
                opened_any = opened_any or bool(opened.starts)
                if opened.starts and await free_starts(services, opened, resource_limits(agent, resource).total, conn):
                    free_any = True
                    break
            if opened_any and not free_any:
                found.append(day)
    return found
