"""The system agent's tools (spec 50 §9.2): batch reservation operations for the staff's calendar AI.

Batches run item by item (no transaction across items) with source `system_agent`.
Discovery by `filters` is not implemented yet: explicit `requests` are required.
"""
from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any

from actors.assistant.tools import TOOLS, Tool, _schema

if TYPE_CHECKING:
    from runtime.services import Services

SUMMARY_ROWS = 50


def _requests(value: Any) -> list[Any]:
    if value is None:
        return []
    return [value] if isinstance(value, dict) else list(value) if isinstance(value, list) else [value]


async def _run_item(operation, services: "Services", item: Any) -> dict[str, Any]:
    if not isinstance(item, dict):
        return {"success": False, "input": item, "error": "Invalid payload; expected an object."}
    params = inspect.signature(operation).parameters
    args = {k: v for k, v in item.items() if k in params and k not in ("services", "source")}
    try:
        result = await operation(services, **args, source=str(item.get("_call_source") or "system_agent"))
    except Exception as exc:
        return {"success": False, "input": item, "error": str(exc)}
    return {"success": bool(result.get("success")), "input": item, "result": result}


def _compact(outcome: dict[str, Any]) -> dict[str, Any]:
    item = outcome["input"] if isinstance(outcome["input"], dict) else {}
    row: dict[str, Any] = {"success": outcome["success"], "wa_id": item.get("wa_id")}
    if not outcome["success"]:
        row["error"] = outcome.get("error") or outcome.get("result")
        return row
    result = outcome.get("result") or {}
    data = result.get("data") if isinstance(result.get("data"), dict) else {}
    reservation_id = (item.get("reservation_id_to_modify") or item.get("reservation_id_to_cancel")
                      or data.get("reservation_id"))
    if reservation_id is not None:
        row["reservation_id"] = reservation_id
    if result.get("message"):
        row["message"] = result["message"]
    return row


async def _batch(services: "Services", operation_name: str, requests: Any, verbosity: str = "summary",
                 filters: Any = None) -> dict[str, Any]:
    from actors.reservation import operations

    items = _requests(requests)
    if not items and filters:
        return {"success": False, "message": "Discovery by filters is not available; pass explicit requests."}
    operation = getattr(operations, operation_name)
    outcomes = [await _run_item(operation, services, item) for item in items]
    if str(verbosity or "").lower() == "detailed":
        return {"success": True, "data": outcomes}
    rows = [_compact(o) for o in outcomes]
    succeeded = sum(1 for o in outcomes if o["success"])
    data: dict[str, Any] = {"summary": {"total": len(outcomes), "succeeded": succeeded,
                                        "failed": len(outcomes) - succeeded,
                                        "results_included": min(len(rows), SUMMARY_ROWS),
                                        "results_truncated": len(rows) > SUMMARY_ROWS}}
    if rows:
        data["results"] = rows[:SUMMARY_ROWS]
    return {"success": True, "data": data}


async def _batch_reserve(services, wa_id, requests=None, verbosity="summary"):
    return await _batch(services, "reserve_time_slot", requests, verbosity)


async def _batch_modify(services, wa_id, requests=None, filters=None, updates=None, verbosity="summary"):
    return await _batch(services, "modify_reservation", requests, verbosity, filters)


async def _batch_cancel(services, wa_id, requests=None, filters=None, verbosity="summary"):
    return await _batch(services, "cancel_reservation", requests, verbosity, filters)


_REQUESTS = {"description": "One request object or a list of them; each names its wa_id.",
             "anyOf": [{"type": "object"}, {"type": "array", "items": {"type": "object"}}]}
_VERBOSITY = {"type": "string", "enum": ["summary", "detailed"]}
_FILTERS = {"type": "object", "description": "Not supported yet."}

SYSTEM_TOOLS: dict[str, Tool] = {
    "get_current_datetime": TOOLS["get_current_datetime"],
    "search_available_appointments": TOOLS["search_available_appointments"],
    "system_batch_reserve": Tool(
        "system_batch_reserve", "Reserve for several customers: each request has wa_id, customer_name, date_str, "
        "time_slot, reservation_type (0 check-up, 1 follow-up) and optional hijri.",
        _schema({"requests": _REQUESTS, "verbosity": _VERBOSITY}, ("requests",)), _batch_reserve),
    "system_batch_modify": Tool(
        "system_batch_modify", "Modify reservations: each request has wa_id and the new_* fields to change, "
        "optionally reservation_id_to_modify.",
        _schema({"requests": _REQUESTS, "filters": _FILTERS, "updates": _FILTERS, "verbosity": _VERBOSITY}),
        _batch_modify),
    "system_batch_cancel": Tool(
        "system_batch_cancel", "Cancel reservations: each request has wa_id and date_str or reservation_id_to_cancel.",
        _schema({"requests": _REQUESTS, "filters": _FILTERS, "verbosity": _VERBOSITY}), _batch_cancel),
}
