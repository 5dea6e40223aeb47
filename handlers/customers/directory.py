"""The `/phone/all` query model and its translation into SQL filter parameters."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field, field_validator

from actors.customers.search import day_bounds, parse_instant_date
from runtime.db import QUERIES

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


@dataclass(frozen=True)
class DirectoryFilters:
    excluded: list[str] | None
    status: str | None
    messages: tuple[datetime, datetime] | None
    reservations: tuple[datetime, datetime] | None


class DirectorySql:
    """The page and count statements for the active filters, with their parameters in order."""

    def __init__(self, filters: DirectoryFilters, prefix: str | None) -> None:
        self.where: list[str] = []
        self.args: list[Any] = []
        if filters.excluded:
            self._add(QUERIES.phone_directory_exclude, filters.excluded)
        if filters.status:
            self.where.append(getattr(QUERIES, f"phone_directory_{filters.status}"))
        if filters.messages:
            self._add(QUERIES.phone_directory_messages_between, *filters.messages)
        if filters.reservations:
            self._add(QUERIES.phone_directory_reservations_between, *filters.reservations)
        if prefix:
            self._add(QUERIES.phone_directory_prefix, prefix)

    def _add(self, fragment: str, *values: Any) -> None:
        # `{}` / `{0}` name this fragment's parameters; they become the next `$n` numbers (never values).
        first = len(self.args) + 1
        numbers = [f"${first + i}" for i in range(len(values))]
        self.where.append(fragment.format(*numbers))
        self.args.extend(values)

    def _page_rows(self) -> str:
        n = len(self.args)
        inner = "\n".join([QUERIES.phone_directory_select, *self.where, QUERIES.phone_directory_order,
                           f"LIMIT ${n + 1} OFFSET ${n + 2}"])
        return QUERIES.wrapped("phone_directory_page_wrapper", inner)

    def page(self, limit: int | None, offset: int) -> tuple[str, ...]:
        """The page statement and its arguments (`limit=None`: every matching row; LIMIT NULL is no limit)."""
        return self._page_rows() + "\n" + QUERIES.phone_directory_order, *self.args, limit, offset

    def page_json(self, limit: int, offset: int) -> tuple[str, ...]:
        """The page as one JSON array of /phone/* items (NULL when empty), and its arguments."""
        sql = QUERIES.phone_directory_page_json.replace("{page}", self._page_rows()).replace(
            "{order}", QUERIES.phone_directory_order)
        return sql, *self.args, limit, offset

    def count(self) -> tuple[str, ...]:
        return "\n".join([QUERIES.phone_directory_count_select, *self.where]), *self.args


def directory_filters(query: DirectoryQuery, timezone: str) -> DirectoryFilters:
    """The exclusion list, status and date windows a /phone/all request asks for."""
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
    return DirectoryFilters(excluded, status, messages, reservations)
