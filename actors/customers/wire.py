"""Rendering typed database values in the reference's wire formats."""
from __future__ import annotations

import struct
from datetime import date, datetime, time, timezone
from functools import lru_cache
from typing import Any, Mapping


def wire_date(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def wire_time(value: time | None) -> str | None:
    return value.isoformat("seconds") if value is not None else None  # a third of strftime's cost, per message


def naive_utc_iso(value: datetime | None) -> str | None:
    """Naive UTC ISO (`YYYY-MM-DDTHH:MM:SS[.ffffff]`), as the reference's naive DB timestamps render."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value.isoformat()


@lru_cache(maxsize=4096)  # scores repeat (1.0 on every directory row; trigram ratios): 50 per page
def float4_value(value: float) -> float:
    """A float4 (`real`) as PostgreSQL prints it: the shortest decimal that reads back as the same float4.

    asyncpg widens float4 to a double (0.6 -> 0.6000000238418579); the reference's driver read PostgreSQL's
    text form, so it sent 0.6.
    """
    single = struct.unpack("f", struct.pack("f", value))[0]
    for digits in range(1, 10):  # 9 significant digits always round-trip a float4
        shortest = float(f"{single:.{digits}g}")
        if struct.unpack("f", struct.pack("f", shortest))[0] == single:
            return shortest
    return single


def contact_item(row: Mapping[str, Any], similarity: float | None = None) -> dict[str, Any]:
    """The `/phone/*` result item (spec 30 §4.1)."""
    return {
        "wa_id": row["wa_id"],
        "customer_name": row["customer_name"],
        "last_message_at": row["last_user_message_at"].isoformat() if row["last_user_message_at"] else None,
        "last_reservation_at": naive_utc_iso(row["last_reservation_at"]),
        "similarity": float4_value(row["similarity"]) if similarity is None else similarity,
        "is_favorite": bool(row["is_favorite"]),
        "is_blocked": bool(row["is_blocked"]),
    }
