"""Rendering typed database values in the reference's wire formats."""
from __future__ import annotations

from datetime import date, datetime, time, timezone
from typing import Any, Mapping


def wire_date(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def wire_time(value: time | None) -> str | None:
    return value.strftime("%H:%M:%S") if value is not None else None


def naive_utc_iso(value: datetime | None) -> str | None:
    """Naive UTC ISO (`YYYY-MM-DDTHH:MM:SS[.ffffff]`), as the reference's naive DB timestamps render."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value.isoformat()


def message_item(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "role": row["role"],
        "message": row["message"],
        "date": wire_date(row["local_date"]),
        "time": wire_time(row["local_time"]),
    }


def contact_item(row: Mapping[str, Any], similarity: float | None = None) -> dict[str, Any]:
    """The `/phone/*` result item (spec 30 §4.1)."""
    return {
        "wa_id": row["wa_id"],
        "customer_name": row["customer_name"],
        "last_message_at": row["last_user_message_at"].isoformat() if row["last_user_message_at"] else None,
        "last_reservation_at": naive_utc_iso(row["last_reservation_at"]),
        "similarity": float(row["similarity"]) if similarity is None else similarity,
        "is_favorite": bool(row["is_favorite"]),
        "is_blocked": bool(row["is_blocked"]),
    }
