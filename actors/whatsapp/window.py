"""The 24-hour customer service window: WhatsApp delivers free-form messages only within 24 hours of the
customer's last message; outside it, only approved templates.

The window is read from what Mawid already keeps (the customer's last stored message and the
last inbound message processed), so it holds across processes and restarts and for conversations
adopted from the reference. A free-form send outside it is not attempted: the sender gets a clear
refusal, or sends its template instead.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

from actors.whatsapp.graph import SendResult
from runtime.db import QUERIES

if TYPE_CHECKING:
    from runtime.services import Services

WINDOW = timedelta(hours=24)
FREE_FORM_KINDS = frozenset({"text", "interactive", "location"})
REFUSAL_REASON = "outside_service_window"


def is_open(last_inbound: datetime | None, now: datetime) -> bool:
    return last_inbound is not None and now - last_inbound < WINDOW


async def last_inbound(services: "Services", wa_id: str) -> datetime | None:
    return await services.require_pool().fetchval(QUERIES.whatsapp_window_last_inbound, wa_id,
                                                  services.config.timezone)


async def refusal(services: "Services", wa_id: str) -> SendResult | None:
    """None when a free-form message may be sent now; otherwise the 409 answer saying why not."""
    last = await last_inbound(services, wa_id)
    if is_open(last, datetime.now(timezone.utc)):
        return None
    since = f"the customer last wrote at {last.isoformat(timespec='seconds')}" if last else \
        "the customer has never written"
    return SendResult({"status": "error", "reason": REFUSAL_REASON,
                       "message": f"Not sent: WhatsApp allows free-form messages only within 24 hours of the "
                                  f"customer's last message ({since}); only an approved template can reach them."},
                      409)
