"""Row -> wire shapes shared by the operations (dates `YYYY-MM-DD`, slots `HH:MM`)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from actors.reservation.parsing import hijri_string, to_display, to_hhmm
from actors.reservation.resources import resource_schedule
from actors.reservation.schedule import is_upcoming


def upcoming(row: Any, settings: dict[str, Any], now: datetime, roster: Any = None) -> bool:
    """The slot has not ended; its length is the booking's resource's when `roster` is given."""
    resource = roster.by_id(row["resource_id"]) if roster is not None else None
    duration = resource_schedule(row["slot_date"], settings, resource).duration
    return is_upcoming(row["slot_date"], row["slot_time"], duration, now)


def snapshot(row: Any, customer_name: str | None) -> dict[str, Any]:
    return {"wa_id": row["wa_id"], "date": row["slot_date"].isoformat(), "time_slot": to_hhmm(row["slot_time"]),
            "type": row["type"], "customer_name": customer_name, "status": row["status"]}


def booking_data(reservation_id: int, day, slot, reservation_type: int) -> dict[str, Any]:
    return {"reservation_id": reservation_id, "gregorian_date": day.isoformat(), "hijri_date": hijri_string(day),
            "time_slot": to_display(slot), "type": reservation_type}


def event_data(reservation_id: int, wa_id: str, day, slot, reservation_type: int, customer_name: str | None,
               source: str) -> dict[str, Any]:
    return {"id": reservation_id, "wa_id": wa_id, "date": day.isoformat(), "time_slot": to_hhmm(slot),
            "type": reservation_type, "customer_name": customer_name, "_source": source}
