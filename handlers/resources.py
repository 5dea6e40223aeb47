"""Resource routes (issue 24): `/resources` lists the clinic's doctors, rooms…; admins create and edit them.

A resource is switched off (`active: false`), never deleted: its bookings keep naming it. Every write is
announced (`resource_created` / `resource_updated`, with the resource's shape).
"""
from __future__ import annotations

import re
from datetime import date
from typing import Any, Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from actors.reservation.resource_admin import create_resource, update_resource
from actors.reservation.resource_calendar import MAX_DAYS as PLAN_DAYS
from actors.reservation.resource_calendar import resource_calendar
from actors.reservation.resource_stats import MAX_DAYS, resource_analytics
from actors.reservation.resources import wire
from actors.reservation.roster import load_roster
from runtime.routes import BODY, QUERY, Role, Route, error_response, json_response, validation_error
from runtime.services import SERVICES

TAGS = ("resources",)
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class Hours(BaseModel):
    model_config = ConfigDict(extra="forbid")
    start_time: str = Field(description="HH:MM")
    end_time: str = Field(description="HH:MM, after start_time")

    @field_validator("start_time", "end_time")
    @classmethod
    def _clock(cls, value: str) -> str:
        if not _HHMM.match(value):
            raise ValueError("must be HH:MM (00:00-23:59)")
        return value

    @model_validator(mode="after")
    def _ordered(self) -> "Hours":
        if self.start_time >= self.end_time:
            raise ValueError("end_time must be after start_time")
        return self


class DayHours(Hours):
    day_of_week: int = Field(ge=0, le=6, description="0 = Sunday … 6 = Saturday")


class Vacation(BaseModel):
    model_config = ConfigDict(extra="forbid")
    start: date
    end: date
    title: str | None = Field(None, max_length=200)

    @model_validator(mode="after")
    def _ordered(self) -> "Vacation":
        if self.end < self.start:
            raise ValueError("end must not be before start")
        return self


class ResourceBody(BaseModel):
    """A whole resource. Schedule fields left null mean "the clinic's"."""

    model_config = ConfigDict(extra="forbid")
    name_ar: str = Field(min_length=1, max_length=100)
    name_en: str = Field(min_length=1, max_length=100)
    active: bool = True
    position: int = Field(0, ge=-1_000_000, le=1_000_000)
    reservation_types: list[Literal[0, 1]] | None = Field(None, description="null: every type")
    working_days: list[int] | None = Field(None, description="0 = Sunday … 6 = Saturday; null: the clinic's")
    working_hours: Hours | None = Field(None, description="null: the clinic's hours")
    day_specific_hours: list[DayHours] = Field(default_factory=list, max_length=7)
    slot_duration_minutes: int | None = Field(None, ge=5, le=720, description="null: the clinic's")
    capacity: int | None = Field(None, ge=1, le=1000, description="bookings per slot; null: the clinic's")
    vacations: list[Vacation] = Field(default_factory=list, max_length=500)

    @field_validator("name_ar", "name_en")
    @classmethod
    def _named(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()

    @field_validator("working_days")
    @classmethod
    def _weekdays(cls, value: list[int] | None) -> list[int] | None:
        if value is not None and any(d < 0 or d > 6 for d in value):
            raise ValueError("days must be between 0 (Sunday) and 6 (Saturday)")
        return None if value is None else sorted(set(value))

    @field_validator("day_specific_hours")
    @classmethod
    def _one_per_day(cls, value: list[DayHours]) -> list[DayHours]:
        if len({h.day_of_week for h in value}) != len(value):
            raise ValueError("at most one entry per day_of_week")
        return value


class ResourcePatch(BaseModel):
    """Any subset of a resource's fields; the merged resource is validated as a whole."""

    model_config = ConfigDict(extra="forbid")
    name_ar: Any = None
    name_en: Any = None
    active: Any = None
    position: Any = None
    reservation_types: Any = None
    working_days: Any = None
    working_hours: Any = None
    day_specific_hours: Any = None
    slot_duration_minutes: Any = None
    capacity: Any = None
    vacations: Any = None


class AnalyticsQuery(BaseModel):
    from_date: date = Field(description="first day (a slot date)")
    to_date: date = Field(description="last day, at most 366 days after from_date")

    @model_validator(mode="after")
    def _window(self) -> "AnalyticsQuery":
        if self.to_date < self.from_date:
            raise ValueError("to_date must not be before from_date")
        if (self.to_date - self.from_date).days >= MAX_DAYS:
            raise ValueError(f"the window is at most {MAX_DAYS} days")
        return self


class ScheduleQuery(BaseModel):
    from_date: date = Field(description="first day")
    to_date: date = Field(description=f"last day, at most {PLAN_DAYS - 1} days after from_date")
    resource_id: int | None = Field(None, ge=1, le=2**31 - 1, description="only this resource; absent: all")

    @model_validator(mode="after")
    def _window(self) -> "ScheduleQuery":
        if self.to_date < self.from_date:
            raise ValueError("to_date must not be before from_date")
        if (self.to_date - self.from_date).days >= PLAN_DAYS:
            raise ValueError(f"the window is at most {PLAN_DAYS} days")
        return self


class _Invalid(Exception):
    def __init__(self, error: ValidationError) -> None:
        super().__init__(str(error))
        self.error = error


def _merge(current: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    stored = {k: v for k, v in current.items() if k in ResourceBody.model_fields}
    try:
        return ResourceBody.model_validate({**stored, **changes}).model_dump(mode="json")
    except ValidationError as exc:
        raise _Invalid(exc) from None


async def list_resources(request: web.Request) -> web.Response:
    roster = await load_roster(request.app[SERVICES])
    return json_response({"success": True, "data": [wire(r) for r in roster.resources]})


def _resource_id(request: web.Request) -> int | None:
    raw = request.match_info["resource_id"]
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


async def get_resource(request: web.Request) -> web.Response:
    resource_id = _resource_id(request)
    found = None if resource_id is None else (await load_roster(request.app[SERVICES])).by_id(resource_id)
    if found is None:
        return error_response(404, f"no resource {request.match_info['resource_id']}")
    return json_response({"success": True, "data": wire(found)})


async def add_resource(request: web.Request) -> web.Response:
    body: ResourceBody = request[BODY]
    shaped = await create_resource(request.app[SERVICES], body.model_dump(mode="json"))
    return json_response({"success": True, "data": shaped}, 201)


async def edit_resource(request: web.Request) -> web.Response:
    resource_id = _resource_id(request)
    body: ResourcePatch = request[BODY]
    changes = {k: getattr(body, k) for k in body.model_fields_set}
    if resource_id is None:
        return error_response(404, f"no resource {request.match_info['resource_id']}")
    try:
        shaped = await update_resource(request.app[SERVICES], resource_id, changes, _merge)
    except _Invalid as invalid:
        return validation_error(invalid.error, "body")
    if shaped is None:
        return error_response(404, f"no resource {resource_id}")
    return json_response({"success": True, "data": shaped})


async def analytics(request: web.Request) -> web.Response:
    q: AnalyticsQuery = request[QUERY]
    rows = await resource_analytics(request.app[SERVICES], q.from_date, q.to_date)
    return json_response({"success": True, "data": rows})


async def schedule(request: web.Request) -> web.Response:
    q: ScheduleQuery = request[QUERY]
    plans = await resource_calendar(request.app[SERVICES], q.from_date, q.to_date, q.resource_id)
    if plans is None:
        return error_response(404, f"no resource {q.resource_id}")
    return json_response({"success": True, "data": plans})


ROUTES = [
    Route("GET", "/resources", list_resources, Role.VIEWER, tags=TAGS,
          summary="The clinic's resources (doctors, rooms…) in display order"),
    Route("GET", "/resources/analytics", analytics, Role.VIEWER, query=AnalyticsQuery, tags=TAGS,
          summary="Per resource over a window: bookings, cancellations, open slots, places and utilisation"),
    Route("GET", "/resources/schedule", schedule, Role.VIEWER, query=ScheduleQuery, tags=TAGS,
          summary="Each resource's plan per day: its slot starts, slot length and capacity, or why it is off",
          errors=((404, "no such resource"),)),
    Route("GET", "/resources/{resource_id}", get_resource, Role.VIEWER, tags=TAGS, summary="One resource",
          errors=((404, "no such resource"),)),
    Route("POST", "/resources", add_resource, Role.ADMIN, body=ResourceBody, tags=TAGS, status=201,
          summary="Add a resource"),
    Route("PATCH", "/resources/{resource_id}", edit_resource, Role.ADMIN, body=ResourcePatch, tags=TAGS,
          summary="Change some of a resource's fields (active: false switches it off)",
          errors=((404, "no such resource"),)),
]
