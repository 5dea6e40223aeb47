"""Whether a route may write under a wa_id: refused before anything is stored (no customer, message,
outbox row or event is created under a number that is not a phone number)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from actors.customers.phone import phone_error
from runtime.db import QUERIES

if TYPE_CHECKING:
    from runtime.services import Services


async def wa_id_refusal(services: "Services", wa_id: Any, ar: bool = False) -> str | None:
    """None when writing under `wa_id` is allowed, else the reason to show.

    Allowed: a valid phone number, the system agent's contact, or a customer that already exists
    (an adopted database may hold ids today's rules refuse; they stay reachable to be fixed or deleted).
    """
    value = str(wa_id).strip()
    if value == services.config.system_agent_wa_id:
        return None
    problem = phone_error(value, ar)
    if problem is None:
        return None
    if await services.require_pool().fetchrow(QUERIES.customer_get, value) is not None:
        return None
    return problem
