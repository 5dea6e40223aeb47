"""`/customers/*`: names, the profile (name, age, document), favorite/block flags and per-customer stats."""
from __future__ import annotations

from typing import Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, StrictBool

from actors.conversation.messages import UNSET, SetBlocked, SetFavorite, UpdateCustomer
from actors.customers.phone import phone_error
from actors.customers.profile import effective_age
from actors.customers.texts import text
from actors.customers.wire import wire_date, wire_time
from handlers.customers.common import (
    customer,
    envelope,
    guarded,
    secretary_failure,
    services_of,
    today,
    try_later_failure,
)
from runtime.db import QUERIES
from runtime.routes import BODY, Role, Route, json_response

TAGS = ("customers",)


class CustomerUpdate(BaseModel):
    """Each key acts only when present; `age: null` clears the age, `document: null` clears the document."""

    model_config = ConfigDict(populate_by_name=True)
    name: str | None = Field(None, max_length=500)
    age: Any = Field(None, description="an integer 0..120 (numeric strings and floats are truncated) or null")
    document: Any = Field(None, description="any JSON value (the dashboard's notes canvas)")
    ar: bool = False
    call_source: str | None = Field(None, alias="_call_source")


class FavoriteBody(BaseModel):
    favorite: StrictBool = True


class BlockedBody(BaseModel):
    blocked: StrictBool = True


async def names(request: web.Request) -> web.Response:
    config = services_of(request).config

    async def work() -> web.Response:
        async with services_of(request).require_pool().acquire() as conn:
            rows = await conn.fetch(QUERIES.customer_names)
        data = {r["wa_id"]: dict(r) for r in rows}
        agent = data.get(config.system_agent_wa_id)
        if agent is None:
            data[config.system_agent_wa_id] = {
                "wa_id": config.system_agent_wa_id, "customer_name": config.system_agent_name,
                "is_blocked": False, "is_favorite": False,
            }
        elif not agent["customer_name"]:
            agent["customer_name"] = config.system_agent_name
        return envelope(True, data)

    return await guarded(work, secretary_failure, "customer names")


async def get_customer(request: web.Request) -> web.Response:
    wa_id = request.match_info["wa_id"]

    async def work() -> web.Response:
        async with services_of(request).require_pool().acquire() as conn:
            row = await conn.fetchrow(QUERIES.customer_get, wa_id)
        if row is None:
            return json_response({"success": True, "data": None})
        return envelope(True, {
            "wa_id": row["wa_id"],
            "name": row["customer_name"],
            "age": effective_age(row["age"], row["age_recorded_at"], today(request)),
            "age_recorded_at": wire_date(row["age_recorded_at"]),
            "document": row["document"],
        })

    return await guarded(work, lambda: envelope(False, message="failed_to_load", status=500), "load customer")


async def put_customer(request: web.Request) -> web.Response:
    body: CustomerUpdate = request[BODY]
    sent = body.model_fields_set
    msg = UpdateCustomer(
        name=body.name,
        age=body.age if "age" in sent else UNSET,
        document=body.document if "document" in sent else UNSET,
        source=body.call_source,
        ar=body.ar,
    )
    document_only = "document" in sent and body.name is None and "age" not in sent
    failure = "failed_to_save_document" if document_only else "failed_to_save"

    async def work() -> web.Response:
        return json_response(await customer(request, request.match_info["wa_id"]).ask(msg))

    return await guarded(work, lambda: envelope(False, message=failure, status=500), "save customer")


async def _flag(request: web.Request, message: object) -> web.Response:
    async def work() -> web.Response:
        return envelope(True, await customer(request, request.match_info["wa_id"]).ask(message))

    return await guarded(work, try_later_failure, "set customer flag")


async def set_favorite(request: web.Request) -> web.Response:
    return await _flag(request, SetFavorite(request[BODY].favorite))


async def set_blocked(request: web.Request) -> web.Response:
    return await _flag(request, SetBlocked(request[BODY].blocked))


def _moment(day: Any, clock: Any) -> dict[str, Any]:
    return {"date": wire_date(day), "time": wire_time(clock)}


async def customer_stats(request: web.Request) -> web.Response:
    wa_id = request.match_info["wa_id"]
    problem = phone_error(wa_id)
    if problem is not None:
        return envelope(False, message=problem)

    async def work() -> web.Response:
        async with services_of(request).require_pool().acquire() as conn:
            row = await conn.fetchrow(QUERIES.customer_get, wa_id)
            if row is None:
                return envelope(False, message=text("wa_id_not_found"), status=404)
            messages = await conn.fetchrow(QUERIES.customer_stats_messages, wa_id)
            reservations = await conn.fetch(QUERIES.customer_stats_reservations, wa_id)
        items = [
            {"id": r["id"], "date": wire_date(r["slot_date"]), "time_slot": r["slot_time"].strftime("%H:%M"),
             "type": r["type"], "status": r["status"], "cancelled": r["status"] == "cancelled"}
            for r in reservations
        ]
        return envelope(True, {
            "wa_id": wa_id,
            "customer_name": row["customer_name"],
            "message_count": messages["message_count"],
            "reservation_count": len(items),
            "reservations": items,
            "first_message": _moment(messages["first_date"], messages["first_time"])
            if messages["first_id"] is not None else None,
            "last_message": _moment(messages["last_date"], messages["last_time"])
            if messages["last_id"] is not None else None,
        })

    def failure() -> web.Response:
        if services_of(request).config.environment.lower() in {"development", "dev", "debug"}:
            return envelope(False, message="Operation 'get_customer_stats' failed: database error")
        return try_later_failure()

    return await guarded(work, failure, "customer stats")


ROUTES = [
    Route("GET", "/customers/names", names, Role.VIEWER,
          summary="Every customer's name and flags, keyed by wa_id (system agent always present)", tags=TAGS),
    Route("GET", "/customers/{wa_id}", get_customer, Role.VIEWER,
          summary="A customer's profile: name, effective age, document", tags=TAGS),
    Route("PUT", "/customers/{wa_id}", put_customer, Role.STAFF, body=CustomerUpdate,
          summary="Update name / age / document (each only when sent)", tags=TAGS,
          errors=((400, "invalid wa_id, blank name or invalid age: {success:false, message}"),)),
    Route("POST", "/customers/{wa_id}/favorite", set_favorite, Role.STAFF, body=FavoriteBody,
          summary="Mark or unmark a customer as favorite", tags=TAGS),
    Route("POST", "/customers/{wa_id}/block", set_blocked, Role.STAFF, body=BlockedBody,
          summary="Block or unblock a customer", tags=TAGS),
    Route("GET", "/customers/{wa_id}/stats", customer_stats, Role.VIEWER,
          summary="Message and reservation statistics of one customer", tags=TAGS,
          errors=((404, "no such customer"),)),
]
