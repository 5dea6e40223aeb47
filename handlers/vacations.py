"""Vacation routes (spec 10 §3.7) with spec 20 quirk 17's fixes: invalid entries are rejected (400,
nothing written), `[]` clears all vacations, and the legacy `{start_dates, durations}` body of the
dashboard's proxy is accepted."""
from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from actors.reservation import operations
from actors.reservation.ops_vacations import VacationUpdateRejected
from actors.reservation.reads import vacations_json
from actors.reservation.texts import text
from runtime.db import DATABASE_UNAVAILABLE
from runtime.routes import BODY, Role, Route, json_body_response, json_response
from runtime.services import SERVICES

log = logging.getLogger("mawid.handlers.vacations")
TAGS = ("vacations",)


class VacationUpdate(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)
    periods: Any = None
    start_dates: Any = None  # legacy proxy shape
    durations: Any = None
    ar: bool = False
    call_source: str = Field("assistant", alias="_call_source")


class VacationUndo(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)
    original_vacation_data: Any = None
    ar: bool = False
    call_source: str = Field("assistant", alias="_call_source")


def _legacy_periods(start_dates: Any, durations: Any) -> list[dict[str, Any]]:
    if isinstance(start_dates, str):
        start_dates = [s for s in start_dates.split(",") if s.strip()]
    if isinstance(durations, (str, int)):
        durations = [d for d in str(durations).split(",") if str(d).strip()]
    if not isinstance(start_dates, list) or not isinstance(durations, list) or len(start_dates) != len(durations):
        raise VacationUpdateRejected("start_dates and durations must be lists of the same length")
    periods = []
    for start, days in zip(start_dates, durations):
        try:
            first, length = date.fromisoformat(str(start).strip()[:10]), int(days)
        except (ValueError, TypeError, OverflowError):  # OverflowError: a float such as 1e300
            raise VacationUpdateRejected(f"cannot read start date {start!r} / duration {days!r}") from None
        if length < 1:
            raise VacationUpdateRejected(f"duration {days!r} must be at least 1 day")
        try:
            last = first + timedelta(days=length - 1)
        except OverflowError:  # past year 9999, or more days than timedelta holds
            raise VacationUpdateRejected(f"duration {days!r} from {first.isoformat()} ends past the calendar") from None
        periods.append({"start": first.isoformat(), "end": last.isoformat()})
    return periods


async def get_vacations(request: web.Request) -> web.Response:
    try:
        return json_body_response(await vacations_json(request.app[SERVICES]))
    except DATABASE_UNAVAILABLE:
        raise  # a JSON 503 with Retry-After from the error middleware: the client may retry
    except Exception:
        log.exception("vacation listing failed")
        return json_response([], 500)


async def _replace(request: web.Request, periods: Any, ar: bool, source: str, ok_key: str,
                   fail_key: str) -> web.Response:
    try:
        await operations.update_vacation_periods(request.app[SERVICES], periods, ar=ar, source=source)
    except VacationUpdateRejected as exc:
        return json_response({"success": False, "message": text(fail_key, ar), "detail": str(exc)}, 400)
    except DATABASE_UNAVAILABLE:
        raise  # a JSON 503 with Retry-After from the error middleware: the client may retry
    except Exception:
        log.exception("vacation update failed")
        return json_response({"success": False, "message": text(fail_key, ar)}, 500)
    return json_response({"success": True, "message": text(ok_key, ar)})


async def update_vacation_periods(request: web.Request) -> web.Response:
    body: VacationUpdate = request[BODY]
    fail = "vacation_periods_update_failed"
    periods = body.periods
    if periods is None and body.start_dates is not None:
        try:
            periods = _legacy_periods(body.start_dates, body.durations)
        except VacationUpdateRejected as exc:
            return json_response({"success": False, "message": text(fail, body.ar), "detail": str(exc)}, 400)
    if not isinstance(periods, list):
        return json_response({"success": False, "message": text(fail, body.ar),
                              "detail": "periods must be a list of {start, end, title?}"}, 400)
    return await _replace(request, periods, body.ar, body.call_source, "vacation_periods_updated", fail)


async def undo_vacation_update(request: web.Request) -> web.Response:
    body: VacationUndo = request[BODY]
    fail = "vacation_undo_failed"
    original = body.original_vacation_data
    if not original or not isinstance(original, dict) or not isinstance(original.get("periods"), list):
        return json_response({"success": False, "message": text(fail, body.ar),
                              "detail": "original_vacation_data.periods must be a list"}, 400)
    return await _replace(request, original["periods"], body.ar, body.call_source, "vacation_update_undone", fail)


ROUTES = [
    Route("GET", "/vacations", get_vacations, Role.VIEWER, tags=TAGS,
          summary="Vacation periods (bare array: start, end, title, duration)"),
    Route("POST", "/update-vacation-periods", update_vacation_periods, Role.STAFF, body=VacationUpdate, tags=TAGS,
          summary="Replace all vacation periods ([] clears)", errors=((400, "invalid periods; nothing written"),)),
    Route("POST", "/undo-vacation-update", undo_vacation_update, Role.STAFF, body=VacationUndo, tags=TAGS,
          summary="Restore the vacation periods of before an update",
          errors=((400, "invalid original_vacation_data; nothing written"),)),
]
