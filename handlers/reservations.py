"""Reservation routes (spec 10 §3.6): the reference's paths, bodies and envelopes.

Business failures answer HTTP 200 with `success: false`, as the dashboard
expects; malformed requests answer 4xx JSON naming the problem.
"""
from __future__ import annotations

import logging
from datetime import date
from typing import Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from actors.reservation import operations, ops_phone, phone
from actors.reservation.ops_modify import RESOURCE_REFUSALS
from actors.reservation.reads import reservations_json
from actors.reservation.texts import text
from runtime.db import DATABASE_UNAVAILABLE
from runtime.routes import BODY, QUERY, Role, Route, json_response, success_json_response
from runtime.services import SERVICES

log = logging.getLogger("mawid.handlers.reservations")
TAGS = ("reservations",)


class _Body(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)
    ar: bool = False
    call_source: str = Field("assistant", alias="_call_source")


class ReservationsQuery(BaseModel):
    future: bool = True
    include_cancelled: bool = False
    from_date: date | None = None
    to_date: date | None = None
    resource_id: int | None = Field(None, ge=1, le=2**31 - 1, description="only this resource's bookings")


class ReserveBody(_Body):
    """Alias keys as the reference: id|wa_id, title|customer_name, date|date_str, time|time_slot,
    type (when present, even null) else reservation_type."""

    id: Any = None
    wa_id: Any = None
    title: Any = None
    customer_name: Any = None
    date: Any = None
    date_str: Any = None
    time: Any = None
    time_slot: Any = None
    type: Any = None
    reservation_type: Any = None
    hijri: bool = False
    max_reservations: int | None = None
    resource: int | str | None = Field(None, description="resource id or name; absent or \"any\": any resource")


class ModifyBody(_Body):
    new_date: Any = None
    new_time_slot: Any = None
    new_name: Any = None
    new_type: Any = None
    max_reservations: int | None = None
    approximate: bool = False
    hijri: bool = False
    reservation_id_to_modify: Any = None
    resource: int | str | None = Field(None, description="move to this resource (id or name); absent: the "
                                       "booking keeps its own. Unknown, switched off or not taking the type: 422")


class CancelBody(_Body):
    date_str: Any = None
    hijri: bool = False
    reservation_id_to_cancel: Any = None


class ModifyIdBody(_Body):
    old_wa_id: Any = None
    new_wa_id: Any = None
    customer_name: Any = None
    reservation_id: Any = None


class UndoCancelBody(_Body):
    reservation_id: Any = None
    max_reservations: int | None = None


def _first(*values: Any) -> Any:
    return next((v for v in values if v), None)


async def get_reservations(request: web.Request) -> web.Response:
    q: ReservationsQuery = request[QUERY]
    services = request.app[SERVICES]
    try:
        data = await reservations_json(services, q.future, q.include_cancelled, q.from_date, q.to_date,
                                       q.resource_id)
    except DATABASE_UNAVAILABLE:
        raise  # 503 + Retry-After from the middleware: retryable, unlike a failed listing
    except Exception:
        log.exception("reservation listing failed")
        return json_response({"success": False, "message": text("system_error_contact_secretary")})
    return success_json_response(data)


async def reserve(request: web.Request) -> web.Response:
    body: ReserveBody = request[BODY]
    raw_id = _first(body.id, body.wa_id)
    if raw_id is None or (isinstance(raw_id, str) and not raw_id.strip()):
        return json_response({"success": False, "error": "Missing wa_id/id in payload"}, 400)
    try:
        wa_id = phone.normalize(raw_id)
    except phone.InvalidPhone as exc:
        return json_response({"success": False, "error": f"Invalid phone number: {exc}"}, 400)
    kind = body.type if "type" in body.model_fields_set else body.reservation_type
    result = await operations.reserve_time_slot(
        request.app[SERVICES], wa_id, _first(body.title, body.customer_name), _first(body.date, body.date_str),
        _first(body.time, body.time_slot), kind, hijri=body.hijri, max_reservations=body.max_reservations,
        ar=body.ar, source=body.call_source, resource=body.resource)
    return json_response(result)


async def modify(request: web.Request) -> web.Response:
    body: ModifyBody = request[BODY]
    result = await operations.modify_reservation(
        request.app[SERVICES], request.match_info["wa_id"], new_date=body.new_date, new_time_slot=body.new_time_slot,
        new_name=body.new_name, new_type=body.new_type, max_reservations=body.max_reservations,
        approximate=body.approximate, hijri=body.hijri, ar=body.ar,
        reservation_id_to_modify=body.reservation_id_to_modify, source=body.call_source, resource=body.resource)
    return json_response(result, modify_status(result))


def modify_status(result: dict[str, Any]) -> int:
    """422 when the `resource` asked for cannot take the booking; otherwise the reference's 200 (a business
    failure is `success: false`)."""
    return 422 if result.get("reason") in RESOURCE_REFUSALS else 200


async def modify_id(request: web.Request) -> web.Response:
    body: ModifyIdBody = request[BODY]
    old = body.old_wa_id if "old_wa_id" in body.model_fields_set and body.old_wa_id else request.match_info["wa_id"]
    result = await ops_phone.modify_customer_wa_id(
        request.app[SERVICES], old, body.new_wa_id, customer_name=body.customer_name,
        reservation_id=body.reservation_id, ar=body.ar, source=body.call_source)
    return json_response(result)


async def cancel(request: web.Request) -> web.Response:
    body: CancelBody = request[BODY]
    result = await operations.cancel_reservation(
        request.app[SERVICES], request.match_info["wa_id"], date_str=body.date_str, hijri=body.hijri, ar=body.ar,
        reservation_id_to_cancel=body.reservation_id_to_cancel, source=body.call_source)
    return json_response(result)


async def undo_cancel(request: web.Request) -> web.Response:
    body: UndoCancelBody = request[BODY]
    if body.reservation_id is None or (isinstance(body.reservation_id, str) and not body.reservation_id.strip()):
        # The reference answered "Reservation with ID None not found." (docs/decisions.md).
        message = "reservation_id is required: the id of the cancelled reservation to reinstate"
        return json_response({"success": False, "message": message, "detail": message}, 422)
    result = await operations.undo_cancel_reservation_by_id(
        request.app[SERVICES], body.reservation_id, ar=body.ar, max_reservations=body.max_reservations,
        source="undo")
    return json_response(result)


ROUTES = [
    Route("GET", "/reservations", get_reservations, Role.VIEWER, query=ReservationsQuery, tags=TAGS,
          summary="Reservations grouped by wa_id (default: today onwards, active only)"),
    Route("POST", "/reserve", reserve, Role.STAFF, body=ReserveBody, tags=TAGS,
          summary="Book a slot (alias keys accepted)",
          errors=((400, "missing or invalid phone number"),)),
    Route("POST", "/reservations/{wa_id}/modify", modify, Role.STAFF, body=ModifyBody, tags=TAGS,
          summary="Move (also to another resource), retype or rename a reservation",
          errors=((422, "the resource asked for is unknown, switched off or does not take the type"),)),
    Route("POST", "/reservations/{wa_id}/modify_id", modify_id, Role.STAFF, body=ModifyIdBody, tags=TAGS,
          summary="Change a customer's WhatsApp id"),
    Route("POST", "/reservations/{wa_id}/cancel", cancel, Role.STAFF, body=CancelBody, tags=TAGS,
          summary="Cancel by id, by date, or every upcoming reservation"),
    Route("POST", "/undo-cancel", undo_cancel, Role.STAFF, body=UndoCancelBody, tags=TAGS,
          summary="Reinstate a cancelled reservation"),
]
