"""Compatibility aliases for the dashboard's Next.js-only paths (spec 10 quirk Q22).

Production nginx strips `/api`, and the browser helper tries the backend
first, so these paths reach the backend with the proxy's body shapes (spec 10
§4). Each maps onto the canonical operation with the proxy's own validation.
"""
from __future__ import annotations

from typing import Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from actors.reservation import operations, ops_phone
from handlers.reservations import modify_status
from runtime.routes import BODY, Role, Route, json_response
from runtime.services import SERVICES

TAGS = ("compatibility",)


class _ProxyBody(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)
    ar: bool = False
    isLocalized: bool = False  # noqa: N815 - the dashboard's key
    call_source: str = Field("frontend", alias="_call_source")

    @property
    def arabic(self) -> bool:
        return self.ar or self.isLocalized


class ModifyReservationProxy(_ProxyBody):
    id: Any = None
    date: Any = None
    time: Any = None
    title: Any = None
    type: Any = None
    approximate: bool = False
    reservationId: Any = None  # noqa: N815
    max_reservations: int | None = None
    resource: int | str | None = Field(None, description="Mawid: move to this resource (id or name); absent: the "
                                       "booking keeps its own. Unknown, switched off or not taking the type: 422")


class CancelReservationProxy(_ProxyBody):
    id: Any = None
    date: Any = None


class ModifyIdProxy(_ProxyBody):
    old_id: Any = None
    new_id: Any = None
    reservation_id: Any = None
    customer_name: Any = None


def _missing(fields: str) -> web.Response:
    return json_response({"success": False, "message": f"Missing required fields: {fields}"}, 400)


async def modify_reservation(request: web.Request) -> web.Response:
    body: ModifyReservationProxy = request[BODY]
    if not (body.id and body.date and body.time):
        return _missing("id, date, time")
    result = await operations.modify_reservation(
        request.app[SERVICES], body.id, new_date=body.date, new_time_slot=body.time, new_name=body.title,
        new_type=body.type if body.type is not None else 0, max_reservations=body.max_reservations,
        approximate=body.approximate, hijri=False, ar=False, reservation_id_to_modify=body.reservationId,
        source="frontend", resource=body.resource)
    return json_response(result, modify_status(result))


async def cancel_reservation(request: web.Request) -> web.Response:
    body: CancelReservationProxy = request[BODY]
    if not (body.id and body.date):
        return _missing("id, date")
    result = await operations.cancel_reservation(request.app[SERVICES], body.id, date_str=body.date, hijri=False,
                                                 ar=body.arabic, source="frontend")
    return json_response(result)


async def modify_id(request: web.Request) -> web.Response:
    body: ModifyIdProxy = request[BODY]
    if not (body.old_id and body.new_id):
        return _missing("old_id, new_id")
    result = await ops_phone.modify_customer_wa_id(
        request.app[SERVICES], body.old_id, body.new_id, customer_name=body.customer_name,
        reservation_id=body.reservation_id, ar=body.arabic, source=body.call_source)
    return json_response(result)


ROUTES = [
    Route("POST", path, handler, Role.STAFF, body=model, tags=TAGS, summary=summary)
    for prefix in ("", "/api")
    for path, handler, model, summary in (
        (f"{prefix}/modify-reservation", modify_reservation, ModifyReservationProxy,
         "Dashboard proxy shape of POST /reservations/{wa_id}/modify"),
        (f"{prefix}/cancel-reservation", cancel_reservation, CancelReservationProxy,
         "Dashboard proxy shape of POST /reservations/{wa_id}/cancel (by date)"),
        (f"{prefix}/modify-id", modify_id, ModifyIdProxy,
         "Dashboard proxy shape of POST /reservations/{wa_id}/modify_id"),
    )
]
