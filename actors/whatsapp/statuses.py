"""Delivery status callbacks (sent, delivered, read, failed): recorded and counted.

A callback carrying `biz_opaque_callback_data` (the idempotency key our send put there)
is also recorded under that string: proof that Graph accepted that message, which
settles a send left in doubt (`actors.whatsapp.in_doubt`).
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from actors.inbound.delivery import STATUS_RANK, failure_reason
from actors.whatsapp.metrics import STATUS_CALLBACKS, count_failure
from runtime.db import QUERIES

if TYPE_CHECKING:
    from runtime.services import Services

log = logging.getLogger("mawid.whatsapp")


def _timestamp(value: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(value), timezone.utc)
    except (TypeError, ValueError, OverflowError):
        return None


async def record_statuses(services: "Services", statuses: list[dict[str, Any]]) -> int:
    """Store each status (never downgrading a message's status) and count failures; answers how many."""
    recorded = 0
    async with services.require_pool().acquire() as conn, conn.transaction():
        for status in statuses:
            name = str(status.get("status") or "unknown")
            STATUS_CALLBACKS.inc({"status": name})
            if name == "failed":
                count_failure(failure_reason(status), "delivery_status")
                log.warning("WhatsApp delivery failed for %s: %s", status.get("recipient_id"),
                            failure_reason(status), extra={"wamid": status.get("id")})
            wamid = status.get("id")
            marker = status.get("biz_opaque_callback_data")
            if wamid and isinstance(marker, str) and marker:
                await conn.execute(QUERIES.whatsapp_status_callback_record, marker, str(wamid), name,
                                   status.get("recipient_id"))
            if not wamid or name not in STATUS_RANK:
                continue
            errors = status.get("errors") or ([status["error"]] if status.get("error") else None)
            await conn.execute(QUERIES.whatsapp_status_record, str(wamid), status.get("recipient_id"), name,
                               STATUS_RANK[name], _timestamp(status.get("timestamp")), errors)
            recorded += 1
    return recorded
