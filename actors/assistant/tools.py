"""The customer assistant's tools: schemas the LLM sees and the calls they make.

Every tool acts for the customer whose conversation it is: `wa_id` is never a
parameter the model can fill, it is supplied from the conversation here. Arguments
the schema does not declare are dropped (spec 50 Q14). The offline assistant calls
the same `execute`, so both assistants share one path to the reservation operations.
"""
from __future__ import annotations

import inspect
import json
import logging
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Awaitable, Callable

from actors.assistant.metrics import ASSISTANT_FUNCTION_ERRORS, LLM_TOOL_ERRORS
from runtime.tracing import span

if TYPE_CHECKING:
    from runtime.services import Services

log = logging.getLogger("mawid.assistant")

SOURCE = "assistant"
INTERACTIVE_RESULT_KEY = "interactive"  # a tool result's list/buttons, sent to the customer with the reply


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    parameters: dict[str, Any]
    run: Callable[..., Awaitable[dict[str, Any]]]  # (services, wa_id, **args)
    single_description: str = ""  # with one active resource, when the description names doctors or rooms


def _schema(properties: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(required), "additionalProperties": False}


def _ops():
    from actors.reservation import operations

    return operations


async def _send_business_location(services: "Services", wa_id: str) -> dict[str, Any]:
    from actors.whatsapp.outbound import send_location

    config = services.config
    try:
        latitude, longitude = float(config.business_latitude), float(config.business_longitude)
    except (TypeError, ValueError):
        return {"success": False, "message": "The business location is not configured."}
    result = await send_location(services, wa_id, latitude, longitude, config.business_name or "",
                                 config.business_address or "")
    if not result.ok:
        return {"success": False, "message": str(result.body.get("message"))}
    return {"success": True, "message": "Location sent."}


async def _current_datetime(services, wa_id):
    return await _ops().get_current_datetime(services, source=SOURCE)


async def _customer_reservations(services, wa_id, include_past=False):
    return await _ops().get_customer_reservations(services, wa_id, include_past=bool(include_past), source=SOURCE)


async def _list_resources(services, wa_id):
    from actors.reservation.roster import load_roster

    roster = await load_roster(services)
    return {"success": True, "data": [{"id": r.id, "name_en": r.name_en, "name_ar": r.name_ar}
                                      for r in roster.resources if r.active]}


async def _available_time_slots(services, wa_id, date_str, hijri=False, resource=None):
    return await _ops().get_available_time_slots(services, date_str, hijri=bool(hijri), source=SOURCE,
                                                 resource=resource)


async def _search_appointments(services, wa_id, start_date=None, time_slot=None, days_forward=3, days_backward=0,
                               hijri=False, resource=None):
    return await _ops().search_available_appointments(
        services, start_date=start_date, time_slot=time_slot, days_forward=days_forward,
        days_backward=days_backward, hijri=bool(hijri), source=SOURCE, resource=resource)


async def _offer_list(services, wa_id, start_date=None, time_slot=None, days_forward=3, intro=None):
    """Free slots found as by the search tool, sent to the customer as a list to tap (rows name the slots)."""
    from actors.assistant.offers import slot_list, slots_from_search

    found = await _search_appointments(services, wa_id, start_date=start_date, time_slot=time_slot,
                                       days_forward=days_forward)
    slots = slots_from_search(found)
    if not slots:
        return found if not found.get("success") else {"success": False, "message": "No free appointments found."}
    return {"success": True, "data": {"offered": slots},
            "message": "The customer receives these times as a list to tap; do not repeat them in your reply.",
            INTERACTIVE_RESULT_KEY: slot_list(slots, str(intro or "Choose an appointment from the list."),
                                              "Free times")}


async def _reserve(services, wa_id, customer_name, date_str, time_slot, reservation_type, hijri=False,
                   resource=None):
    return await _ops().reserve_time_slot(services, wa_id, customer_name, date_str, time_slot, reservation_type,
                                          hijri=bool(hijri), source=SOURCE, resource=resource)


async def _modify(services, wa_id, new_date=None, new_time_slot=None, new_name=None, new_type=None, hijri=False,
                  resource=None):
    return await _ops().modify_reservation(services, wa_id, new_date=new_date, new_time_slot=new_time_slot,
                                           new_name=new_name, new_type=new_type, hijri=bool(hijri), source=SOURCE,
                                           resource=resource)


async def _cancel(services, wa_id, date_str=None):
    return await _ops().cancel_reservation(services, wa_id, date_str=date_str, source=SOURCE)


async def _think(services, wa_id, thought=""):
    return {"success": True, "data": {"thought": thought}}


_DATE = {"type": "string", "description": "Date as YYYY-MM-DD (Hijri when hijri is true)."}
_HIJRI = {"type": "boolean", "description": "True when the date given is a Hijri date."}
_RESOURCE = {"type": "string", "description": "The doctor or room the customer asked for (a name from "
             "list_resources), or \"any\"; leave out when the customer named none."}

TOOLS: dict[str, Tool] = {tool.name: tool for tool in (
    Tool("send_business_location", "Send the business location to the customer as a WhatsApp location message. "
         "Always use this when the customer asks where the business is.", _schema({}), _send_business_location),
    Tool("get_current_datetime", "Current date and time in the business time zone, with Hijri date and any "
         "current or upcoming vacation. Always call this before reasoning about dates.", _schema({}),
         _current_datetime),
    Tool("get_customer_reservations", "The customer's reservations.",
         _schema({"include_past": {"type": "boolean", "description": "Also list past reservations."}}),
         _customer_reservations),
    Tool("list_resources", "The clinic's doctors or rooms the customer can book with.", _schema({}),
         _list_resources),
    Tool("get_available_time_slots", "Free time slots on one date (of one doctor or room when named).",
         _schema({"date_str": _DATE, "hijri": _HIJRI, "resource": _RESOURCE}, ("date_str",)),
         _available_time_slots, single_description="Free time slots on one date."),
    Tool("search_available_appointments", "Search free appointments over several days, optionally near a time.",
         _schema({"start_date": {**_DATE, "description": "First day (default today), YYYY-MM-DD."},
                  "time_slot": {"type": "string", "description": "Preferred time, 12- or 24-hour."},
                  "days_forward": {"type": "integer", "description": "Days after start_date (default 3)."},
                  "days_backward": {"type": "integer", "description": "Days before start_date (default 0)."},
                  "hijri": _HIJRI, "resource": _RESOURCE}), _search_appointments),
    Tool("offer_appointments_list", "Send the customer free appointments as a WhatsApp list they can tap to "
         "choose one (up to 10, grouped by day). Prefer this to listing times in text.",
         _schema({"start_date": {**_DATE, "description": "First day (default today), YYYY-MM-DD."},
                  "time_slot": {"type": "string", "description": "Preferred time, 12- or 24-hour."},
                  "days_forward": {"type": "integer", "description": "Days after start_date (default 3)."},
                  "intro": {"type": "string", "description": "One short sentence shown above the list."}}),
         _offer_list),
    Tool("reserve_time_slot", "Reserve an appointment for the customer. Never reserve before the customer has "
         "given their name and chosen the date, the time slot and the type.",
         _schema({"customer_name": {"type": "string", "description": "The customer's name."},
                  "date_str": _DATE,
                  "time_slot": {"type": "string", "description": "Time slot, e.g. 03:30 PM."},
                  "reservation_type": {"type": "integer", "enum": [0, 1],
                                       "description": "0 = check-up, 1 = follow-up."},
                  "hijri": _HIJRI, "resource": _RESOURCE},
                 ("customer_name", "date_str", "time_slot", "reservation_type")), _reserve),
    Tool("modify_reservation", "Change the customer's upcoming reservation. Pass only what changes.",
         _schema({"new_date": _DATE, "new_time_slot": {"type": "string", "description": "New time slot."},
                  "new_name": {"type": "string", "description": "New customer name."},
                  "new_type": {"type": "integer", "enum": [0, 1], "description": "0 = check-up, 1 = follow-up."},
                  "hijri": _HIJRI, "resource": {**_RESOURCE, "description": "Move to this doctor or room."}}),
         _modify),
    Tool("cancel_reservation", "Cancel the customer's reservation on a date; without a date, every reservation.",
         _schema({"date_str": _DATE}), _cancel),
    Tool("think", "Think step by step before acting; nothing is done.",
         _schema({"thought": {"type": "string", "description": "Your reasoning."}}, ("thought",)), _think),
)}


RESOURCE_TOOL = "list_resources"
RESOURCE_PARAMETER = "resource"


def _single_resource(tool: Tool) -> Tool:
    properties = {k: v for k, v in tool.parameters["properties"].items() if k != RESOURCE_PARAMETER}
    return replace(tool, description=tool.single_description or tool.description,
                   parameters={**tool.parameters, "properties": properties})


# What the model is offered while the clinic has one active resource: the tools as they were before resources
# existed (no list_resources, no `resource` parameter), so such a clinic's LLM requests do not change.
SINGLE_RESOURCE_TOOLS: dict[str, Tool] = {name: _single_resource(tool) for name, tool in TOOLS.items()
                                          if name != RESOURCE_TOOL}


async def customer_tools(services: "Services") -> dict[str, Tool]:
    """The customer assistant's tools: the resource ones only once more than one resource is active."""
    from actors.reservation.roster import load_roster

    return TOOLS if len((await load_roster(services)).active()) > 1 else SINGLE_RESOURCE_TOOLS


def _declared(tool: Tool, args: dict[str, Any]) -> dict[str, Any]:
    allowed = set(tool.parameters["properties"]) & set(inspect.signature(tool.run).parameters)
    return {k: v for k, v in args.items() if k in allowed}


async def execute(services: "Services", wa_id: str, name: str, args: Any, *, provider: str = "offline") -> dict:
    """Run tool `name` for `wa_id`; failures become `{"success": false, "message": ...}` results."""
    # The span names the tool and its outcome only: arguments and results may hold customer text.
    with span("llm.tool", **{"llm.tool": name, "llm.provider": provider}) as current:
        result, failed = await _execute(services, wa_id, name, args, provider)
        outcome = "error" if failed else "ok" if result.get("success", True) is not False else "refused"
        current.set_attribute("mawid.llm.tool_outcome", outcome)
        return result


async def _execute(services: "Services", wa_id: str, name: str, args: Any, provider: str) -> tuple[dict, bool]:
    """(result, whether the tool failed) — a refusal (`success: false` from the tool itself) is not a failure."""
    tool = TOOLS.get(name)
    if tool is None:
        LLM_TOOL_ERRORS.inc({"tool_name": name, "provider": provider})
        return {"success": False, "message": f"Tool '{name}' is not implemented"}, True
    if not isinstance(args, dict):
        args = {}
    try:
        result = await tool.run(services, wa_id, **_declared(tool, args))
    except Exception as exc:
        log.exception("tool %s failed for %s", name, wa_id)
        LLM_TOOL_ERRORS.inc({"tool_name": name, "provider": provider})
        ASSISTANT_FUNCTION_ERRORS.inc({"function": name})
        return {"success": False, "message": f"Error executing {name}: {exc}"}, True
    return (result if isinstance(result, dict) else {"success": True, "data": result}), False


def result_json(result: Any) -> str:
    return json.dumps(result, ensure_ascii=False, default=str)
