"""The reservation de-duplication window (spec 40 §7.2), as pure rules.

The reference drops a reservation event when the last accepted event of the same
reservation is at most one second old and has an equal or higher priority
(created = reinstated 3 > updated 2 > cancelled 1). That also dropped legitimate
events: an undo right after a create, two quick moves, create-then-cancel.

Mawid keeps the window but suppresses only events that would not change what a
client shows: same key, within the window, equal or lower priority, **and** the
same resulting reservation state. A burst "created + updated to the same slot"
still collapses; a cancel, a move or an undo always passes. The remembered
events live in the shared event log, so the window holds across processes.
"""
from __future__ import annotations

import json
from typing import Any

PRIORITY = {
    "reservation_created": 3,
    "reservation_reinstated": 3,
    "reservation_updated": 2,
    "reservation_cancelled": 1,
}
WINDOW_SECONDS = 1.0


def _text(value: Any) -> str:
    return "None" if value is None else str(value)


def dedup_key(data: dict[str, Any]) -> str:
    """`id:<id>` when the payload names the reservation, else its customer, date and slot."""
    if data.get("id") is not None:
        return f"id:{_text(data.get('id'))}"
    return f"wa:{_text(data.get('wa_id'))}|d:{_text(data.get('date'))}|t:{_text(data.get('time_slot'))}"


def dedup_state(event_type: str, data: dict[str, Any]) -> str:
    """What a client would show after the event: cancelled, or active at a slot with a name and type."""
    if event_type == "reservation_cancelled":
        fields = ["cancelled", data.get("wa_id"), data.get("date"), data.get("time_slot")]
    else:
        fields = ["active", data.get("wa_id"), data.get("date"), data.get("time_slot"),
                  data.get("type"), data.get("customer_name")]
    return json.dumps([_text(f) for f in fields], ensure_ascii=False)


def dedup_params(event_type: str, data: dict[str, Any]) -> tuple[str | None, str | None, int | None]:
    """(key, state, priority) for reservation events; (None, None, None) for every other type."""
    priority = PRIORITY.get(event_type)
    if priority is None:
        return None, None, None
    return dedup_key(data), dedup_state(event_type, data), priority
