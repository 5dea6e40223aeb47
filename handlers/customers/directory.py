"""The `/phone/all` query model and its translation into SQL filter parameters."""
from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field, field_validator

from actors.customers.search import day_bounds, parse_instant_date

STATUSES = frozenset({"registered", "unknown", "blocked"})


class DirectoryQuery(BaseModel):
    page: int = Field(1, ge=1, le=1_000_000)
    page_size: int = Field(100, ge=1, le=500)
    country: str | None = Field(None, max_length=3, description="ISO region code, e.g. SA (case-insensitive)")
    status: str | None = Field(None, description="registered | unknown | blocked; other values: no filter")
    registration: str | None = Field(None, description="deprecated alias of status, used when status is absent")
    date_range_type: str | None = Field(None, description="messages | reservations")
    date_from: str | None = Field(None, description="ISO date or datetime (instants are converted to TIMEZONE)")
    date_to: str | None = Field(None, description="ISO date or datetime (instants are converted to TIMEZONE)")
    exclude: str | None = Field(None, description="comma-separated wa_ids to leave out")

    @field_validator("date_from", "date_to")
    @classmethod
    def _iso(cls, value: str | None) -> str | None:
        if value is not None and value.strip():
            try:
                parse_instant_date(value, ZoneInfo("UTC"))
            except ValueError:
                raise ValueError("must be an ISO date (YYYY-MM-DD) or datetime") from None
        return value


def directory_filters(query: DirectoryQuery, timezone: str) -> tuple[Any, ...]:
    """($1 exclude, $2 status, $3/$4 message window, $5/$6 reservation window) of the directory queries."""
    excluded = [w.strip() for w in (query.exclude or "").split(",") if w.strip()] or None
    status = query.status if query.status is not None else query.registration
    status = status if status in STATUSES else None
    zone = ZoneInfo(timezone)
    window: tuple[datetime, datetime] | None = None
    if query.date_range_type in ("messages", "reservations"):
        start = parse_instant_date(query.date_from, zone) if query.date_from and query.date_from.strip() else None
        end = parse_instant_date(query.date_to, zone) if query.date_to and query.date_to.strip() else None
        window = day_bounds(start, end)
    messages = window if query.date_range_type == "messages" else None
    reservations = window if query.date_range_type == "reservations" else None
    return (
        excluded, status,
        *(messages or (None, None)),
        *(reservations or (None, None)),
    )
